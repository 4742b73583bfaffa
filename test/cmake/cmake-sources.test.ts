/**
 * One source list: CMakeLists.txt (the cmake-js sanitizer build) compiles exactly what
 * binding.gyp lists, with its defines and C++ flags. binding.gyp is a Python literal, so
 * Python's own parser (ast.literal_eval) is the oracle for scripts/gyp-target.mjs, and a real
 * CMake configure (compile_commands.json) is the oracle for what CMake would build.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { parseGyp, resolveTarget } from '../../scripts/gyp-target.mjs';
import { hasCommand, missing } from '../helpers/env.js';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const gypText = readFileSync(join(root, 'binding.gyp'), 'utf8');

/** What Python makes of a gyp text (gyp itself reads .gyp files as Python literals). */
function pythonLiteral(text: string): unknown {
  const script = 'import ast, json, sys; print(json.dumps(ast.literal_eval(sys.stdin.read())))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: text, encoding: 'utf8' }));
}

const skipPython = missing({ python3: hasCommand('python3') });
const skipCmake = missing({ cmake: hasCommand('cmake'), 'g++': hasCommand('g++') });

describe.skipIf(skipPython)('gyp-target.mjs reads binding.gyp as Python would', () => {
  it('parses binding.gyp to the same value as ast.literal_eval', () => {
    expect(parseGyp(gypText)).toEqual(pythonLiteral(gypText));
  });

  it('handles comments, single quotes, quotes inside strings, trailing commas and booleans', () => {
    const text = `# a gyp file as people write them
{
  'variables': { 'x%': 'a "quoted" word', "y": 'it\\'s', },  # trailing comment
  'targets': [{ 'target_name': 'z', 'flag': True, 'off': False, 'sources': ['a.cc', "b.cc",], },],
}`;
    expect(parseGyp(text)).toEqual(pythonLiteral(text));
  });

  it('merges the conditions that hold on Linux, and the else branch of those that do not', () => {
    const gyp = {
      targets: [{
        target_name: 't',
        sources: ['a.cc'],
        conditions: [
          ['OS=="linux"', { sources: ['linux.cc'], defines: ['L'] }],
          ['OS=="win"', { sources: ['win.cc'] }, { sources: ['posix.cc'] }],
          ['OS!="mac" and OS!="win"', { cflags_cc: ['-fno-plt'] }],
        ],
      }],
    };
    const t = resolveTarget(gyp, 't');
    expect(t.sources).toEqual(['a.cc', 'linux.cc', 'posix.cc']);
    expect(t.defines).toEqual(['L']);
    expect(t.cflags_cc).toEqual(['-fno-plt']);
  });
});

describe.skipIf(skipPython || skipCmake)('CMakeLists.txt builds what binding.gyp lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linux-caps-cmake-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Configures (no build) and returns compile_commands.json. */
  function configure(sanitize: boolean): Array<{ file: string; command: string }> {
    const out = join(dir, sanitize ? 'asan' : 'plain');
    execFileSync('cmake', ['-S', root, '-B', out, '-G', 'Unix Makefiles', '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON', `-DLINUX_CAPS_SANITIZE=${sanitize ? 'ON' : 'OFF'}`], { stdio: 'pipe' });
    return JSON.parse(readFileSync(join(out, 'compile_commands.json'), 'utf8'));
  }

  const oracle = (pythonLiteral(gypText) as { targets: Array<Record<string, string[]>> }).targets.find((t) => (t.target_name as unknown) === 'linux_caps')!;

  it('compiles every source binding.gyp lists, and nothing else', () => {
    const commands = configure(false);
    const files = commands.map((c) => relative(root, c.file)).sort();
    expect(files).toEqual([...oracle.sources!].sort());
  });

  it('passes binding.gyp defines and C++ flags, and the sanitizers only when asked', () => {
    const plain = configure(false);
    const asan = configure(true);
    for (const { command } of [...plain, ...asan]) {
      for (const define of oracle.defines ?? []) expect(command).toContain(`-D${define}`);
      for (const flag of oracle.cflags_cc ?? []) expect(command).toContain(flag);
    }
    for (const { command } of plain) expect(command).not.toContain('-fsanitize');
    for (const { command } of asan) {
      expect(command).toContain('-fsanitize=address,undefined');
      expect(command).toContain('-fno-sanitize-recover=all');
      expect(command).toContain('-fno-omit-frame-pointer');
    }
  });
});
