/**
 * The kernel ABI numbers are defined once (issue 15): lib/vocabulary/abi.ts holds them, and
 * native/abi.h lists the same entries, each a static_assert against the system headers. Here:
 * the two lists agree, the header compiles (the headers agree with lib), a wrong number fails
 * the compile, and no other lib/ file defines an errno, prctl, securebits or capability number.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCommand, isLinux, missing } from '../helpers/env.js';
import { LOCKED_SECUREBITS, model } from '../../lib/index.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const tsTable = readFileSync(join(root, 'lib/vocabulary/abi.ts'), 'utf8');
const header = readFileSync(join(root, 'native/abi.h'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'linux-caps-abi-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fromTs = (): Array<[string, number]> =>
  [...tsTable.matchAll(/^export const (\w+) = (0x[0-9a-f]+|\d+);/gm)].map((m) => [m[1]!, Number(m[2])]);
const fromHeader = (text: string): Array<[string, number]> =>
  [...text.matchAll(/^LINUX_CAPS_ABI\((\w+), \w+, (0x[0-9a-fA-F]+|\d+)\)$/gm)].map((m) => [m[1]!, Number(m[2])]);

function compiles(headerText: string): { ok: boolean; stderr: string } {
  const name = `check-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(work, `${name}.h`), headerText);
  const file = join(work, `${name}.cc`);
  writeFileSync(file, `#include "${name}.h"\nint main() { return 0; }\n`);
  const r = spawnSync('g++', ['-std=c++17', '-fsyntax-only', file], { encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr };
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const noCompiler = isLinux ? missing({ 'g++': hasCommand('g++') }) : 'not Linux (no kernel headers)';

describe('one kernel ABI table', () => {
  it('native/abi.h lists exactly the entries of lib/vocabulary/abi.ts, with the same values', () => {
    expect(fromTs().length).toBeGreaterThan(60);
    expect(fromHeader(header)).toEqual(fromTs());
  });

  it.skipIf(noCompiler !== undefined)('native/abi.h compiles: the system headers agree with every number', () => {
    const r = compiles(header);
    expect(r.stderr).toBe('');
    expect(r.ok).toBe(true);
  });

  it.skipIf(noCompiler !== undefined)('a number stated wrongly fails the compile, naming it (the check has teeth)', () => {
    const r = compiles(header.replace('LINUX_CAPS_ABI(PR_CAPBSET_DROP, PR_CAPBSET_DROP, 24)', 'LINUX_CAPS_ABI(PR_CAPBSET_DROP, PR_CAPBSET_DROP, 25)'));
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/PR_CAPBSET_DROP is not 25, the value of PR_CAPBSET_DROP in lib\/vocabulary\/abi\.ts/);
  });

  it("LOCKED_SECUREBITS (a literal for users' types) is libcap's locked bits, by name", () => {
    const { SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED, SECBIT_KEEP_CAPS_LOCKED,
      SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED } = model;
    expect(LOCKED_SECUREBITS).toBe(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED
      | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED);
  });

  it('no other lib/ file defines one of these numbers', () => {
    const names = new Set(fromTs().map(([n]) => n));
    const found: string[] = [];
    for (const file of sources(join(root, 'lib'))) {
      if (file.endsWith('vocabulary/abi.ts')) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:export )?const (\w+) = (?:0x[0-9a-f]+|\d+)\b/gim)) {
        if (names.has(m[1]!) || /^(PR_\w+|SECBIT_\w+|CAP_[A-Z_]+|VFS_CAP_\w+|XATTR_CAPS_\w+)$/.test(m[1]!)) found.push(`${relative(root, file)}: ${m[1]}`);
      }
    }
    // CAP_CONTEXT is Linux-VServer's own number (kernel-semantics §4), not a mainline capability.
    expect(found).toEqual(['lib/model/legacy/types.ts: CAP_CONTEXT']);
  });
});

