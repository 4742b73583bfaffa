/**
 * The README runs as copied (issue 23): every ```js block is type-checked as a consumer would
 * (tsc on the block, 'linux-caps' resolved through the package's own exports), and run in a
 * child process unless an HTML comment before it says `readme-test: type-check only` and why.
 * Blocks change credentials only in those children (the test runs as root, as CI does).
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerProject } from '../helpers/consumer-project.js';
import { isLinux, isRoot, missing } from '../helpers/env.js';

const root = new URL('../..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Block { line: number; lang: string; code: string; runs: boolean }

/** The README's fenced blocks with their first line and whether a marker keeps them from running. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    const before = lines.slice(Math.max(0, start - 2), start).join('\n');
    out.push({ line: start + 1, lang: open[1]!, code: `${body.join('\n')}\n`, runs: !/readme-test: type-check only/.test(before) });
  }
  return out;
}

const js = blocks(readme).filter((b) => b.lang === 'js');
const isCommonJs = (b: Block) => /\brequire\(/.test(b.code) && !/^import /m.test(b.code);

/** A consumer project, removed when the test ends. */
function project(): string {
  const dir = consumerProject('linux-caps-readme-');
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('README code blocks', () => {
  it('has the blocks this test expects to see', () => {
    expect(js.length).toBeGreaterThanOrEqual(12);
    expect(js.filter((b) => b.runs).length).toBeGreaterThanOrEqual(9);
  });

  it('every js block type-checks as a consumer writes it', () => {
    const dir = project();
    const files = js.map((b) => {
      const name = `block-${b.line}.${isCommonJs(b) ? 'cjs' : 'mjs'}`;
      writeFileSync(join(dir, name), b.code);
      return name;
    });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { allowJs: true, checkJs: true, noEmit: true, module: 'nodenext', target: 'es2022', types: ['node'], skipLibCheck: true },
      files,
    }));
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot });
  it.skipIf(skip).each(js.filter((b) => b.runs).map((b) => [b.line, b] as const))('the block at README line %i runs as copied', (_line, b) => {
    const dir = project();
    const file = join(dir, `block.${isCommonJs(b) ? 'cjs' : 'mjs'}`);
    writeFileSync(file, b.code);
    // Files a block names as './name' exist, as in the reader's project (regular files they own).
    for (const [, name] of b.code.matchAll(/'\.\/([\w.-]+)'/g)) copyFileSync('/bin/true', join(dir, name!));
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  });
});
