/**
 * The all-threads broadcast against the real kernel (spec node-engineering §1.2, §4, §6.6).
 * Every case runs in a child (test/fixtures/native-broadcast.mjs), judged from the child's
 * /proc/self/task/<tid>/status. All broadcast tests live in this one file (one fork), pass a
 * generous deadline and onPartial 'throw' — except the one test of 'abort'.
 *
 * A whole-process call first brings every other thread to the calling thread's state
 * (securebits, bounding, E/P/I, ambient, no_new_privs), then runs the program (tests 10–11):
 * afterwards every thread is equal even if thread.* calls had made them differ; a thread that
 * cannot be brought there (it holds less) fails closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFixture, runSteps } from '../fixtures/native-spawn.js';
import { isLinux, isRoot, missing } from '../helpers/env.js';
import { qemuLimit } from '../helpers/qemu.js';

const addonBuilt = !!process.env.LINUX_CAPS_NATIVE_PATH || existsSync(new URL('../../build/Release/linux_caps.node', import.meta.url));
const skip = missing({ linux: isLinux, root: isRoot, 'the addon (npm run build:native)': addonBuilt });

interface ProcThread { tid: number; effective: string; permitted: string; bounding: string; sigblk: string }
interface DropRun {
  result: { threadCount?: number; backend?: string; error?: { code: string; tids?: number[] } };
  rounds: number[];
  born?: number;
  sync: string; async: string; promise: string; worker?: string;
  before: number;
  threads: ProcThread[];
  after: ProcThread[];
  uniform: boolean;
  divergent: number[];
  target: { effective: string; permitted: string };
}

const DAC_MASK = 0b110n; // cap_dac_override (1), cap_dac_read_search (2)
const INSPECTOR_SIGBLK = 'fffffffe7ffbfeff';
const THROW = { onPartial: 'throw', deadlineMs: 20_000 };

let dir: string;
let runs = 0;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'linux-caps-broadcast-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function drop(spec: Record<string, unknown>, env: Record<string, string> = {}): DropRun {
  const sub = join(dir, `run${runs++}`);
  mkdirSync(sub);
  return runFixture<DropRun>('native-broadcast.mjs', [JSON.stringify({ scenario: 'drop', dir: sub, deadlineMs: 20_000, onPartial: 'throw', ...spec })], { env }).json;
}

/** Every thread /proc shows holds the target E and P, and neither holds the DAC caps. */
function expectAllAtTarget(run: DropRun): void {
  expect(BigInt(`0x${run.target.effective}`) & DAC_MASK).toBe(0n);
  expect(run.threads.length).toBeGreaterThan(1);
  for (const t of run.threads) {
    expect({ tid: t.tid, effective: t.effective, permitted: t.permitted }).toEqual({ tid: t.tid, ...run.target });
  }
  expect(run.uniform).toBe(true);
  expect(run.divergent).toEqual([]);
}

describe.skipIf(skip ?? qemuLimit('wholeProcess'))('caps: one program on every thread (kernel)', () => {
  it('01 the threadpool regression: after caps.set both readFileSync and readFile of a mode-000 file fail with EACCES', () => {
    const run = drop({ mode: 'caps' });
    expect(run.result.error).toBeUndefined();
    expect(run.result.backend).toBe('native');
    expect(run.result.threadCount).toBe(run.threads.length);
    expect(run.sync).toBe('EACCES');
    expect(run.async).toBe('EACCES');
    expect(run.promise).toBe('EACCES');
    expectAllAtTarget(run);
  });

  it('02 the hazard: thread.set changes only the calling thread, so fs.readFile on the pool still reads', () => {
    const run = drop({ mode: 'thread' });
    expect(run.sync).toBe('EACCES');
    expect(run.async).toBe('read');
    const stillPrivileged = run.threads.filter((t) => (BigInt(`0x${t.effective}`) & DAC_MASK) !== 0n);
    expect(stillPrivileged.length).toBe(run.threads.length - 1);
    expect(run.uniform).toBe(false);
  });

  it('03 reaches the inspector thread (it blocks every signal but 9, 19, 32, 33)', () => {
    const run = drop({ mode: 'caps' });
    const inspector = run.threads.filter((t) => t.sigblk === INSPECTOR_SIGBLK);
    expect(inspector.length).toBe(1);
    expect(inspector[0]!.effective).toBe(run.target.effective);
  });

  it('04 reaches a Worker started before the call: its own readFileSync fails too', () => {
    const run = drop({ mode: 'caps', worker: true });
    expect(run.worker).toBe('EACCES');
    expect(run.sync).toBe('EACCES');
    expect(run.async).toBe('EACCES');
    expectAllAtTarget(run);
  });

  it('05 with UV_THREADPOOL_SIZE=64 and the pool busy (pbkdf2 jobs running during the call)', () => {
    const run = drop({ mode: 'caps', busyPool: true }, { UV_THREADPOOL_SIZE: '64' });
    expect(run.before).toBeGreaterThanOrEqual(64 + 6);
    expect(run.result.threadCount).toBe(run.threads.length);
    expect(run.async).toBe('EACCES');
    expectAllAtTarget(run);
  });

  it('06 while threads are being created and ending during the calls (nested Worker churn)', () => {
    const run = drop({ mode: 'caps', churn: 3 });
    expect(run.rounds.length).toBe(40);
    expect(run.rounds.every((n) => n > 1)).toBe(true);
    expect(new Set(run.rounds).size + (run.born ?? 0)).toBeGreaterThan(1); // the thread count moved
    expect(run.result.error).toBeUndefined();
    expect(run.sync).toBe('EACCES');
    expect(run.async).toBe('EACCES');
    for (const t of run.after) expect(t.effective).toBe(run.target.effective);
  });

  it('06b 300 calls under Worker churn, each success checked from outside the library: no silent partial change (issue 14)', () => {
    const out = runFixture<{ calls: number; succeeded: number; partial: number; silent: number; threadsChecked: number; born: number; threadCounts: number }>(
      'native-broadcast.mjs',
      [JSON.stringify({ scenario: 'independent', dir, calls: 300 })],
      { timeoutMs: 240_000 },
    ).json;
    expect(out.calls).toBe(300);
    expect(out.succeeded + out.partial).toBe(300);
    expect(out.succeeded).toBeGreaterThan(250); // churn makes a partial refusal possible, not common
    expect(out.silent).toBe(0);
    expect(out.threadsChecked).toBeGreaterThan(out.succeeded * 5);
    expect(out.born).toBeGreaterThan(10); // threads really came and went
  });

  it("07 a thread that blocks signal 33 with a raw rt_sigprocmask: onPartial 'throw' names that TID within the deadline", () => {
    const out = runFixture<{ blockedTid: number; blockedComm: string; error?: { code: string; tids: number[]; message: string }; result?: unknown }>(
      'native-broadcast.mjs',
      [JSON.stringify({ scenario: 'blocked', dir, deadlineMs: 1500, onPartial: 'throw' })],
      { env: { LINUX_CAPS_TEST_EXPORTS: '1' } },
    ).json;
    expect(out.result).toBeUndefined();
    expect(out.error?.code).toBe('ERR_CAPS_PARTIAL');
    expect(out.error?.tids).toEqual([out.blockedTid]);
    expect(out.error?.message).toMatch(new RegExp(`${out.blockedTid} \\(${out.blockedComm}, state [A-Z] \\([a-z ]+\\), blocks signal 33\\) never reported within 1500 ms`));
  });

  it("08 the same with onPartial 'abort': one line on stderr, then the process dies by SIGKILL", () => {
    const run = runFixture('native-broadcast.mjs', [JSON.stringify({ scenario: 'blocked', dir, deadlineMs: 1500, onPartial: 'abort' })], {
      env: { LINUX_CAPS_TEST_EXPORTS: '1' },
      allowFailure: true,
    });
    expect(run.signal).toBe('SIGKILL');
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^linux-caps: .*never reported within 1500 ms; killing the process/);
  });

  // 16,000 applies: enough after the warm-up to tell growth per apply from noise on every Node
  // line. Under ASan, where RSS says nothing and an apply costs 5x, 4,000 (80 Worker churns) look
  // for memory errors; CI runs it on three Node lines.
  const loopApplies = process.env.LINUX_CAPS_SANITIZER ? 4_000 : 16_000;
  it(`09 ${loopApplies} whole-process applies with worker churn: no crash, no hang, no divergence, RSS stable per apply`, () => {
    const out = runFixture<{ applied: number; workersStarted: number; rss: Record<string, number>; uniform: boolean; divergent: number[]; threads: number }>(
      'native-broadcast.mjs',
      [JSON.stringify({ scenario: 'loop', dir, iterations: loopApplies, deadlineMs: 20_000, onPartial: 'throw' })],
      // A fixed, small V8 young generation: by default V8 grows its semi-spaces from 1 to 16 MiB
      // under this allocation rate (heapTotal +25 MiB between 1,000 and 4,000 applies, then flat),
      // which would hide or fake a native leak. Measured: with it, RSS moves < 2 MiB.
      // MALLOC_ARENA_MAX=1: glibc gives each new thread (every churned Worker's) an arena it
      // never returns, so RSS crept by 80-260 B per apply on Node 24 and 26 with V8's heap and
      // external memory flat — no leak of ours, but within reach of the bound. With one arena
      // the same runs measure -21 to -5 B per apply (Node 26), so the bound sees the addon only.
      { nodeArgs: ['--expose-gc', '--max-semi-space-size=1'], timeoutMs: 600_000, env: { MALLOC_ARENA_MAX: '1' } },
    ).json;
    // Growth per apply, robust to one line's heap habits: after a warm-up of a quarter of the run,
    // the median RSS of 9 samples (every 250 applies) early against 9 samples at the end.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const at = (from: number, to: number) => Object.entries(out.rss).filter(([i]) => Number(i) >= from && Number(i) <= to).map(([, v]) => v);
    const [early, late] = [at(loopApplies / 4, (3 * loopApplies) / 8), at((7 * loopApplies) / 8, loopApplies)];
    const perApply = (median(late) - median(early)) / ((5 * loopApplies) / 8);
    console.log(`[broadcast] ${loopApplies} applies on Node ${process.versions.node}: RSS median ${(median(early) / 2 ** 20).toFixed(1)} MiB early → ${(median(late) / 2 ** 20).toFixed(1)} MiB at the end, ${perApply.toFixed(0)} B per apply; ${out.workersStarted} workers started`);
    expect(out.applied).toBe(loopApplies);
    expect(out.workersStarted).toBe(loopApplies / 50); // a Worker every 50 applies
    expect(out.uniform).toBe(true);
    expect(out.divergent).toEqual([]);
    // Under ASan (LINUX_CAPS_SANITIZER, scripts/build-asan.mjs) the allocator's quarantine and
    // per-thread caches of the churned Workers grow RSS: no leak signal there. Elsewhere a leak of
    // 256 bytes per apply (4 MiB over 16,000) fails; measured with one malloc arena: under 100 B.
    if (!process.env.LINUX_CAPS_SANITIZER) {
      expect([early.length, late.length]).toEqual([9, 9]);
      expect(perApply).toBeLessThan(256);
    }
  }, 900_000);

  it('10 converge first: after thread.* changes on the main thread, a whole-process call carries them to every thread', () => {
    const run = runSteps([
      { call: 'thread.keepCaps.set', args: [true] },
      { call: 'thread.bounding.drop', args: ['cap_mknod'] },
      { call: 'thread.set', args: [{ effective: ['cap_setpcap', 'cap_net_raw'], permitted: ['cap_setpcap', 'cap_net_raw', 'cap_chown'], inheritable: ['cap_net_raw'] }] },
      { call: 'thread.ambient.raise', args: ['cap_net_raw'] },
      { call: 'caps.verify' },
      { call: 'caps.bounding.drop', args: ['cap_sys_admin', THROW] },
      { call: 'caps.threads' },
    ], { LINUX_CAPS_BACKEND: 'native' });
    const before = run.results[4]!.value as { uniform: boolean; threads: unknown[] };
    expect(before.uniform).toBe(false);
    expect(run.results[5]!.ok, JSON.stringify(run.results[5])).toBe(true);
    const threads = run.results[6]!.value as Array<{ tid: number; bounding: string[]; ambient: string[]; permitted: string[]; securebits?: number }>;
    expect(threads.length).toBe(before.threads.length);
    for (const t of threads) {
      expect(t.bounding).not.toContain('cap_mknod');
      expect(t.bounding).not.toContain('cap_sys_admin');
      expect(t.permitted).toEqual(['cap_chown', 'cap_setpcap', 'cap_net_raw']);
      expect(t.ambient).toEqual(['cap_net_raw']);
      expect(t.securebits).toBe(0x10);
    }
    expect(run.verify).toMatchObject({ uniform: true, divergent: [] });
  });

  it('11 converge first: a Worker that dropped its own permitted set cannot be raised back: ERR_CAPS_PARTIAL names it', () => {
    const out = runFixture<{ workerTid: number; error?: { code: string; tids: number[]; message: string }; othersWithoutSysAdmin: boolean }>(
      'native-broadcast.mjs', [JSON.stringify({ scenario: 'diverged', dir: '/nonexistent', deadlineMs: 20_000, onPartial: 'throw' })],
    ).json;
    expect(out.error?.code).toBe('ERR_CAPS_PARTIAL');
    expect(out.error?.tids).toEqual([out.workerTid]);
    expect(out.error?.message).toMatch(new RegExp(`${out.workerTid} failed to converge to the calling thread's state .* with EPERM`));
    expect(out.othersWithoutSysAdmin).toBe(true);
  });
});
