/**
 * `caps`: the whole process, through the public API. Runs on the kernel and on the model
 * (LINUX_CAPS_BACKEND=model). Reads and input checks run here (they change nothing); every
 * change runs in a child (test/fixtures/native-steps.mjs) on the same backend.
 */
import { describe, expect, it } from 'vitest';
import {
  caps, thread,
} from '../../lib/index.js';
import { runSteps, type StepResult } from '../fixtures/native-spawn.js';
import { backendKind, isLinux, isRoot, missing } from '../helpers/env.js';

const skipChildren = backendKind === 'native' ? missing({ linux: isLinux, root: isRoot }) : undefined;
const THROW = { onPartial: 'throw', deadlineMs: 20_000 };

function failed(r: StepResult | undefined): NonNullable<StepResult['error']> {
  expect(r?.ok, JSON.stringify(r)).toBe(false);
  return r!.error!;
}

function succeeded(r: StepResult | undefined): { threadCount: number; elapsedMs: number; backend: string } {
  expect(r?.ok, JSON.stringify(r)).toBe(true);
  return r!.value as { threadCount: number; elapsedMs: number; backend: string };
}

describe('caps: reading every thread', () => {
  it('01 get() is the state every thread shares (the caller\'s); threads() lists it among every thread', () => {
    const me = caps.get();
    const all = caps.threads();
    expect(all.length).toBeGreaterThanOrEqual(1);
    const mine = all.find((t) => t.tid === me.tid);
    expect(mine).toBeDefined();
    expect(mine!.effective.equals(me.effective)).toBe(true);
    expect(mine!.bounding.equals(me.bounding)).toBe(true);
    expect(mine!.securebits).toBe(me.securebits);
  });

  it('02 verify(): a process nobody changed is uniform', () => {
    const v = caps.verify();
    expect(v.uniform).toBe(true);
    expect(v.divergent).toEqual([]);
    expect(v.threads.length).toBe(caps.threads().length);
  });

  it('02b verify() keeps its shape with threads built on first read: keys, JSON, the same array, assignable', () => {
    const v = caps.verify();
    expect(Object.keys(v)).toEqual(['uniform', 'threads', 'divergent']);
    expect(v.threads).toBe(v.threads);
    expect(v.threads.map((t) => t.tid).sort()).toEqual(caps.threads().map((t) => t.tid).sort());
    const me = thread.get();
    expect(v.threads.find((t) => t.tid === me.tid)?.permitted.equals(me.permitted)).toBe(true);
    const json = JSON.parse(JSON.stringify(v)) as { threads: Array<{ tid: number }> };
    expect(json.threads.map((t) => t.tid)).toEqual(v.threads.map((t) => t.tid));
    expect({ ...v }.threads).toBe(v.threads);
    v.threads = [];
    expect(v.threads).toEqual([]);
  });

  it('03 bad input and bad options are refused before anything changes', () => {
    const before = thread.get();
    expect(() => caps.set(null as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => caps.bounding.drop()).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => caps.bounding.drop('cap_nope' as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_UNKNOWN_CAP' }));
    expect(() => caps.bounding.drop('cap_sys_admin', { deadlineMs: -1 })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => caps.bounding.drop('cap_sys_admin', { onPartial: 'ignore' as 'throw' })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => caps.apply([{ op: 'bounding.raise' } as never])).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => caps.apply([{ op: 'securebits.set', bits: 'bogus' as never }])).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => caps.keepCaps.set(1 as unknown as boolean)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    // Issue 23: a misspelled option is refused, naming the closest valid one (before any change).
    expect(() => caps.noNewPrivs.set({ onPartail: 'throw' } as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/unknown option "onPartail" \(did you mean "onPartial"\?\)/) }));
    expect(() => caps.set({ effective: [], permitted: [], inheritable: [] }, { deadline: 5 } as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/unknown option "deadline"/) }));
    const after = thread.get();
    expect(after.bounding.equals(before.bounding) && after.permitted.equals(before.permitted)).toBe(true);
    expect(caps.verify().uniform).toBe(true);
  });

  it('04 the bounding set is drop-only by construction', () => {
    expect(Object.keys(caps.bounding).sort()).toEqual(['drop', 'get']);
  });
});

describe.skipIf(skipChildren)('caps: changes on every thread (in a child)', () => {
  it('get() refuses to answer for a process whose threads differ: ERR_CAPS_NOT_UNIFORM with the tids; thread.get() is the caller', () => {
    const run = runSteps([
      { call: 'thread.effective.lower', args: ['cap_chown'] },
      { call: 'caps.get', args: [] },
      { call: 'thread.get', args: [] },
    ]);
    expect(run.results[0]?.ok, JSON.stringify(run.results[0])).toBe(true);
    const refused = failed(run.results[1]);
    expect(refused.code).toBe('ERR_CAPS_NOT_UNIFORM');
    expect(refused.message).toMatch(/thread\(s\) differ from the calling thread \d+ \(tid \d+: effective/);
    expect(refused.tids).toEqual(run.verify.divergent);
    expect(run.verify.uniform).toBe(false);
    expect(run.results[2]?.ok).toBe(true);
    expect(run.final.effective).not.toContain('cap_chown');
  });

  it('05 bounding.drop reaches every thread, verified', () => {
    const run = runSteps([{ call: 'caps.bounding.drop', args: ['cap_sys_admin', 'cap_mknod', THROW] }]);
    const r = succeeded(run.results[0]);
    expect(r.backend).toBe(run.backend);
    expect(r.threadCount).toBe(run.verify.threads);
    expect(run.final.bounding).not.toContain('cap_sys_admin');
    expect(run.final.bounding).not.toContain('cap_mknod');
    expect(run.verify).toMatchObject({ uniform: true, divergent: [] });
  });

  it('06 set() is absolute on every thread; a later refused set() changes nothing anywhere', () => {
    const run = runSteps([
      { call: 'caps.set', args: [{ effective: ['cap_chown'], permitted: ['cap_chown', 'cap_kill'], inheritable: [] }, THROW] },
      { call: 'caps.set', args: [{ effective: [], permitted: ['cap_chown', 'cap_net_raw'], inheritable: [] }, THROW] },
    ]);
    succeeded(run.results[0]);
    const refused = failed(run.results[1]);
    expect(refused).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'capset', reason: "P' ⊄ P: cap_net_raw is not in the permitted set" });
    expect(refused.rule).toMatch(/^kernel-semantics §2\.3/);
    expect(refused.tids).toBeUndefined();
    expect(run.final).toMatchObject({ effective: ['cap_chown'], permitted: ['cap_chown', 'cap_kill'], inheritable: [] });
    expect(run.verify.uniform).toBe(true);
  });

  it("07 a refusal on the caller throws the kernel's error, e.g. EPERM … prctl PR_CAPBSET_DROP cap_sys_admin", () => {
    const run = runSteps([
      { call: 'caps.set', args: [{ effective: ['cap_chown'], permitted: ['cap_chown', 'cap_setpcap'], inheritable: [] }, THROW] },
      { call: 'caps.bounding.drop', args: ['cap_sys_admin', THROW] },
      { call: 'caps.ambient.raise', args: ['cap_chown', THROW] },
    ]);
    succeeded(run.results[0]);
    const drop = failed(run.results[1]);
    expect(drop.message).toBe('EPERM: operation not permitted, prctl PR_CAPBSET_DROP cap_sys_admin (dropping cap_sys_admin from the bounding set needs cap_setpcap in E)');
    expect(drop).toMatchObject({ syscall: 'prctl', op: 'PR_CAPBSET_DROP', cap: 'cap_sys_admin' });
    expect(failed(run.results[2]).reason).toBe('ambient raise needs the cap in P and I: cap_chown is not in I');
    expect(run.final.bounding).toContain('cap_sys_admin');
    expect(run.verify.uniform).toBe(true);
  });

  it('08 apply(): one ordered program (sets, ambient, securebits, bounding, no_new_privs) in one call', () => {
    const run = runSteps([
      {
        call: 'caps.apply',
        args: [[
          { op: 'set', effective: ['cap_setpcap', 'cap_net_raw'], permitted: ['cap_setpcap', 'cap_net_raw'], inheritable: ['cap_net_raw'] },
          { op: 'ambient.raise', caps: ['cap_net_raw'] },
          { op: 'securebits.set', bits: { keep_caps: true, no_setuid_fixup: true } },
          { op: 'bounding.drop', caps: ['cap_sys_admin', 'cap_sys_module'] },
          { op: 'noNewPrivs.set' },
        ], THROW],
      },
      { call: 'caps.threads' },
    ]);
    succeeded(run.results[0]);
    expect(run.final).toMatchObject({ effective: ['cap_setpcap', 'cap_net_raw'], inheritable: ['cap_net_raw'], ambient: ['cap_net_raw'], securebits: 0x14, keepCaps: true, noNewPrivs: true });
    expect(run.final.bounding).not.toContain('cap_sys_module');
    const threads = run.results[1]!.value as Array<{ securebits?: number; ambient: string[]; noNewPrivs: boolean }>;
    for (const t of threads) {
      expect(t.ambient).toEqual(['cap_net_raw']);
      expect(t.noNewPrivs).toBe(true);
      expect(t.securebits).toBe(0x14); // read back by every thread's handler (not in /proc)
    }
    expect(run.verify.uniform).toBe(true);
  });

  it('09 securebits, keepCaps, ambient lower/clear and noNewPrivs, each on every thread', () => {
    const run = runSteps([
      { call: 'caps.set', args: [{ effective: ['cap_setpcap'], permitted: ['cap_setpcap', 'cap_net_raw', 'cap_chown'], inheritable: ['cap_net_raw', 'cap_chown'] }, THROW] },
      { call: 'caps.ambient.raise', args: ['cap_net_raw', 'cap_chown', THROW] },
      { call: 'caps.ambient.lower', args: ['cap_net_raw', THROW] },
      { call: 'caps.keepCaps.set', args: [true, THROW] },
      { call: 'caps.securebits.set', args: [['keep_caps', 'noroot'], THROW] },
      { call: 'caps.ambient.clear', args: [THROW] },
      { call: 'caps.noNewPrivs.set', args: [THROW] },
      { call: 'caps.securebits.set', args: [0x1000, THROW] },
    ]);
    for (const r of run.results.slice(0, 7)) succeeded(r);
    expect(failed(run.results[7])).toMatchObject({ code: 'EPERM', op: 'PR_SET_SECUREBITS' });
    expect(run.final).toMatchObject({ ambient: [], securebits: 0x11, keepCaps: true, noNewPrivs: true });
    expect(run.verify.uniform).toBe(true);
  });

  it('10 converge first: after thread.* changes on the calling thread, a whole-process call carries them to every thread', () => {
    const run = runSteps([
      { call: 'thread.keepCaps.set', args: [true] },
      { call: 'thread.bounding.drop', args: ['cap_sys_module'] },
      { call: 'caps.verify' },
      { call: 'caps.bounding.drop', args: ['cap_sys_rawio', THROW] },
    ]);
    for (const r of run.results.slice(0, 2)) expect(r.ok, JSON.stringify(r)).toBe(true);
    expect((run.results[2]!.value as { uniform: boolean }).uniform).toBe(false);
    succeeded(run.results[3]);
    expect(run.verify.uniform).toBe(true);
    expect(run.final).toMatchObject({ keepCaps: true });
    expect(run.final.bounding).not.toContain('cap_sys_module');
    expect(run.final.bounding).not.toContain('cap_sys_rawio');
  });
});
