/**
 * The kernel model (dist/model) against the running kernel: 2,000 random credential-syscall
 * sequences, each run by the C executor in its own forked child inside a private mount
 * namespace, each step compared with the model's prediction (kernel-semantics §2).
 * Tagged: a test of the kernel and the model, not of the public API — it runs once.
 * The seed is random and printed; LINUX_CAPS_DIFF_SEED / LINUX_CAPS_DIFF_COUNT pin them.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasCommand, isLinux, isRoot, missing } from './helpers/env.js';
// @ts-expect-error plain ESM helpers without type declarations
import { runDifferential } from './differential/run.mjs';
// @ts-expect-error plain ESM helpers without type declarations
import { SequenceGenerator } from './differential/generator.mjs';
// @ts-expect-error plain ESM helpers without type declarations
import { makeCatalog } from './differential/catalog.mjs';
// @ts-expect-error plain ESM helpers without type declarations
import { describeOp } from './differential/ops.mjs';

const script = fileURLToPath(new URL('../scripts/differential', import.meta.url));
const skip = missing({ Linux: isLinux, root: isRoot, gcc: isLinux && hasCommand('gcc') });

interface Disagreement { index: number; step: number; diffs: string[]; op: unknown; catalog: unknown }

const ownStatus = () => readFileSync('/proc/self/status', 'utf8').split('\n').filter((l) => /^(Uid|Gid|Groups|Cap\w+|NoNewPrivs):/.test(l)).join('\n');

describe.skipIf(skip)('differential: model vs kernel', () => {
  it('2,000 random sequences: zero disagreements, every reach goal met, nothing leaks', async () => {
    const seed = process.env.LINUX_CAPS_DIFF_SEED ? Number(process.env.LINUX_CAPS_DIFF_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
    const count = Number(process.env.LINUX_CAPS_DIFF_COUNT ?? 2000);
    console.log(`differential: seed ${seed}, ${count} sequences (replay: scripts/differential --seed ${seed} --count ${count})`);
    const before = ownStatus();
    const found: Disagreement[] = [];
    const result = await runDifferential({
      count, seed,
      onEvent: (e: { type: string } & Disagreement) => { if (e.type === 'disagreement') found.push(e); },
    });
    console.log(result.stats.format());
    console.log(`${result.sequences} sequences in ${result.elapsedMs} ms (${(result.sequences / (result.elapsedMs / 1000)).toFixed(0)}/s), ${result.disagreements} disagreements, seed ${seed}`);
    const shown = found.slice(0, 10).map((d) => `sequence ${d.index} step ${d.step} ${describeOp(d.op, d.catalog)}: ${d.diffs.join(', ')} — scripts/differential --seed ${seed} --only ${d.index} --verbose`);
    expect(result.harnessErrors).toEqual([]);
    expect(result.sequences).toBe(count);
    expect(result.missed).toEqual([]);
    expect(shown).toEqual([]);
    expect(result.disagreements).toBe(0);
    // The runner's own credentials are untouched, and no private mount or temp dir is left behind.
    expect(ownStatus()).toBe(before);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('linux-caps-diff');
    expect(result.baseDirs.length).toBeGreaterThan(0);
    for (const dir of result.baseDirs) expect(existsSync(dir)).toBe(false);
  }, 15 * 60_000);

  it('has teeth: the pre-2025 exec rule (kernel-semantics §2.6 history note) disagrees with this kernel', async () => {
    const found: Disagreement[] = [];
    const result = await runDifferential({
      count: 400, seed: 11, kernelVersion: 'pre-2025',
      onEvent: (e: { type: string } & Disagreement) => { if (e.type === 'disagreement') found.push(e); },
    });
    expect(result.harnessErrors).toEqual([]);
    expect(result.disagreements).toBeGreaterThan(0);
    // The exec rule is the one that differs between the two models.
    expect(found.filter((d) => (d.op as { op: string }).op === 'execve').length).toBeGreaterThan(0);
  }, 5 * 60_000);

  it('the script prints the summary line and exits 0 when all agree (1 on disagreements)', () => {
    const run = spawnSync(process.execPath, [script, '--count', '60', '--seed', '12345'], { encoding: 'utf8', timeout: 120_000 });
    const lines = run.stdout.trim().split('\n');
    const last = lines[lines.length - 1] ?? '';
    expect(last).toMatch(/^60 sequences, \d+ disagreements, seed 12345$/);
    const d = Number(/, (\d+) disagreements/.exec(last)?.[1]);
    expect(run.status).toBe(d > 0 ? 1 : 0);
    expect(run.stdout).toMatch(/^operation +attempted +succeeded +failed$/m);
  }, 180_000);

  it('refuses bad arguments with exit 2', () => {
    const run = spawnSync(process.execPath, [script, '--count', 'many'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('usage: scripts/differential');
  });
});

describe('differential generator', () => {
  const catalog = makeCatalog(99, (1n << 41n) - 1n - (1n << 24n), 40);
  const initialView = {
    e: 0x1fffeffffffn, p: 0x1fffeffffffn, i: 0n, b: 0x1fffeffffffn, a: 0n, sb: 0, kc: 0, nnp: 0,
    uid: [0, 0, 0, 0], gid: [0, 0, 0, 0], groups: [], sec: 0, nsLevel: 0, uidMapped: false, gidMapped: false,
  };
  const ctx = { catalog, lastCap: 40, initialView };
  const sequence = (seed: number, index: number) => {
    const gen = new SequenceGenerator(seed, index, ctx);
    const ops: unknown[] = [];
    for (let op = gen.next(undefined); op !== undefined; op = gen.next(undefined)) ops.push(op);
    return JSON.stringify(ops, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v));
  };

  it('the same seed and index give the same sequence; other seeds give other sequences', () => {
    expect(sequence(5, 17)).toBe(sequence(5, 17));
    expect(sequence(5, 17)).not.toBe(sequence(6, 17));
    expect(sequence(5, 17)).not.toBe(sequence(5, 18));
  });

  it('the catalog depends on the seed only and has files with caps that fit the bounding set', () => {
    expect(JSON.stringify(makeCatalog(99, (1n << 41n) - 1n - (1n << 24n), 40).files)).toBe(JSON.stringify(catalog.files));
    expect(catalog.s.filter((f: { xattr?: string }) => f.xattr).length).toBeGreaterThan(5);
    expect(catalog.n.length).toBeGreaterThan(0);
  });
});
