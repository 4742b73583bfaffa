/**
 * `thread`: the calling thread only, through the public API. Runs on the kernel and on the
 * model (LINUX_CAPS_BACKEND=model). Reads and input checks run here; every change runs in a
 * child (test/fixtures/native-steps.mjs), which uses the same backend as this suite.
 * The errno rules are kernel-semantics §2.3 (capset) and §2.5 (prctl).
 */
import { describe, expect, it } from 'vitest';
import {
  CapSet, thread,
} from '../../lib/index.js';
import { runSteps, type StepResult } from '../fixtures/native-spawn.js';
import { backendKind, isLinux, isRoot, missing } from '../helpers/env.js';

const skipChildren = backendKind === 'native' ? missing({ linux: isLinux, root: isRoot }) : undefined;

function failed(r: StepResult | undefined): NonNullable<StepResult['error']> {
  expect(r?.ok, JSON.stringify(r)).toBe(false);
  return r!.error!;
}

describe('thread: reading the calling thread', () => {
  it('01 get() returns a consistent snapshot (E ⊆ P, A ⊆ P ∩ I, keepCaps = bit 4 of securebits)', () => {
    const s = thread.get();
    expect(Number.isInteger(s.tid)).toBe(true);
    expect(s.effective.isSubsetOf(s.permitted)).toBe(true);
    expect(s.ambient.isSubsetOf(s.permitted.intersect(s.inheritable))).toBe(true);
    expect(typeof s.securebits).toBe('number');
    expect(s.keepCaps).toBe(((s.securebits ?? 0) & 0x10) !== 0);
    expect(typeof s.noNewPrivs).toBe('boolean');
    for (const key of ['real', 'effective', 'saved', 'fs'] as const) expect(Number.isInteger(s.uid[key])).toBe(true);
  });

  it('02 the per-attribute readers agree with get()', () => {
    const s = thread.get();
    expect(thread.bounding.get().equals(s.bounding)).toBe(true);
    expect(thread.ambient.get().equals(s.ambient)).toBe(true);
    expect(thread.securebits.get()).toBe(s.securebits);
    expect(thread.keepCaps.get()).toBe(s.keepCaps);
    expect(thread.noNewPrivs.get()).toBe(s.noNewPrivs);
  });

  it('03 the bounding set is drop-only by construction', () => {
    expect(Object.keys(thread.bounding).sort()).toEqual(['drop', 'get']);
  });

  it('04 bad input is refused before anything changes', () => {
    const before = thread.get();
    expect(() => thread.bounding.drop()).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => thread.bounding.drop('cap_bogus' as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_UNKNOWN_CAP' }));
    expect(() => thread.ambient.raise(64)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_UNKNOWN_CAP' }));
    expect(() => thread.securebits.set('bogus' as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => thread.securebits.set(-1)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => thread.securebits.set({ noroot: 1 as unknown as boolean })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => thread.keepCaps.set('yes' as unknown as boolean)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => thread.set({ effective: 'cap_chown' as never, permitted: [], inheritable: [] })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => thread.set({ permited: [] } as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    const after = thread.get();
    expect(after.permitted.equals(before.permitted) && after.bounding.equals(before.bounding) && after.securebits === before.securebits).toBe(true);
  });
});

describe.skipIf(skipChildren)('thread: changes and the kernel\'s refusals (in a child)', () => {
  it('05 set() is absolute like capset: omitted sets become empty, and the ambient set shrinks to P ∩ I', () => {
    const run = runSteps([
      { call: 'thread.set', args: [{ effective: ['cap_setpcap'], permitted: ['cap_setpcap', 'cap_net_raw', 'cap_chown'], inheritable: ['cap_net_raw', 'cap_chown'] }] },
      { call: 'thread.ambient.raise', args: ['cap_net_raw', 'cap_chown'] },
      { call: 'thread.set', args: [{ effective: [], permitted: ['cap_net_raw', 'cap_chown'], inheritable: ['cap_chown'] }] },
    ]);
    expect(run.results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(run.final.effective).toEqual([]);
    expect(run.final.permitted).toEqual(['cap_chown', 'cap_net_raw']);
    expect(run.final.inheritable).toEqual(['cap_chown']);
    expect(run.final.ambient).toEqual(['cap_chown']);
  });

  it('06 capset (c) P\' ⊄ P and (d) E\' ⊄ P\' give EPERM with the reason', () => {
    const run = runSteps([
      { call: 'thread.set', args: [{ effective: ['cap_chown'], permitted: ['cap_chown'], inheritable: [] }] },
      { call: 'thread.set', args: [{ effective: [], permitted: ['cap_chown', 'cap_kill'], inheritable: [] }] },
      { call: 'thread.set', args: [{ effective: ['cap_kill'], permitted: ['cap_chown'], inheritable: [] }] },
    ]);
    expect(run.results[0]!.ok).toBe(true);
    const c = failed(run.results[1]);
    expect(c).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'capset', op: 'capset' });
    expect(c.rule).toMatch(/^kernel-semantics §2\.3/);
    expect(c.reason).toBe("P' ⊄ P: cap_kill is not in the permitted set");
    const d = failed(run.results[2]);
    expect(d.code).toBe('EPERM');
    expect(d.reason).toBe("E' ⊄ P': cap_kill is not in the new permitted set");
    expect(run.final.permitted).toEqual(['cap_chown']);
  });

  it('07 capset (a) without cap_setpcap I\' ⊆ I ∪ P, and (b) I\' ⊆ I ∪ B even with cap_setpcap', () => {
    const run = runSteps([
      { call: 'thread.bounding.drop', args: ['cap_net_raw'] },
      // (b): cap_setpcap in E, but cap_net_raw is no longer in the bounding set.
      { call: 'thread.set', args: [{ effective: ['cap_setpcap'], permitted: ['cap_setpcap', 'cap_net_raw', 'cap_chown'], inheritable: ['cap_net_raw'] }] },
      // (b) passes for a cap still in B: I may exceed P with cap_setpcap.
      { call: 'thread.set', args: [{ effective: ['cap_setpcap'], permitted: ['cap_setpcap', 'cap_chown'], inheritable: ['cap_kill'] }] },
      { call: 'thread.set', args: [{ effective: [], permitted: ['cap_chown'], inheritable: ['cap_kill'] }] },
      // (a): cap_setpcap gone from E, and cap_sys_chroot is in neither I nor P.
      { call: 'thread.set', args: [{ effective: [], permitted: ['cap_chown'], inheritable: ['cap_kill', 'cap_sys_chroot'] }] },
    ]);
    expect(run.results.slice(0, 1).map((r) => r.ok)).toEqual([true]);
    expect(failed(run.results[1]).reason).toBe("I' ⊄ I ∪ B: cap_net_raw is not in the bounding set");
    expect(run.results[2]!.ok).toBe(true);
    expect(run.results[3]!.ok).toBe(true);
    const a = failed(run.results[4]);
    expect(a.code).toBe('EPERM');
    expect(a.reason).toBe("I' ⊄ I ∪ P without cap_setpcap in E: cap_sys_chroot is in neither I nor P");
    expect(run.final.inheritable).toEqual(['cap_kill']);
  });

  it('08 PR_CAPBSET_DROP: without cap_setpcap EPERM comes before an invalid cap\'s EINVAL', () => {
    const run = runSteps([
      { call: 'thread.bounding.drop', args: [63] },
      { call: 'thread.bounding.drop', args: ['cap_sys_admin'] },
      { call: 'thread.set', args: [{ effective: ['cap_chown'], permitted: ['cap_chown'], inheritable: [] }] },
      { call: 'thread.bounding.drop', args: [63] },
      { call: 'thread.bounding.drop', args: ['cap_sys_admin'] },
    ]);
    const invalid = failed(run.results[0]);
    expect(invalid).toMatchObject({ code: 'EINVAL', errno: -22, syscall: 'prctl', op: 'PR_CAPBSET_DROP', cap: '63' });
    expect(invalid.reason).toMatch(/^63 is not a valid capability \(last is \d+\)$/);
    expect(run.results[1]!.ok).toBe(true);
    expect(run.results[2]!.ok).toBe(true);
    expect(failed(run.results[3])).toMatchObject({ code: 'EPERM', op: 'PR_CAPBSET_DROP', cap: '63' });
    const noSetpcap = failed(run.results[4]);
    expect(noSetpcap).toMatchObject({ code: 'EPERM', cap: 'cap_sys_admin', reason: 'dropping cap_sys_admin from the bounding set needs cap_setpcap in E' });
    expect(noSetpcap.rule).toMatch(/^kernel-semantics §2\.5/);
    expect(noSetpcap.message).toBe(`EPERM: operation not permitted, prctl PR_CAPBSET_DROP cap_sys_admin (${noSetpcap.reason})`);
    expect(run.final.bounding).not.toContain('cap_sys_admin');
  });

  it('09 securebits: names and objects, unknown bits → EPERM, locked bits and lock bits cannot change', () => {
    const run = runSteps([
      { call: 'thread.securebits.set', args: [0x1000] },
      { call: 'thread.securebits.set', args: [['noroot', 'no_setuid_fixup_locked']] },
      { call: 'thread.securebits.get' },
      { call: 'thread.securebits.set', args: [{ noroot: true, no_setuid_fixup_locked: true, keep_caps: true }] },
      { call: 'thread.securebits.set', args: [{ noroot: true, no_setuid_fixup: true, no_setuid_fixup_locked: true }] },
      { call: 'thread.securebits.set', args: [{ noroot: true }] },
      { call: 'thread.securebits.get' },
    ]);
    const unknown = failed(run.results[0]);
    expect(unknown).toMatchObject({ code: 'EPERM', op: 'PR_SET_SECUREBITS' });
    expect(unknown.reason).toMatch(/^unknown securebits 0x1000/);
    expect(run.results[1]!.ok).toBe(true);
    expect(run.results[2]!.value).toBe(0x9);
    expect(run.results[3]!.ok).toBe(true);
    expect(failed(run.results[4]).reason).toMatch(/locked securebits would change \(0x4\)/);
    expect(failed(run.results[5]).reason).toBe('securebits locks cannot be cleared (0x8)');
    expect(run.results[6]!.value).toBe(0x19);
    expect(run.final.keepCaps).toBe(true);
  });

  it('10 keepCaps: set and cleared, then refused with EPERM once keep_caps_locked is set', () => {
    const run = runSteps([
      { call: 'thread.keepCaps.set', args: [true] },
      { call: 'thread.keepCaps.get' },
      { call: 'thread.securebits.set', args: [['keep_caps_locked']] },
      { call: 'thread.keepCaps.set', args: [true] },
    ]);
    expect(run.results[0]!.ok).toBe(true);
    expect(run.results[1]!.value).toBe(true);
    expect(run.results[2]!.ok).toBe(true);
    const locked = failed(run.results[3]);
    expect(locked).toMatchObject({ code: 'EPERM', op: 'PR_SET_KEEPCAPS', reason: 'SECBIT_KEEP_CAPS_LOCKED is set' });
    expect(run.final.keepCaps).toBe(false);
  });

  it('11 ambient raise needs the cap in P and I, and no SECBIT_NO_CAP_AMBIENT_RAISE', () => {
    const run = runSteps([
      { call: 'thread.ambient.raise', args: ['cap_net_raw'] },
      { call: 'thread.set', args: [{ effective: ['cap_setpcap'], permitted: ['cap_setpcap', 'cap_chown'], inheritable: ['cap_net_raw', 'cap_chown'] }] },
      { call: 'thread.ambient.raise', args: ['cap_net_raw'] },
      { call: 'thread.ambient.raise', args: ['cap_chown'] },
      { call: 'thread.securebits.set', args: ['no_cap_ambient_raise'] },
      { call: 'thread.ambient.lower', args: ['cap_chown'] },
      { call: 'thread.ambient.raise', args: ['cap_chown'] },
      { call: 'thread.ambient.raise', args: [63] },
    ]);
    expect(failed(run.results[0]).reason).toBe('ambient raise needs the cap in P and I: cap_net_raw is not in I');
    expect(failed(run.results[2])).toMatchObject({ code: 'EPERM', op: 'PR_CAP_AMBIENT_RAISE', cap: 'cap_net_raw', reason: 'ambient raise needs the cap in P and I: cap_net_raw is not in P' });
    expect(run.results[3]!.ok).toBe(true);
    expect(run.results[4]!.ok).toBe(true);
    expect(run.results[5]!.ok).toBe(true);
    expect(failed(run.results[6]).reason).toBe('ambient raise needs the cap in P and I: SECBIT_NO_CAP_AMBIENT_RAISE is set');
    expect(failed(run.results[7])).toMatchObject({ code: 'EINVAL', cap: '63' });
    expect(run.final.ambient).toEqual([]);
  });

  it('12 ambient clear empties the set; no_new_privs sets and stays set', () => {
    const run = runSteps([
      { call: 'thread.set', args: [{ effective: [], permitted: ['cap_net_raw', 'cap_chown'], inheritable: ['cap_net_raw', 'cap_chown'] }] },
      { call: 'thread.ambient.raise', args: ['cap_net_raw', 'cap_chown'] },
      { call: 'thread.ambient.get' },
      { call: 'thread.ambient.clear' },
      { call: 'thread.noNewPrivs.get' },
      { call: 'thread.noNewPrivs.set' },
      { call: 'thread.noNewPrivs.set' },
    ]);
    expect(run.results.map((r) => r.ok)).toEqual([true, true, true, true, true, true, true]);
    expect(run.results[2]!.value).toEqual(['cap_chown', 'cap_net_raw']);
    expect(run.results[4]!.value).toBe(false);
    expect(run.final.ambient).toEqual([]);
    expect(run.final.noNewPrivs).toBe(true);
  });

  it('13 securebits without cap_setpcap: EPERM, even for a no-op; only the exec bits may change (6.14+)', () => {
    const run = runSteps([
      { call: 'thread.set', args: [{ effective: ['cap_chown'], permitted: ['cap_chown'], inheritable: [] }] },
      { call: 'thread.securebits.set', args: [0] },
      { call: 'thread.securebits.set', args: ['noroot'] },
      { call: 'thread.securebits.set', args: [['exec_restrict_file']] },
      { call: 'thread.securebits.get' },
    ]);
    expect(run.results[0]!.ok).toBe(true);
    const noop = failed(run.results[1]);
    expect(noop).toMatchObject({ code: 'EPERM', op: 'PR_SET_SECUREBITS' });
    expect(noop.reason).toMatch(/needs cap_setpcap in E/);
    expect(failed(run.results[2]).code).toBe('EPERM');
    expect(run.results[3]!.ok).toBe(true);
    expect(run.results[4]!.value).toBe(0x100);
  });

  it('14 capset silently clears bits above CAP_LAST_CAP (kernel-semantics §2.3 step 2)', () => {
    const run = runSteps([
      { call: 'thread.set', args: [{ effective: ['cap_chown', 62], permitted: ['cap_chown', 'cap_kill', 62, 63], inheritable: [63] }] },
    ]);
    expect(run.results[0]!.ok).toBe(true);
    expect(run.final).toMatchObject({ effective: ['cap_chown'], permitted: ['cap_chown', 'cap_kill'], inheritable: [] });
  });

  it('15 thread.* acts on the calling thread only: the other threads keep their state', () => {
    const run = runSteps([{ call: 'thread.bounding.drop', args: ['cap_sys_admin'] }]);
    expect(run.results[0]!.ok).toBe(true);
    expect(run.final.bounding).not.toContain('cap_sys_admin');
    if ((run.verify.threads ?? 0) > 1) {
      expect(run.verify.uniform).toBe(false);
      expect(run.verify.divergent?.length).toBe((run.verify.threads ?? 0) - 1);
      // Names beside the hex masks (issue 23): the other threads still hold cap_sys_admin in B.
      expect(run.verify.firstDifferences).toContainEqual(expect.objectContaining({ field: 'bounding', missing: [], extra: ['cap_sys_admin'] }));
    }
  });
});

it('16 CapSet inputs: a CapSet, a bigint mask and names give the same capset step', () => {
  // Pure check of the public input forms (no kernel call): thread.set rejects nothing here.
  expect(CapSet.from(['cap_chown', 'cap_kill']).toMask()).toBe(CapSet.from(0b100001n).toMask());
});
