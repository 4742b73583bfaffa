/**
 * The addon's reader of every task (native/tasks.cc, lib/backend/native/tasks.ts; issue 14):
 * what it reads equals what the TypeScript /proc parser reads of the same tasks, its parser
 * refuses every status file the kernel would not write, its buffers grow, and the listing's
 * cross-check against the kernel's thread count (issue 11, F1) still refuses.
 * Reads run here; anything that changes a credential runs in a child.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  CapSet, diff, loadNative, parseStatus, readProcessThreads, readThreadTable, selfThreadStates, ioUringTasks,
  STATUS_KEYS, TASK, TASK_FLAG, TASK_MASKS, type NativeAddon,
} from '../../lib/internal.js';
import { isLinux, isRoot, missing } from '../helpers/env.js';

const addonBuilt = !!process.env.LINUX_CAPS_NATIVE_PATH || existsSync(new URL('../../build/Release/linux_caps.node', import.meta.url));
const skip = missing({ linux: isLinux, 'the addon (npm run build:native)': addonBuilt });
const skipRoot = skip ?? missing({ root: isRoot });

/** Runs an ES module in a child node over dist/ (npm test builds it first); prints JSON last. */
function child(code: string, env: Record<string, string> = {}): unknown {
  const dist = new URL('../../dist/internal.js', import.meta.url).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const lc = await import(${JSON.stringify(dist)});\n${code}`], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`child exited ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.skipIf(skip)('readTasks: every task of this process in one call', () => {
  let addon: NativeAddon;
  beforeAll(() => { addon = loadNative(); });

  it('reads each thread as the TypeScript /proc parser reads it (tids, sets, ids, groups, no_new_privs, seccomp)', () => {
    const native = selfThreadStates(addon);
    const parsed = readProcessThreads('self').threads;
    expect(native.map((t) => t.tid).sort()).toEqual(parsed.map((t) => t.tid).sort());
    for (const p of parsed) {
      const n = native.find((t) => t.tid === p.tid)!;
      expect({
        e: n.effective.mask, p: n.permitted.mask, i: n.inheritable.mask, b: n.bounding.mask, a: n.ambient.mask,
        uid: n.uid, gid: n.gid, groups: n.groups, nnp: n.noNewPrivs, seccomp: n.seccomp,
      }).toEqual({
        e: p.effective.mask, p: p.permitted.mask, i: p.inheritable.mask, b: p.bounding.mask, a: p.ambient.mask,
        uid: p.uid, gid: p.gid, groups: p.groups, nnp: p.noNewPrivs, seccomp: p.seccomp,
      });
    }
  });

  it('writes no more records than the buffers hold and says how many it needs', () => {
    const words = new Int32Array(TASK.words + 3).fill(-7);
    const masks = new BigUint64Array(TASK_MASKS);
    const counts = new Float64Array(4);
    expect(addon.readTasks(1, words, masks, new Uint32Array(0), counts)).toBe(0);
    const listed = readProcessThreads('self').threads.length;
    expect(counts[0]).toBeGreaterThanOrEqual(Math.min(listed, 2));
    expect(Array.from(words.subarray(TASK.words))).toEqual([-7, -7, -7]); // one record, nothing past it
    expect(counts[2]).toBe(counts[0]); // Threads: of the record it read (nothing else changed threads meanwhile)
    expect(counts[3]).toBe(counts[0]);
  });

  it('refuses arguments of the wrong type with a TypeError (a bug in the caller, not a kernel refusal)', () => {
    const counts = new Float64Array(4);
    expect(() => addon.readTasks(2, new Int32Array(16), new BigUint64Array(5), new Uint32Array(1), counts)).toThrow(TypeError);
    expect(() => addon.readTasks(1, new Uint32Array(16) as unknown as Int32Array, new BigUint64Array(5), new Uint32Array(1), counts)).toThrow(TypeError);
    expect(() => addon.readTasks(1, new Int32Array(16), new BigUint64Array(5), new Uint32Array(1), new Float64Array(2))).toThrow(TypeError);
  });

  it('finds no io_uring worker in a process that has none (comm read of every task)', () => {
    expect(ioUringTasks(addon)).toEqual([]);
  });

  it.skipIf(skipRoot)('grows its buffers: 64 pool threads and 300 supplementary groups, every thread read whole (child)', () => {
    const out = child(`
      const fs = await import('node:fs/promises');
      await Promise.all(Array.from({ length: 64 }, () => fs.readFile('/proc/self/status')));
      process.setgroups(Array.from({ length: 300 }, (_, k) => 1000 + k));
      const threads = lc.caps.threads();
      const parsed = lc.readProcessThreads('self').threads;
      console.log(JSON.stringify({ threads: threads.length, parsed: parsed.length, groups: threads.map((t) => t.groups.length), uniform: lc.caps.verify().uniform }));
    `, { UV_THREADPOOL_SIZE: '64' }) as { threads: number; parsed: number; groups: number[]; uniform: boolean };
    expect(out.threads).toBeGreaterThanOrEqual(64);
    expect(out.threads).toBe(out.parsed);
    expect(new Set(out.groups)).toEqual(new Set([300]));
    expect(out.uniform).toBe(true);
  });
});

describe.skipIf(skip)('the status parser refuses what the kernel would not write (test export, child)', () => {
  interface Parsed { ok: boolean; err: number; line: number; key: string; tid: number; uid: number[]; masks: string[]; groups: number[]; flags: number }
  const own = (): string => readFileSync('/proc/self/status', 'utf8');
  const parse = (texts: string[], tid: number): Parsed[] => child(`
    const a = lc.loadNative();
    const out = [];
    for (const text of ${JSON.stringify(texts)}) {
      const words = new Int32Array(lc.TASK.words), masks = new BigUint64Array(lc.TASK_MASKS), groups = new Uint32Array(64), counts = new Float64Array(4);
      const ok = a.testParseStatus(text, ${tid}, words, masks, groups, counts);
      const u = new Uint32Array(words.buffer);
      out.push({ ok, err: words[lc.TASK.err], line: words[lc.TASK.malformedLine], key: lc.STATUS_KEYS[words[lc.TASK.malformedKey]],
        tid: words[lc.TASK.tid], uid: Array.from(u.subarray(lc.TASK.uid, lc.TASK.uid + 4)), masks: Array.from(masks, (m) => m.toString(16)),
        groups: Array.from(groups.subarray(0, words[lc.TASK.groupsCount])), flags: words[lc.TASK.flags] });
    }
    console.log(JSON.stringify(out));
  `, { LINUX_CAPS_TEST_EXPORTS: '1' }) as Parsed[];

  it("accepts the kernel's own status file and reads what parseStatus reads", () => {
    const text = own();
    const s = parseStatus(text);
    const [r] = parse([text], s.tid);
    expect(r).toMatchObject({ ok: true, err: 0, tid: s.tid, uid: [s.uid.real, s.uid.effective, s.uid.saved, s.uid.fs], groups: s.groups });
    expect(r!.masks).toEqual([s.inheritable, s.permitted, s.effective, s.bounding, s.ambient].map((m) => m.mask.toString(16)));
    expect(r!.flags & TASK_FLAG.hasAmbient).toBe(TASK_FLAG.hasAmbient);
    expect(r!.flags & TASK_FLAG.hasNoNewPrivs).toBe(TASK_FLAG.hasNoNewPrivs);
  });

  it('flags an io_uring worker by its name', () => {
    const text = own().replace(/^Name:\t.*$/m, 'Name:\tiou-wrk-4242');
    const [r] = parse([text], parseStatus(own()).tid);
    expect(r!.flags & TASK_FLAG.ioUring).toBe(TASK_FLAG.ioUring);
  });

  it.each([
    ['a second CapEff: line', (t: string) => t.replace(/^(CapEff:.*)$/m, '$1\n$1'), 'CapEff', 'line'],
    ['a set of 17 hex digits', (t: string) => t.replace(/^CapPrm:\t\w+$/m, 'CapPrm:\t0' + '0'.repeat(16)), 'CapPrm', 'line'],
    ['a set that is not hex', (t: string) => t.replace(/^CapInh:\t\w+$/m, 'CapInh:\t00000000000000zz'), 'CapInh', 'line'],
    ['no CapBnd: line', (t: string) => t.replace(/^CapBnd:.*\n/m, ''), 'CapBnd', 'missing'],
    ['three uids', (t: string) => t.replace(/^Uid:\t(\d+)\t(\d+)\t(\d+)\t(\d+)$/m, 'Uid:\t$1\t$2\t$3'), 'Uid', 'line'],
    ['a uid past 32 bits', (t: string) => t.replace(/^Uid:\t(\d+)/m, 'Uid:\t4294967296'), 'Uid', 'line'],
    ['a group that is not a number', (t: string) => t.replace(/^Groups:.*$/m, 'Groups:\t0 x1 '), 'Groups', 'line'],
    ['NoNewPrivs: 2', (t: string) => t.replace(/^NoNewPrivs:.*$/m, 'NoNewPrivs:\t2'), 'NoNewPrivs', 'line'],
    ["another task's Pid:", (t: string) => t.replace(/^Pid:\t\d+$/m, 'Pid:\t1'), 'Pid', 'line'],
    ['Threads: that is not a number', (t: string) => t.replace(/^Threads:.*$/m, 'Threads:\t-1'), 'Threads', 'line'],
  ])('refuses %s, naming the key', (_what, forge, key, where) => {
    const text = own();
    const [r] = parse([forge(text)], parseStatus(text).tid);
    expect(r).toMatchObject({ ok: false, err: -1004, key });
    if (where === 'missing') expect(r!.line).toBe(0);
    else expect(r!.line).toBeGreaterThan(0);
  });

  it('takes Threads: 0, which the kernel writes for a task that released its signal handlers, as a task that exited (ESRCH)', () => {
    const text = own();
    const [exited, live] = parse([text.replace(/^Threads:.*$/m, 'Threads:\t0'), text], parseStatus(text).tid);
    expect(exited).toMatchObject({ ok: true, err: -3 });
    expect(live).toMatchObject({ ok: true, err: 0 });
  });

  it('names every key the parser knows in STATUS_KEYS, in the order of native/tasks.h', () => {
    const header = readFileSync(new URL('../../native/tasks.h', import.meta.url), 'utf8');
    const keys = [...header.match(/kStatusKeys\[\] = \{([^}]*)\}/)![1]!.matchAll(/"(\w+)"/g)].map((m) => m[1]);
    expect(keys).toEqual([...STATUS_KEYS]);
  });
});

describe('the listing cross-check (issue 11, F1) and errors, with a stand-in addon', () => {
  /** An addon whose readTasks lists `tids` (each a live thread with empty sets) and reports these Threads: counts. */
  const standIn = (script: Array<{ tids: number[]; before: number; after: number; err?: number[]; status?: number }>) => {
    let call = 0;
    const a = {
      calls: () => call,
      readTasks(_mode: number, words: Int32Array, _masks: BigUint64Array, _groups: Uint32Array, counts: Float64Array): number {
        const step = script[Math.min(call++, script.length - 1)]!;
        if (step.status !== undefined) return step.status;
        step.tids.forEach((tid, k) => {
          words.fill(0, k * TASK.words, (k + 1) * TASK.words);
          words[k * TASK.words + TASK.tid] = tid;
          words[k * TASK.words + TASK.err] = step.err?.[k] ?? 0;
        });
        counts.set([step.tids.length, 0, step.before, step.after]);
        return 0;
      },
    };
    return a as unknown as NativeAddon & { calls(): number };
  };

  it('refuses a listing that contradicts a steady thread count five times in a row', () => {
    const a = standIn([{ tids: [1, 2, 3], before: 4, after: 4 }]);
    expect(() => selfThreadStates(a)).toThrow(expect.objectContaining({
      code: 'ERR_CAPS_NO_PROCFS', message: expect.stringMatching(/lists 3 task\(s\) but their status files count 4 threads/),
    }));
    expect(a.calls()).toBe(5);
  });

  it('lists again while the count moves, and takes the listing once it agrees', () => {
    const a = standIn([{ tids: [1, 2], before: 2, after: 3 }, { tids: [1, 2, 3], before: 3, after: 3 }]);
    expect(selfThreadStates(a).map((t) => t.tid)).toEqual([1, 2, 3]);
    expect(a.calls()).toBe(2);
  });

  it('skips a thread that exited while it was read (ENOENT, ESRCH) and refuses one it could not read', () => {
    expect(selfThreadStates(standIn([{ tids: [1, 2, 3], before: 3, after: 3, err: [0, -2, -3] }])).map((t) => t.tid)).toEqual([1]);
    expect(() => selfThreadStates(standIn([{ tids: [1, 2], before: 2, after: 2, err: [0, -13] }]))).toThrow(expect.objectContaining({
      code: 'ERR_CAPS_NO_PROCFS', tids: [2], message: expect.stringMatching(/thread\(s\) 2: cannot read \/proc\/self\/task\/2: EACCES/),
    }));
  });

  it('refuses a malformed status, naming the task, the line and the key', () => {
    const a = standIn([{ tids: [7], before: 1, after: 1, err: [-1004] }]);
    expect(() => selfThreadStates(a)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_NO_PROCFS', tids: [7], message: expect.stringMatching(/\/proc\/self\/task\/7\/status is not what the kernel writes: no Name: line/) }));
  });

  it('refuses a /proc/self/task that is not procfs (status -1003) or cannot be listed', () => {
    expect(() => ioUringTasks(standIn([{ tids: [], before: 0, after: 0, status: -1003 }]))).toThrow(expect.objectContaining({ code: 'ERR_CAPS_NO_PROCFS', message: expect.stringMatching(/not procfs/) }));
    expect(() => selfThreadStates(standIn([{ tids: [], before: 0, after: 0, status: -2 }]))).toThrow(expect.objectContaining({ code: 'ERR_CAPS_NO_PROCFS', message: expect.stringMatching(/cannot list \/proc\/self\/task: ENOENT/) }));
  });

  describe('the table answers from raw records only when they are equal (fail closed)', () => {
    interface Rec { tid: number; masks?: bigint[]; ids?: number[]; groups?: number[]; nnp?: boolean }
    /** An addon whose readTasks returns these status records. */
    const records = (recs: Rec[]) => ({
      readTasks(_mode: number, words: Int32Array, masks: BigUint64Array, groups: Uint32Array, counts: Float64Array): number {
        let g = 0;
        recs.forEach((r, k) => {
          const at = k * TASK.words;
          words.fill(0, at, at + TASK.words);
          words[at + TASK.tid] = r.tid;
          words[at + TASK.flags] = TASK_FLAG.hasAmbient | TASK_FLAG.hasNoNewPrivs | (r.nnp ? TASK_FLAG.noNewPrivs : 0);
          (r.ids ?? [0, 0, 0, 0, 0, 0, 0, 0]).forEach((id, x) => { words[at + TASK.uid + x] = id; });
          words[at + TASK.groupsAt] = g;
          words[at + TASK.groupsCount] = (r.groups ?? []).length;
          for (const id of r.groups ?? []) groups[g++] = id;
          (r.masks ?? [0n, 0x3n, 0x3n, 0xffn, 0n]).forEach((m, x) => { masks[k * TASK_MASKS + x] = m; });
        });
        counts.set([recs.length, g, recs.length, recs.length]);
        return 0;
      },
    }) as unknown as NativeAddon;
    const base: Rec = { tid: 1, masks: [0n, 0x3n, 0x3n, 0xffn, 0n], ids: [0, 0, 0, 0, 0, 0, 0, 0], groups: [0, 4] };
    const variants: Array<[string, Rec]> = [
      ['inheritable', { ...base, tid: 2, masks: [0x1n, 0x3n, 0x3n, 0xffn, 0n] }],
      ['permitted', { ...base, tid: 2, masks: [0n, 0x1n, 0x3n, 0xffn, 0n] }],
      ['effective (a bit above 32)', { ...base, tid: 2, masks: [0n, 0x3n, 0x3n | (1n << 40n), 0xffn, 0n] }],
      ['bounding', { ...base, tid: 2, masks: [0n, 0x3n, 0x3n, 0x7fn, 0n] }],
      ['ambient', { ...base, tid: 2, masks: [0n, 0x3n, 0x3n, 0xffn, 0x1n] }],
      ['no_new_privs', { ...base, tid: 2, nnp: true }],
      ['fsuid', { ...base, tid: 2, ids: [0, 0, 0, 1, 0, 0, 0, 0] }],
      ['saved gid', { ...base, tid: 2, ids: [0, 0, 0, 0, 0, 0, 5, 0] }],
      ['groups', { ...base, tid: 2, groups: [0, 5] }],
      ['one group fewer', { ...base, tid: 2, groups: [0] }],
    ];

    it('same(): true for equal records; false, with diff() naming it, for each attribute that differs', () => {
      const twin = readThreadTable(records([base, { ...base, tid: 2 }]), () => undefined);
      expect(twin.same(0, 1)).toBe(true);
      for (const [what, other] of variants) {
        const t = readThreadTable(records([base, other]), () => undefined);
        expect(t.same(0, 1), what).toBe(false);
        expect(diff(t.state(0), t.state(1)).length, what).toBeGreaterThan(0);
      }
      const sb = readThreadTable(records([base, { ...base, tid: 2 }]), (tid) => (tid === 1 ? 0 : 0x10));
      expect(sb.same(0, 1)).toBe(false);
      // One side's securebits unknown (no broadcast read them back): not compared, as diff() does.
      const unknown = readThreadTable(records([base, { ...base, tid: 2 }]), (tid) => (tid === 1 ? 0 : undefined));
      expect(unknown.same(0, 1)).toBe(true);
      expect(diff(unknown.state(0), unknown.state(1))).toEqual([]);
    });

    it('holds(): true only for the exact target; securebits compared where known', () => {
      const t = readThreadTable(records([base]), () => 0);
      const target = { inheritable: CapSet.EMPTY, permitted: CapSet.fromMask(3n), effective: CapSet.fromMask(3n), bounding: CapSet.fromMask(0xffn), ambient: CapSet.EMPTY, securebits: 0, noNewPrivs: false };
      expect(t.holds(0, target)).toBe(true);
      expect(t.holds(0, { ...target, effective: CapSet.fromMask(1n) })).toBe(false);
      expect(t.holds(0, { ...target, bounding: CapSet.fromMask(0x1ffn) })).toBe(false);
      expect(t.holds(0, { ...target, ambient: CapSet.fromMask(1n) })).toBe(false);
      expect(t.holds(0, { ...target, noNewPrivs: true })).toBe(false);
      expect(t.holds(0, { ...target, securebits: 0x10 })).toBe(false);
      expect(readThreadTable(records([base]), () => undefined).holds(0, { ...target, securebits: 0x10 })).toBe(true); // unknown: not compared
    });

    it('builds each state once, with the read\'s securebits and keepCaps', () => {
      const t = readThreadTable(records([base]), () => 0x10);
      expect(t.state(0)).toBe(t.state(0));
      expect(t.state(0)).toMatchObject({ tid: 1, securebits: 0x10, keepCaps: true, groups: [0, 4], uid: { real: 0, effective: 0, saved: 0, fs: 0 } });
    });
  });
});

