// kernel-semantics §2.6 (lines 164–201): execve with set-id bits, file capabilities, root emulation,
// the unsafe-exec downgrade, ambient, AT_SECURE, and the pre-2025 history switch.
import { describe, expect, it } from 'vitest';
import {
  execve, KERNEL_PRE_2025, unshareUserNs, writeIdMap, encodeFileCapsModel as encodeFileCaps, type ModelFileCaps as FileCaps, type ModelFile,
} from '../../lib/internal.js';
import { CAP, K, VM, b, root, user } from './model-helpers.js';

const plain: ModelFile = { path: '/bin/true', uid: 0, gid: 0, mode: 0o755 };
const suidRoot: ModelFile = { path: '/bin/su', uid: 0, gid: 0, mode: 0o4755 };
const withCaps = (caps: Partial<FileCaps>, extra: Partial<ModelFile> = {}): ModelFile => ({
  path: '/bin/ping', uid: 0, gid: 0, mode: 0o755,
  xattr: { version: 2, permitted: 0n, inheritable: 0n, effective: false, rootid: 0, ...caps },
  ...extra,
});

describe('root emulation (lines 180–183)', () => {
  it('root execs a plain file: P\' = B ∪ I, E\' = P\'', () => {
    const t = execve(K, root({ permitted: b(CAP.kill), effective: 0n, inheritable: b(CAP.sys_resource) }), plain);
    expect(t.state.permitted).toBe(VM | b(CAP.sys_resource));
    expect(t.state.effective).toBe(t.state.permitted);
    expect(t.result?.atSecure).toBe(false);
  });
  it('only the real uid is root: P\' = B ∪ I but E\' = {}', () => {
    const t = execve(K, root({ euid: 1000, effective: 0n }), plain);
    expect(t.state.permitted).toBe(VM);
    expect(t.state.effective).toBe(0n);
  });
  it('SECBIT_NOROOT: root gets nothing from a plain file', () => {
    const t = execve(K, root({ securebits: 0x1 }), plain);
    expect(t.state.permitted).toBe(0n);
  });
  it('setuid-root file with file caps run by a non-root user: root emulation skipped (line 181)', () => {
    const f = withCaps({ permitted: b(CAP.net_raw), effective: true }, { mode: 0o4755 });
    const t = execve(K, user(1000), f);
    expect(t.state.euid).toBe(0);
    expect(t.state.permitted).toBe(b(CAP.net_raw));
    expect(t.state.effective).toBe(b(CAP.net_raw));
  });
  it('setuid-root file run by a user: full P and E, AT_SECURE', () => {
    const t = execve(K, user(1000), suidRoot);
    expect([t.state.uid, t.state.euid, t.state.suid, t.state.fsuid]).toEqual([1000, 0, 0, 0]);
    expect(t.state.permitted).toBe(VM);
    expect(t.state.effective).toBe(VM);
    expect(t.result?.atSecure).toBe(true);
  });
});

describe('file capabilities (lines 173–179)', () => {
  it('P\' = (B ∩ fP) ∪ (I ∩ fI); E\' = P\' when fE', () => {
    const u = user(1000, { permitted: b(CAP.kill), inheritable: b(CAP.kill, CAP.chown) });
    const t = execve(K, u, withCaps({ permitted: b(CAP.net_raw, CAP.sys_resource), inheritable: b(CAP.kill), effective: false }));
    expect(t.state.permitted).toBe(b(CAP.net_raw, CAP.kill));
    expect(t.state.effective).toBe(0n);
    expect(t.result?.atSecure).toBe(true); // P' ⊄ A' for a non-root uid
  });
  it('partial caps: fE with fP ⊄ P\' fails with EPERM even for root (line 177)', () => {
    const t = execve(K, root(), withCaps({ permitted: b(CAP.sys_resource), effective: true }));
    expect(t.errno).toBe(-1);
    expect(t.reason).toContain('cap_sys_resource');
  });
  it('without fE the missing caps are just not granted', () => {
    const t = execve(K, user(1000), withCaps({ permitted: b(CAP.sys_resource, CAP.net_raw) }));
    expect(t.errno).toBeUndefined();
    expect(t.state.permitted).toBe(b(CAP.net_raw));
  });
  it('an xattr with all-zero sets still counts as file caps: ambient is cleared (line 176)', () => {
    const u = user(1000, { permitted: b(CAP.net_raw), inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw) });
    expect(execve(K, u, plain).state.ambient).toBe(b(CAP.net_raw));
    expect(execve(K, u, withCaps({})).state.ambient).toBe(0n);
  });
  it('nosuid mount: neither set-id bits nor file caps (line 170, 174)', () => {
    const t = execve(K, user(1000), withCaps({ permitted: b(CAP.net_raw), effective: true }, { mode: 0o4755, mount: { nosuid: true } }));
    expect(t.state.euid).toBe(1000);
    expect(t.state.permitted).toBe(0n);
  });
  it('no_file_caps boot option: file caps ignored', () => {
    expect(execve(K, user(1000), withCaps({ permitted: b(CAP.net_raw) }), { fileCapsEnabled: false }).state.permitted).toBe(0n);
  });
  it('a malformed xattr fails the exec with EINVAL (line 179)', () => {
    const t = execve(K, user(1000), { ...plain, xattr: new Uint8Array([0, 0, 0, 2, 1, 2]) });
    expect(t.errno).toBe(-22);
  });
  it('raw v1 bytes grant caps 0–31 only', () => {
    const bytes = encodeFileCaps({ version: 1, permitted: b(CAP.net_raw), inheritable: 0n, effective: true, rootid: 0 });
    expect(execve(K, user(1000), { ...plain, xattr: bytes }).state.effective).toBe(b(CAP.net_raw));
  });
});

describe('set-id bits (lines 169–172)', () => {
  it('setgid needs the group-exec bit', () => {
    expect(execve(K, user(1000), { ...plain, gid: 50, mode: 0o2755 }).state.egid).toBe(50);
    expect(execve(K, user(1000), { ...plain, gid: 50, mode: 0o2745 }).state.egid).toBe(1000);
  });
  it('no_new_privs with file caps: P\' limited to the old P (unsafe exec, line 186)', () => {
    const c = user(1000, { noNewPrivs: true, permitted: b(CAP.kill), effective: b(CAP.kill) });
    const t = execve(K, c, withCaps({ permitted: b(CAP.net_raw, CAP.kill) }));
    expect(t.state.permitted).toBe(b(CAP.kill));
    expect(t.result?.atSecure).toBe(true);
  });
  it('no_new_privs: set-id bits ignored, and root emulation cannot raise P', () => {
    const t = execve(K, user(1000, { noNewPrivs: true }), suidRoot);
    expect(t.state.euid).toBe(1000);
    expect(t.state.permitted).toBe(0n);
  });
});

describe('unsafe exec downgrade (lines 185–188)', () => {
  it('shared fs: a user execing setuid-root keeps its ids and old P', () => {
    const t = execve(K, user(1000), suidRoot, { sharedFs: true });
    expect(t.state.euid).toBe(1000);
    expect(t.state.permitted).toBe(0n);
  });
  it('traced by a tracer without CAP_SYS_PTRACE: same downgrade; a capable tracer does not downgrade', () => {
    expect(execve(K, user(1000), suidRoot, { traced: true }).state.euid).toBe(1000);
    expect(execve(K, user(1000), suidRoot, { traced: true, tracerCapable: true }).state.euid).toBe(0);
  });
  it('CAP_SETUID in E keeps the new ids but P is still limited to the old P', () => {
    const c = user(1000, { permitted: b(CAP.setuid), effective: b(CAP.setuid) });
    const t = execve(K, c, suidRoot, { sharedFs: true });
    expect(t.state.euid).toBe(0);
    expect(t.state.permitted).toBe(b(CAP.setuid));
  });
});

describe('ambient, securebits, AT_SECURE (lines 189–194)', () => {
  const amb = user(1000, { permitted: b(CAP.net_raw), inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw) });
  it('a plain exec keeps A, P\' = E\' = A, no AT_SECURE', () => {
    const t = execve(K, amb, plain);
    expect([t.state.permitted, t.state.effective, t.state.ambient]).toEqual([b(CAP.net_raw), b(CAP.net_raw), b(CAP.net_raw)]);
    expect(t.result?.atSecure).toBe(false);
  });
  it('a setuid exec clears A', () => {
    const t = execve(K, amb, { ...plain, uid: 2000, mode: 0o4755 });
    expect(t.state.ambient).toBe(0n);
    expect(t.state.euid).toBe(2000);
    expect(t.result?.atSecure).toBe(true);
  });
  it('KEEP_CAPS is cleared even when locked (line 160)', () => {
    expect(execve(K, root({ securebits: 0x30 | 0x4 }), plain).state.securebits).toBe(0x24);
  });
  it('I and B are kept; nnp is kept', () => {
    const c = user(1000, { inheritable: b(CAP.kill), bounding: b(CAP.kill), noNewPrivs: true });
    const t = execve(K, c, plain);
    expect([t.state.inheritable, t.state.bounding, t.state.noNewPrivs]).toEqual([b(CAP.kill), b(CAP.kill), true]);
  });
});

describe('history switch (lines 196–201)', () => {
  // uid 1000, euid 2000 with an ambient cap; execs a plain binary.
  const split = user(1000, { euid: 2000, suid: 2000, fsuid: 2000, permitted: b(CAP.net_raw), inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw) });
  it('6.18 keeps the ambient set (ids did not change at exec)', () => {
    const t = execve(K, split, plain);
    expect(t.state.ambient).toBe(b(CAP.net_raw));
    expect(t.result?.atSecure).toBe(true);
  });
  it('pre-2025 clears it (euid′ ≠ uid counted as set-id)', () => {
    const t = execve(KERNEL_PRE_2025, split, plain);
    expect(t.state.ambient).toBe(0n);
    expect(t.state.permitted).toBe(0n);
    expect(t.result?.atSecure).toBe(true);
  });
  it('6.18: egid in the supplementary groups is not an id change (in_group_p)', () => {
    const c = user(1000, { permitted: b(CAP.net_raw), inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw), groups: [50] });
    expect(execve(K, c, { ...plain, gid: 50, mode: 0o2755 }).state.ambient).toBe(b(CAP.net_raw));
    expect(execve(KERNEL_PRE_2025, c, { ...plain, gid: 50, mode: 0o2755 }).state.ambient).toBe(0n);
  });
});

describe('exec inside a user namespace (§2.8 lines 233–240) and v3 rootid ownership (§2.7)', () => {
  const inNs = () => {
    const u = unshareUserNs(K, user(1000)).state;
    return writeIdMap(u, u.ns, [{ inside: 0, outside: 1000, count: 1 }], 'uid').state;
  };
  it('a mapped root regains B ∪ I = FULL at exec', () => {
    const t = execve(K, inNs(), plain);
    expect(t.state.permitted).toBe((1n << 41n) - 1n);
  });
  it('unmapped ids lose everything at exec', () => {
    const u = unshareUserNs(K, user(1000)).state;
    expect(execve(K, u, plain).state.permitted).toBe(0n);
  });
  it('v3 file caps owned by the namespace root apply there and not on the host', () => {
    const f = withCaps({ version: 3, rootid: 1000, permitted: b(CAP.net_raw) });
    const host = user(1000, { uid: 1000 });
    expect(execve(K, host, f).state.permitted).toBe(0n);
    const u = inNs();
    const nonRoot = { ...u, uid: 5000, euid: 5000, suid: 5000, fsuid: 5000 }; // kernel ids
    expect(execve(K, nonRoot, f).result?.fileCaps?.rootid).toBe(1000);
  });
});

describe('exec permission (may_exec, found by the differential harness)', () => {
  it.each([
    ['owner class without x → EACCES even if others have x', user(1000), { uid: 1000, gid: 0, mode: 0o655 }, -13],
    ['group class decides when fsgid matches (02745, egid 0)', user(2000, { gid: 0 }), { uid: 0, gid: 0, mode: 0o2745 }, -13],
    ['supplementary group counts', user(2000, { groups: [50] }), { uid: 0, gid: 50, mode: 0o705 }, -13],
    ['other class with x', user(2000), { uid: 0, gid: 0, mode: 0o701 }, undefined],
    ['cap_dac_override grants exec when any x bit is set', root(), { uid: 1000, gid: 1000, mode: 0o100 }, undefined],
    ['…but not when no x bit is set', root(), { uid: 1000, gid: 1000, mode: 0o644 }, -13],
  ])('%s', (_n, cred, f, errno) => {
    expect(execve(K, cred, { path: '/f', ...f }).errno).toBe(errno);
  });
});
