/**
 * The seed thread's VServer examples (kernel-semantics §5.2: V1, V2, V1u, V2u, V3, V4) on the
 * VServer model, printed as getpcaps printed them, and compared with the seed's text.
 */
import { describe, expect, it } from 'vitest';
import {
  legacyModel as L, vserverModel as V, parseCaps, type LegacySystem, type LegacyTransition, type VserverMaskPolicy,
} from '../../lib/internal.js';

const XID = 42;
const BCAP_FILE = '!SYS_BOOT\n!AUDIT_WRITE\n';
const SEED_V1 = 'Capabilities for `=\': = cap_chown,cap_dac_override,cap_dac_read_search,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_net_bind_service,cap_sys_chroot,cap_sys_ptrace,cap_sys_tty_config,cap_lease+eip';
const SEED_V2 = 'Capabilities for `=\': = cap_chown,cap_dac_override,cap_dac_read_search,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_sys_chroot,cap_sys_ptrace,cap_sys_tty_config+eip';

function ok<R>(t: LegacyTransition<R>): LegacyTransition<R> {
  if (t.errno !== undefined) throw new Error(`unexpected ${t.errno}: ${t.reason}`);
  return t;
}

/** A VServer host; with `capBound128`, Joe's setup (init: SETPCAP + full I, cap-bound 128). Returns a root shell. */
function host(policy: VserverMaskPolicy, capBound128: boolean): [LegacySystem, number] {
  let sys = L.bootLegacy({ kernel: '2.6.22', vserver: true, maskPolicy: policy });
  if (capBound128) {
    sys = ok(L.capset(sys, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: L.NSP })).state;
    sys = ok(L.writeCapBound(sys, 1, '128')).state;
  }
  const child = ok(L.forkTask(sys, 1, 'bash'));
  return [ok(L.execve(child.state, child.result!, { name: 'bash' })).state, child.result!];
}

/** `vserver support exec getpcaps =` (optionally after `execcap TEXT`), printed like libcap-1. */
function getpcapsInGuest(sys: LegacySystem, shell: number, execcap?: string): { line: string; sys: LegacySystem; pid: number } {
  let s = sys;
  let from = shell;
  if (execcap !== undefined) {
    const child = ok(L.forkTask(s, shell, 'execcap'));
    from = child.result!;
    s = ok(L.execve(child.state, from, { name: 'execcap' })).state;
    const want = parseCaps(execcap, { lastCap: 31 });
    s = ok(L.capset(s, from, { effective: want.effective, permitted: want.permitted, inheritable: want.inheritable })).state;
    s = ok(L.execve(s, from, { name: 'vserver' })).state; // the vserver script, run as root on the host
  }
  const ran = ok(V.execInGuest(s, from, XID, { name: 'getpcaps' }));
  return { line: L.getpcapsLine('=', ok(L.capget(ran.state, ran.result!)).result!), sys: ran.state, pid: ran.result! };
}

describe('seed §5.2 with the seed\'s patch (policy \'bcaps\'), host cap-bound 128', () => {
  const [sys0, shell] = host('bcaps', true);
  const started = ok(V.startGuest(sys0, shell, XID, { files: { bcapabilities: BCAP_FILE }, era: '0.30.215' }));
  const sys = started.state;

  it('the guest\'s bcaps are 0x140c05ff and its cap_bset is the snapshot {cap_setuid}', () => {
    const v = V.findContext(sys, XID)!;
    expect(v.bcaps).toBe(0x140c05ffn);
    expect(v.capBset).toBe(0x80n);
    expect(v.ccaps).toBe(0x101n);
    expect(v.flags & V.VXF_STATE_SETUP).toBe(0n);
  });

  it('V1: vserver support exec getpcaps = prints the seed\'s 13 capabilities +eip', () => {
    expect(getpcapsInGuest(sys, shell).line).toBe(SEED_V1);
  });

  it('V2: after execcap \'=eip cap_lease,cap_net_bind_service,cap_setpcap-eip\' the guest is also bounded by I', () => {
    expect(getpcapsInGuest(sys, shell, '=eip cap_lease,cap_net_bind_service,cap_setpcap-eip').line).toBe(SEED_V2);
  });

  it('V3: the guest reads the global cap-bound, 128', () => {
    const { sys: s, pid } = getpcapsInGuest(sys, shell);
    const read = ok(L.readCapBound(s, pid));
    expect(read.result!.text).toBe('128');
    expect(read.rule).toBe('kernel-semantics §4.5');
  });

  it('a guest cannot write cap-bound: cap_sys_module is outside its bcaps (EPERM, §4.5)', () => {
    const { sys: s, pid } = getpcapsInGuest(sys, shell);
    const t = L.writeCapBound(s, pid, '0');
    expect(t.errno).toBe(-1);
    expect(t.reason).toMatch(/cap_sys_module/);
  });

  it('the seed\'s V1 rules out the older insecure-list form of vc_get_insecurebcaps (bits 30, 31 would show)', () => {
    // An insecure *list* (LINUX_IMMUTABLE, NET_*, IPC_*, SYS_MODULE, SYS_RAWIO, SYS_PACCT, SYS_ADMIN,
    // SYS_NICE, SYS_RESOURCE, SYS_TIME, MKNOD, QUOTACTL=29) is a positive int: its complement keeps
    // bits 30 and 31 (and 32–63) granted. With the seed's file that is 0xffffffffd40c05ff.
    let insecure = 0;
    for (const cap of [9, 11, 12, 13, 14, 15, 16, 17, 20, 21, 23, 24, 25, 27, 29]) insecure |= 1 << cap;
    const listForm = ~BigInt(insecure) & ((1n << 64n) - 1n) & ~(1n << 22n);
    expect(listForm).toBe(0xffffffffd40c05ffn);
    let s = ok(V.sysVserver(sys, shell, V.VCMD.set_bcaps, XID, { bcaps: listForm, bmask: (1n << 64n) - 1n })).state;
    const c = ok(L.forkTask(s, shell));
    s = ok(V.migrateTask(c.state, c.result!, XID)).state;
    s = ok(L.execve(s, c.result!, { name: 'getpcaps' })).state;
    const line = L.getpcapsLine('=', ok(L.capget(s, c.result!)).result!);
    expect(line).not.toBe(SEED_V1);
    expect(line).toContain('cap_audit_control');
  });

  it('§5.2 consequence: raw E lost SYS_ADMIN, so ccap set_utsname no longer lets guest root sethostname', () => {
    const { sys: s, pid } = getpcapsInGuest(sys, shell);
    const answer = V.vxCapable(s, pid, 'cap_sys_admin', V.VXC.SET_UTSNAME);
    expect(answer.ok).toBe(false);
    expect(answer.reason).toMatch(/raw E bit/);
  });
});

describe('seed §5.2 on the unpatched vs2.3.0.34 kernel (policy \'upstream\'), host cap-bound 128', () => {
  const [sys0, shell] = host('upstream', true);

  it('util-vserver cannot even start the guest: after the masking by cap_bset {cap_setuid} vattribute gets ENOSYS', () => {
    const t = V.startGuest(sys0, shell, XID, { files: { bcapabilities: BCAP_FILE } });
    expect(t.errno).toBe(-38);
    expect(t.reason).toMatch(/CAP_CONTEXT/);
    expect(t.state).toBe(sys0);
  });

  /** The same guest, configured from the host through sys_vserver (the host may set any STATE_ADMIN context). */
  function guestFromHost(): LegacySystem {
    const helper = ok(L.forkTask(sys0, shell, 'vcontext'));
    let s = ok(V.createContext(helper.state, helper.result!, XID)).state;
    const caps = V.guestCapabilities({ bcapabilities: BCAP_FILE });
    s = ok(V.sysVserver(s, shell, V.VCMD.set_bcaps, XID, { bcaps: caps.bcaps, bmask: caps.bmask })).state;
    s = ok(V.sysVserver(s, shell, V.VCMD.set_ccaps, XID, { ccaps: caps.ccaps, cmask: caps.cmask })).state;
    return ok(V.sysVserver(s, shell, V.VCMD.set_cflags, XID, { flagword: 0n, mask: V.VXF_STATE_SETUP })).state;
  }

  it('V1u: getpcaps shows "= cap_setuid+eip" — Joe\'s "not working"', () => {
    expect(getpcapsInGuest(guestFromHost(), shell).line).toBe('Capabilities for `=\': = cap_setuid+eip');
  });

  it('V2u: the same after execcap', () => {
    expect(getpcapsInGuest(guestFromHost(), shell, '=eip cap_lease,cap_net_bind_service,cap_setpcap-eip').line)
      .toBe('Capabilities for `=\': = cap_setuid+eip');
  });

  it('V1u: what the guest can use is {cap_setuid} ∩ bcaps = {cap_setuid}', () => {
    const { sys: s, pid } = getpcapsInGuest(guestFromHost(), shell);
    expect(L.capable(s, pid, 'cap_setuid').ok).toBe(true);
    expect(L.capable(s, pid, 'cap_chown').ok).toBe(false);
    expect(V.procStatusCaps(s, pid).CapEff).toBe('0000000000000080');
  });
});

describe('seed §5.2 V4: a normal host (X = NSP), unpatched, default bcaps', () => {
  const [sys0, shell] = host('upstream', false);
  const sys = ok(V.startGuest(sys0, shell, XID, { files: { bcapabilities: BCAP_FILE } })).state;

  it('getpcaps shows the raw sets "=ep cap_setpcap-ep" — the bug is invisible', () => {
    expect(getpcapsInGuest(sys, shell).line).toBe('Capabilities for `=\': =ep cap_setpcap-ep');
  });

  it('/proc status shows them masked by bcaps, and capable() applies bcaps', () => {
    const { sys: s, pid } = getpcapsInGuest(sys, shell);
    expect(V.procStatusCaps(s, pid)).toEqual({ CapInh: '0000000000000000', CapPrm: '00000000140c04ff', CapEff: '00000000140c04ff' });
    expect(L.capable(s, pid, 'cap_sys_admin').ok).toBe(false);
    expect(L.capable(s, pid, 'cap_chown').ok).toBe(true);
  });

  it('vx_capable: the raw SYS_ADMIN bit plus ccap set_utsname allow sethostname; set_rlimit is not granted', () => {
    const { sys: s, pid } = getpcapsInGuest(sys, shell);
    expect(V.vxCapable(s, pid, 'cap_sys_admin', V.VXC.SET_UTSNAME).ok).toBe(true);
    expect(V.vxCapable(s, pid, 'cap_sys_resource', V.VXC.SET_RLIMIT).ok).toBe(false);
  });

  it('2.6.25 and its VServer patch are refused with a pointer to why they are not modelled (issue 16)', () => {
    for (const options of [{ kernel: '2.6.25' }, { kernel: '2.6.25', vserver: true }]) {
      expect(() => L.bootLegacy(options as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/2\.6\.25.*not modelled: lib\/model\/README\.md/) }));
    }
  });
});
