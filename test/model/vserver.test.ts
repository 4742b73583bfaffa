/**
 * The VServer model (kernel-semantics §4): context creation and the cap_bset snapshot, both
 * masking policies, capable()/vx_capable() with bcaps and ccaps, exec in a guest, cap-bound
 * and /proc from a guest, and the sys_vserver commands with their permission pipeline.
 */
import { describe, expect, it } from 'vitest';
import {
  legacyModel as L, vserverModel as V, CapsError, type LegacySystem, type LegacyTransition, type VserverMaskPolicy,
} from '../../lib/internal.js';

const XID = 100;

function ok<R>(t: LegacyTransition<R>): LegacyTransition<R> {
  if (t.errno !== undefined) throw new Error(`unexpected ${t.errno}: ${t.reason}`);
  return t;
}

/** A VServer host with a root shell (E = P = NSP) and a helper that created context XID (still in SETUP). */
function setup(policy: VserverMaskPolicy = 'upstream'): { sys: LegacySystem; shell: number; helper: number } {
  let sys = L.bootLegacy({ kernel: '2.6.22', vserver: true, maskPolicy: policy });
  const c = ok(L.forkTask(sys, 1, 'bash'));
  sys = ok(L.execve(c.state, c.result!, {})).state;
  const h = ok(L.forkTask(sys, c.result!, 'vcontext'));
  sys = ok(V.createContext(h.state, h.result!, XID)).state;
  return { sys, shell: c.result!, helper: h.result! };
}

describe('contexts: creation, snapshot, masking (kernel-semantics §4.2)', () => {
  it('a new context has bcaps NSP, ccaps 0, flags SETUP|INIT|ADMIN and cap_bset = X at that instant', () => {
    const { sys } = setup();
    expect(V.findContext(sys, XID)).toEqual({ xid: XID, flags: V.VXF_INIT_SET, bcaps: L.NSP, ccaps: 0n, capBset: L.NSP });
  });

  it('cap_bset is a copy: lowering the host\'s cap-bound later does not reach the guest', () => {
    const { sys, shell } = setup();
    const lowered = ok(L.writeCapBound(sys, shell, '128')).state;
    expect(lowered.capBound).toBe(0x80n);
    expect(V.findContext(lowered, XID)!.capBset).toBe(L.NSP);
    const ran = ok(V.execInGuest(lowered, shell, XID, {}));
    expect(L.findTask(ran.state, ran.result!)!.permitted).toBe(L.NSP);
  });

  it('upstream masks E, P, I by cap_bset; the seed\'s patch by bcaps (low 32 bits)', () => {
    for (const policy of ['upstream', 'bcaps'] as const) {
      let { sys, shell } = setup(policy);
      sys = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: 0xffffffff000000ffn, bmask: (1n << 64n) - 1n })).state;
      sys = ok(L.writeCapBound(sys, 1, '-1')).state;
      const c = ok(L.forkTask(sys, shell));
      const moved = ok(V.migrateTask(c.state, c.result!, XID));
      expect(L.findTask(moved.state, c.result!)!.effective, policy).toBe(policy === 'upstream' ? L.NSP : 0xffn);
      expect(moved.steps![0]!.reason).toMatch(policy === 'upstream' ? /cap_bset 0xfffffeff/ : /bcaps 0xff \(seed patch\)/);
    }
  });

  it('refuses: a guest creating contexts, an existing xid, bad xids, a kernel without the patch', () => {
    const { sys, helper } = setup();
    expect(V.createContext(sys, helper, 7).errno).toBe(-1);
    expect(V.createContext(sys, 1, XID).errno).toBe(-17);
    expect(() => V.createContext(sys, 1, 1)).toThrow(CapsError);
    expect(() => V.createContext(L.bootLegacy(), 1, 5)).toThrow(/vserver: true/);
    expect(V.migrateTask(sys, 1, 555).errno).toBe(-3);
  });

  it('endSetup clears STATE_SETUP once and masks the caller again', () => {
    const { sys, helper } = setup();
    const ended = ok(V.endSetup(sys, helper));
    expect(V.findContext(ended.state, XID)!.flags & V.VXF_STATE_SETUP).toBe(0n);
    expect(V.endSetup(ended.state, helper).errno).toBe(-1);
    expect(V.endSetup(sys, 1).errno).toBe(-3);
  });
});

describe('capable and vx_capable inside a context (kernel-semantics §4.3)', () => {
  it('in STATE_SETUP the raw E decides; afterwards E ∩ bcaps', () => {
    let { sys, shell, helper } = setup();
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: 1n, bmask: (1n << 64n) - 1n })).state;
    expect(L.capable(sys, helper, 'cap_sys_admin')).toMatchObject({ ok: true, rule: 'kernel-semantics §4.3' });
    sys = ok(V.endSetup(sys, helper)).state;
    const answer = L.capable(sys, helper, 'cap_sys_admin');
    expect(answer.ok).toBe(false);
    expect(answer.reason).toMatch(/not in the bcaps of context 100/);
    expect(L.capable(sys, helper, 'cap_chown').ok).toBe(true);
  });

  it('vx_capable: raw E bit plus the context capability; capget raw, /proc masked', () => {
    let { sys, shell, helper } = setup();
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: 0x344c05ffn, bmask: (1n << 64n) - 1n })).state;
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_ccaps, XID, { ccaps: V.VXC.SET_UTSNAME, cmask: (1n << 64n) - 1n })).state;
    sys = ok(V.endSetup(sys, helper)).state;
    expect(V.vxCapable(sys, helper, 'cap_sys_admin', V.VXC.SET_UTSNAME).ok).toBe(true);
    expect(V.vxCapable(sys, helper, 'cap_sys_admin', V.VXC.SECURE_MOUNT).ok).toBe(false);
    expect(V.vxCapable(sys, shell, 'cap_sys_admin', V.VXC.SECURE_MOUNT).ok).toBe(true); // host: plain capable
    expect(ok(L.capget(sys, helper)).result!.effective).toBe(L.NSP);
    expect(V.procStatusCaps(sys, helper).CapEff).toBe((L.NSP & 0x344c05ffn).toString(16).padStart(16, '0'));
    expect(V.procStatusCaps(sys, shell).CapEff).toBe('00000000fffffeff');
    expect(() => V.vxCapable(sys, helper, 'cap_sys_admin', 0n)).toThrow(CapsError);
  });

  it('a guest can write cap-bound only with cap_sys_module in bcaps, and then lowers the global X, not its cap_bset', () => {
    let { sys, shell, helper } = setup();
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: L.NSP, bmask: (1n << 64n) - 1n })).state;
    sys = ok(V.endSetup(sys, helper)).state;
    const t = ok(L.writeCapBound(sys, helper, '0x80'));
    expect(t.rule).toBe('kernel-semantics §4.5');
    expect(t.state.capBound).toBe(0x80n);
    expect(V.findContext(t.state, XID)!.capBset).toBe(L.NSP);
  });

  it('capset(-1) from a guest reaches only its own context', () => {
    let { sys, shell, helper } = setup();
    sys = ok(L.capset(sys, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: [] })).state;
    sys = ok(L.capset(sys, 1, { pid: helper, effective: L.ALL32, permitted: L.ALL32, inheritable: [] })).state;
    const second = ok(L.forkTask(sys, helper));
    const t = ok(L.capset(second.state, helper, { pid: -1, effective: [], permitted: [], inheritable: [] }));
    expect(t.steps!.map((x) => x.reason)).toEqual([`pid ${second.result}: E, P, I := E', P', I'`]);
    expect(L.findTask(t.state, shell)!.permitted).toBe(L.NSP);
    expect(L.findTask(t.state, second.result!)!.permitted).toBe(0n);
    // Host pids are invisible from the guest [UNV]: ESRCH, as for a pid that does not exist.
    expect(L.capset(second.state, helper, { pid: shell, effective: [], permitted: [], inheritable: [] }).errno).toBe(-3);
    expect(L.capget(second.state, helper, { pid: shell }).errno).toBe(-3);
    expect(ok(L.capget(second.state, shell, { pid: helper })).result!.permitted).toBe(L.ALL32);
  });
});

describe('sys_vserver commands (kernel-semantics §4.6)', () => {
  const full = (1n << 64n) - 1n;

  it('command numbers follow VC_CMD(cat, id, version)', () => {
    expect(V.VCMD.get_bcaps).toBe(0x34090000);
    expect(V.VCMD.set_bcaps).toBe(0x340a0000);
    expect(V.VCMD.get_ccaps).toBe(0x34030001);
    expect(V.VCMD.set_ccaps).toBe(0x34040001);
    expect(V.VCMD.set_ccaps_v0).toBe(0x34040000);
    expect(V.vcCmd(52, 10, 0)).toBe(0x340a0000);
  });

  it('get and set: set_bcaps can raise, set_ccaps merges by mask, getters return full masks', () => {
    let { sys, shell } = setup();
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: 0n, bmask: full })).state;
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: 0x100n, bmask: 0x100n })).state;
    expect(ok(V.sysVserver(sys, shell, V.VCMD.get_bcaps, XID)).result).toEqual({ bcaps: 0x100n, bmask: full });
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_ccaps, XID, { ccaps: 0x101n, cmask: 0x1n })).state;
    expect(ok(V.sysVserver(sys, shell, V.VCMD.get_ccaps, XID)).result).toEqual({ ccaps: 0x1n, cmask: full });
  });

  it('v0 set_ccaps can only lower bcaps, and only exists where asked for', () => {
    const { sys, shell } = setup();
    expect(V.sysVserver(sys, shell, V.VCMD.set_ccaps_v0, XID, { bcaps: 0xffn, ccaps: 0n, cmask: 0n }).errno).toBe(-38);
    const t = ok(V.sysVserver(sys, shell, V.VCMD.set_ccaps_v0, XID, { bcaps: 0x1ffn, ccaps: 0n, cmask: 0n }, { v0SetCcaps: true }));
    expect(V.findContext(t.state, XID)!.bcaps).toBe(0xffn);
  });

  it('the permission pipeline: ENOSYS, EPERM, EPERM, EPERM, ESRCH, EACCES in that order', () => {
    const { sys, shell, helper } = setup();
    const noContext = ok(L.capset(sys, shell, { effective: L.NSP & ~(1n << 31n), permitted: L.NSP, inheritable: [] })).state;
    expect(V.sysVserver(noContext, shell, V.VCMD.set_bcaps, XID, { bcaps: 0n, bmask: 0n })).toMatchObject({ errno: -38 });
    expect(V.sysVserver(noContext, shell, V.VCMD.set_bcaps, XID, { bcaps: 0n, bmask: 0n }).reason).toMatch(/CAP_CONTEXT/);
    const noAdmin = ok(L.capset(sys, shell, { effective: L.NSP & ~(1n << 21n), permitted: L.NSP, inheritable: [] })).state;
    expect(V.sysVserver(noAdmin, shell, V.VCMD.get_bcaps, XID).errno).toBe(-1);
    const noResource = ok(L.capset(sys, shell, { effective: L.NSP & ~(1n << 24n), permitted: L.NSP, inheritable: [] })).state;
    expect(ok(V.sysVserver(noResource, shell, V.VCMD.get_bcaps, XID)).result).toBeDefined();
    expect(V.sysVserver(noResource, shell, V.VCMD.set_bcaps, XID, { bcaps: 0n, bmask: 0n }).reason).toMatch(/cap_sys_resource/);
    const ended = ok(V.endSetup(sys, helper)).state;
    const guest = V.sysVserver(ended, helper, V.VCMD.set_bcaps, XID, { bcaps: 0n, bmask: 0n });
    expect(guest.errno).toBe(-1);
    expect(guest.reason).toMatch(/no longer in STATE_SETUP/);
    expect(ok(V.sysVserver(sys, helper, V.VCMD.set_bcaps, XID, { bcaps: 0n, bmask: 0n })).errno).toBeUndefined(); // own setup
    for (const xid of [0, 1, 555]) expect(V.sysVserver(sys, shell, V.VCMD.get_bcaps, xid).errno).toBe(-3);
    const noAdminFlag = ok(V.sysVserver(sys, shell, V.VCMD.set_cflags, XID, { flagword: 0n, mask: V.VXF_STATE_ADMIN })).state;
    expect(V.sysVserver(noAdminFlag, shell, V.VCMD.set_bcaps, XID, { bcaps: 0n, bmask: 0n }).errno).toBe(-13);
    expect(V.sysVserver(sys, shell, 0x12345678, XID).errno).toBe(-38);
  });

  it('set_cflags: one-time flags cannot come back; ending the caller\'s own SETUP masks it', () => {
    let { sys, shell, helper } = setup('bcaps');
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: 0xffn, bmask: full })).state;
    const ended = ok(V.sysVserver(sys, helper, V.VCMD.set_cflags, XID, { flagword: 0n, mask: V.VXF_STATE_SETUP }));
    expect(L.findTask(ended.state, helper)!.effective).toBe(0xffn);
    expect(ended.steps![0]!.rule).toBe('kernel-semantics §4.2');
    const again = ok(V.sysVserver(ended.state, shell, V.VCMD.set_cflags, XID, { flagword: V.VXF_STATE_SETUP, mask: V.VXF_STATE_SETUP }));
    expect(V.findContext(again.state, XID)!.flags & V.VXF_STATE_SETUP).toBe(0n);
    expect(() => V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: -1n, bmask: 0n })).toThrow(CapsError);
  });

  it('util-vserver HEAD\'s secure bcaps hold bit 31, which is CAP_CONTEXT on 2.6.22: its guests pass the ENOSYS gate', () => {
    const head = V.guestCapabilities({}, { era: 'head' });
    expect((head.bcaps >> 31n) & 1n).toBe(1n);
    let { sys, shell, helper } = setup();
    sys = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: head.bcaps, bmask: head.bmask })).state;
    sys = ok(V.endSetup(sys, helper)).state;
    const t = V.sysVserver(sys, helper, V.VCMD.get_bcaps, XID);
    expect(t.errno).toBe(-1); // past CAP_CONTEXT, stopped by cap_sys_admin (not in bcaps)
    expect(t.reason).toMatch(/cap_sys_admin/);
    const seedEra = V.guestCapabilities({}, { era: '0.30.215' });
    let s2 = setup();
    s2.sys = ok(V.sysVserver(s2.sys, s2.shell, V.VCMD.set_bcaps, XID, { bcaps: seedEra.bcaps, bmask: seedEra.bmask })).state;
    s2.sys = ok(V.endSetup(s2.sys, s2.helper)).state;
    expect(V.sysVserver(s2.sys, s2.helper, V.VCMD.get_bcaps, XID).errno).toBe(-38);
  });

  it('a kernel without the patch answers ENOSYS', () => {
    expect(V.sysVserver(L.bootLegacy(), 1, V.VCMD.get_bcaps, 2).errno).toBe(-38);
  });
});
