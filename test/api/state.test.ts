/**
 * One state, round trips (issue 24 §1): a snapshot is acceptable input; the whole state is set
 * in one verified call; `diff` says what differs. Runs on the kernel and on the model
 * (LINUX_CAPS_BACKEND=model); every change runs in a child (test/fixtures/native-steps.mjs).
 */
import { describe, expect, it } from 'vitest';
import { CapSet, caps, diff, formatCaps, parseCaps, thread } from '../../lib/index.js';
import { runSteps, type StepResult } from '../fixtures/native-spawn.js';
import { backendKind, isLinux, isRoot, missing } from '../helpers/env.js';

const skipChildren = backendKind === 'native' ? missing({ linux: isLinux, root: isRoot }) : undefined;
const THROW = { onPartial: 'throw', deadlineMs: 20_000 };

function ok(r: StepResult | undefined): unknown {
  expect(r?.ok, JSON.stringify(r)).toBe(true);
  return r!.value;
}

function failed(r: StepResult | undefined): NonNullable<StepResult['error']> {
  expect(r?.ok, JSON.stringify(r)).toBe(false);
  return r!.error!;
}

describe('state as a value', () => {
  it('01 a CapSet survives structuredClone as { mask }, and every call that takes a set takes the clone', () => {
    const set = CapSet.of('cap_chown', 'cap_net_raw', 50, 63);
    const clone = structuredClone(set) as unknown as { mask: bigint };
    expect(clone).toEqual({ mask: set.toMask() });
    expect(CapSet.from(clone).equals(set)).toBe(true);
    expect(set.equals(clone)).toBe(true);
    expect(Object.isFrozen(set)).toBe(true);
    const snapshot = structuredClone(thread.get());
    expect(formatCaps(snapshot)).toBe(formatCaps(thread.get()));
    expect(parseCaps(formatCaps(snapshot)).permitted.equals(thread.get().permitted)).toBe(true);
  });

  it('02 diff() is empty for a state and its clone, and names each attribute that differs', () => {
    const me = thread.get();
    expect(diff(me, structuredClone(me))).toEqual([]);
    const kill = CapSet.of('cap_kill');
    const other = { ...me, effective: me.effective.equals(kill) ? CapSet.EMPTY : kill, ambient: me.ambient.equals(kill) ? CapSet.EMPTY : kill, noNewPrivs: !me.noNewPrivs, securebits: (me.securebits ?? 0) ^ 1 };
    const d = diff(me, other);
    const byField = Object.fromEntries(d.map((x) => [x.field, x]));
    expect(Object.keys(byField).sort()).toEqual(['ambient', 'effective', 'noNewPrivs', 'securebits']);
    expect(byField.ambient).toMatchObject({ missing: me.ambient.minus(other.ambient).names(), extra: other.ambient.minus(me.ambient).names() });
    expect(byField.noNewPrivs).toEqual({ field: 'noNewPrivs', expected: String(me.noNewPrivs), actual: String(!me.noNewPrivs) });
    // Attributes one side does not carry are not compared: /proc has no securebits.
    expect(diff({ effective: [], permitted: [], inheritable: [], securebits: 1 }, { effective: [], permitted: [], inheritable: [] })).toEqual([]);
    expect(() => diff(null as never, me)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
  });

  it('03 set() takes a snapshot, but refuses state keys on a plain object and says where they go', () => {
    expect(() => caps.set({ effective: [], permitted: [], inheritable: [], ambient: [] } as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/setState\(\) also takes ambient/) }));
    expect(() => caps.setState({ effective: [] } as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/permitted/) }));
    expect(() => thread.setState({ effective: [], permitted: [], inheritable: [], keepCaps: 'yes' } as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    const me = thread.get();
    expect(() => caps.setState({ ...me, bounding: me.bounding.union(CapSet.full(me.bounding.size ? Math.max(...me.bounding) : 0)).with(63) })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/bounding set only shrinks/) }));
    expect(() => caps.setState({ ...me, ambient: CapSet.of('cap_kill'), inheritable: [] })).toThrow(expect.objectContaining({ message: expect.stringMatching(/ambient set must lie in P ∩ I/) }));
    expect(diff(me, thread.get())).toEqual([]);
  });
});

describe.skipIf(skipChildren)('state round trips (in a child)', () => {
  it('04 caps.set(thread.get()), thread.set(…) and setState(…) of a snapshot or its clone change nothing', () => {
    const run = runSteps([
      { call: 'thread.get' },
      { call: 'caps.set', args: [{ $result: 0 }, THROW] },
      { call: 'thread.set', args: [{ $clone: 0 }] },
      { call: 'caps.setState', args: [{ $clone: 0 }, THROW] },
      { call: 'thread.setState', args: [{ $result: 0 }] },
      { call: 'caps.get' },
      { call: 'diff', args: [{ $result: 0 }, { $result: 5 }] },
    ]);
    for (const r of run.results.slice(0, 6)) ok(r);
    expect(run.results[6]!.value).toEqual([]);
    expect(run.verify).toMatchObject({ uniform: true, divergent: [] });
  });

  it('05 setState applies E/P/I, bounding, ambient, securebits and no_new_privs in one verified call', () => {
    const target = {
      effective: ['cap_net_raw'],
      permitted: ['cap_chown', 'cap_net_raw'],
      inheritable: ['cap_net_raw'],
      ambient: ['cap_net_raw'],
      securebits: 0x14, // keep_caps | no_cap_ambient_raise: set after the ambient raise, as the kernel requires
      noNewPrivs: true,
    };
    const before = ok(runSteps([{ call: 'thread.get' }]).results[0]) as { bounding: string[] };
    const bounding = before.bounding.filter((c) => c !== 'cap_sys_admin' && c !== 'cap_sys_module');
    const applied = runSteps([
      { call: 'caps.bounding.drop', args: ['cap_sys_module', THROW] },
      { call: 'caps.setState', args: [{ ...target, bounding }, THROW] },
      { call: 'caps.threads' },
      // A second call with the state it left is a no-op; one asking for a cap back is refused.
      { call: 'caps.setState', args: [{ ...target, bounding }, THROW] },
      { call: 'caps.setState', args: [{ ...target, bounding: [...bounding, 'cap_sys_admin'] }, THROW] },
    ]);
    ok(applied.results[0]);
    expect(ok(applied.results[1])).toMatchObject({ backend: applied.backend });
    expect(applied.final).toMatchObject({ ...target, keepCaps: true, bounding });
    expect(diff({ ...target, bounding } as never, applied.final as never)).toEqual([]);
    for (const t of ok(applied.results[2]) as Array<{ ambient: string[]; noNewPrivs: boolean; securebits?: number; effective: string[] }>) {
      expect(t).toMatchObject({ ambient: ['cap_net_raw'], noNewPrivs: true, securebits: 0x14, effective: ['cap_net_raw'] });
    }
    ok(applied.results[3]);
    expect(failed(applied.results[4]).message).toMatch(/bounding set only shrinks, and cap_sys_admin is not in it; nothing was changed/);
    expect(applied.verify).toMatchObject({ uniform: true, divergent: [] });
  });

  it("06 a refusal names the kernel's rule and leaves every thread as it was", () => {
    const run = runSteps([
      { call: 'caps.set', args: [{ effective: ['cap_chown'], permitted: ['cap_chown'], inheritable: [] }, THROW] },
      { call: 'thread.get' },
      // Without cap_setpcap the bounding drop is refused: the first step, so nothing changed.
      { call: 'caps.setState', args: [{ effective: [], permitted: [], inheritable: [], bounding: [] }, THROW] },
      { call: 'thread.get' },
      { call: 'diff', args: [{ $result: 1 }, { $result: 3 }] },
    ]);
    const refused = failed(run.results[2]);
    expect(refused).toMatchObject({ code: 'EPERM', syscall: 'prctl', op: 'PR_CAPBSET_DROP' });
    expect(refused.reason).toMatch(/cap_setpcap/);
    expect(run.results[4]!.value).toEqual([]);
    expect(run.verify.uniform).toBe(true);
  });

  it('07 IAB and libcap modes on every thread: iab.set, then setMode, then getMode reads the mode back', () => {
    const run = runSteps([
      { call: 'caps.iab.set', args: ['^cap_net_raw,!cap_sys_admin', THROW] },
      { call: 'caps.iab.get' },
      { call: 'caps.setMode', args: ['PURE1E_INIT', THROW] },
      { call: 'getMode' },
      { call: 'caps.setMode', args: ['HYBRID', THROW] }, // the bits are locked now: refused
      { call: 'thread.setMode', args: ['sometimes'] },
    ]);
    const iab = ok(run.results[1]) as { inheritable: string[]; ambient: string[]; notBounding: string[] };
    expect(iab.ambient).toEqual(['cap_net_raw']);
    expect(iab.inheritable).toEqual(['cap_net_raw']);
    expect(iab.notBounding).toContain('cap_sys_admin');
    ok(run.results[2]);
    expect(run.results[3]!.value).toBe('PURE1E_INIT');
    expect(failed(run.results[4])).toMatchObject({ code: 'EPERM', op: 'PR_SET_SECUREBITS' });
    expect(failed(run.results[5])).toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
    expect(run.final).toMatchObject({ effective: [], inheritable: [], ambient: [], securebits: 0xef });
    expect(run.verify.uniform).toBe(true);
  });

  it('08 set() requires all three sets; effective/permitted/inheritable raise and lower one set and keep the others', () => {
    const run = runSteps([
      { call: 'caps.set', args: [{ effective: [] }, THROW] }, // would have emptied P and I
      { call: 'caps.set', args: [{ effective: ['cap_chown', 'cap_kill'], permitted: ['cap_chown', 'cap_kill', 'cap_setpcap'], inheritable: ['cap_kill'] }, THROW] },
      { call: 'caps.effective.lower', args: ['cap_chown', THROW] },
      { call: 'caps.get' },
      { call: 'caps.effective.raise', args: ['cap_chown', 'cap_setpcap', THROW] },
      { call: 'caps.inheritable.raise', args: ['cap_chown', THROW] },
      { call: 'caps.permitted.lower', args: ['cap_kill', THROW] }, // from E too
      { call: 'caps.get' },
      { call: 'thread.effective.raise', args: ['cap_net_raw'] }, // not in P
      { call: 'caps.effective.raise', args: [THROW] },
    ]);
    expect(failed(run.results[0])).toMatchObject({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/permitted, inheritable missing.*absolute/) });
    for (const i of [1, 2, 4, 5, 6]) ok(run.results[i]);
    expect(run.results[3]!.value).toMatchObject({ effective: ['cap_kill'], permitted: ['cap_chown', 'cap_kill', 'cap_setpcap'], inheritable: ['cap_kill'] });
    expect(run.results[7]!.value).toMatchObject({ effective: ['cap_chown', 'cap_setpcap'], permitted: ['cap_chown', 'cap_setpcap'], inheritable: ['cap_chown', 'cap_kill'] });
    expect(failed(run.results[8])).toMatchObject({ code: 'EPERM', syscall: 'capset', reason: expect.stringMatching(/cap_net_raw/) });
    expect(failed(run.results[9])).toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
    expect(run.verify.uniform).toBe(true);
  });
});
