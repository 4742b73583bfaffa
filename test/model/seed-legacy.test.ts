/**
 * The seed thread's worked examples on legacy kernels (kernel-semantics §5.1, S1–S13),
 * computed by the legacy model, printed through formatCaps as 2008's libcap-1 getpcaps did,
 * and compared with the seed's text (seed-vserver-capabilities-2008.txt).
 */
import { describe, expect, it } from 'vitest';
import {
  legacyModel as L, parseCaps, type LegacySystem,
} from '../../lib/internal.js';

const ROOT_PROGRAM = { name: 'program', uid: 0, gid: 0, mode: 0o755 };

function ok<R>(t: L.LegacyTransition<R>): L.LegacyTransition<R> {
  if (t.errno !== undefined) throw new Error(`unexpected ${t.errno}: ${t.reason}`);
  return t;
}

/** getpcaps' text for a task (capget: the raw sets). */
function caps(sys: LegacySystem, pid: number): string {
  return L.formatLegacyCaps(ok(L.capget(sys, pid, { pid })).result!);
}

/** A root login shell: init forks, the child execs a shell as root. */
function rootShell(sys: LegacySystem): [LegacySystem, number] {
  const child = ok(L.forkTask(sys, 1, 'bash'));
  return [ok(L.execve(child.state, child.result!, ROOT_PROGRAM)).state, child.result!];
}

/** A user process: the root shell forks, setuid(1000), exec. */
function userProcess(sys: LegacySystem, shell: number): [LegacySystem, number] {
  const child = ok(L.forkTask(sys, shell, 'user'));
  const dropped = ok(L.setuid(child.state, child.result!, 1000));
  return [ok(L.execve(dropped.state, child.result!, ROOT_PROGRAM)).state, child.result!];
}

/** `execcap TEXT getpcaps =` run by `shell`: exec execcap, capset(TEXT), exec getpcaps (prints itself). */
function execcap(sys: LegacySystem, shell: number, text: string): string {
  const child = ok(L.forkTask(sys, shell, 'execcap'));
  const pid = child.result!;
  let s = ok(L.execve(child.state, pid, ROOT_PROGRAM)).state;
  const want = parseCaps(text, { lastCap: 31 });
  s = ok(L.capset(s, pid, { effective: want.effective, permitted: want.permitted, inheritable: want.inheritable })).state;
  s = ok(L.execve(s, pid, { ...ROOT_PROGRAM, name: 'getpcaps' })).state;
  return L.getpcapsLine('=', ok(L.capget(s, pid)).result!);
}

/** The seed's "capabilities enabled kernel": init gives itself SETPCAP and a full I, lowers cap-bound to 128, fixes pid 2. */
function capKernel(): LegacySystem {
  let sys = L.bootLegacy({ kernel: '2.6.22' });
  sys = ok(L.capset(sys, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: L.NSP })).state;
  sys = ok(L.writeCapBound(sys, 1, '128\n')).state;
  sys = ok(L.capset(sys, 1, { pid: 2, effective: L.NSP, permitted: L.ALL32, inheritable: L.NSP })).state;
  return sys;
}

/** The seed's text and ours mean the same sets (libcap parses both to one triple). */
function sameSets(seed: string, ours: string): void {
  const a = parseCaps(seed, { lastCap: 31 });
  const b = parseCaps(ours, { lastCap: 31 });
  expect(b.effective.toMask()).toBe(a.effective.toMask());
  expect(b.permitted.toMask()).toBe(a.permitted.toMask());
  expect(b.inheritable.toMask()).toBe(a.inheritable.toMask());
}

describe('seed §5.1 on the "normal" kernel (X = NSP)', () => {
  const sys = L.bootLegacy({ kernel: '2.6.22' });
  const [withShell, shell] = rootShell(sys);

  it('S1: cat cap-bound prints -257, the seed\'s "-1 & ~CAP_SETPCAP"', () => {
    expect(ok(L.readCapBound(sys, 1)).result!.text).toBe('-257');
    expect(L.formatCapBound(-1n & ~(1n << 8n) & 0xffffffffn)).toBe('-257');
  });

  it('S2/S3: pid 1 and pid 2 print "=ep cap_setpcap-e"', () => {
    expect(caps(sys, 1)).toBe('=ep cap_setpcap-e');
    expect(caps(sys, 2)).toBe('=ep cap_setpcap-e');
  });

  it('S4: a root shell prints "=ep cap_setpcap-ep"', () => {
    expect(caps(withShell, shell)).toBe('=ep cap_setpcap-ep');
  });

  it('S5: a user process has nothing; the seed\'s "= cap_setpcap-I" is not libcap output (§5.3.4)', () => {
    const [s, user] = userProcess(withShell, shell);
    expect(caps(s, user)).toBe('=');
    expect(() => parseCaps('= cap_setpcap-I', { lastCap: 31 })).toThrow();
    // Read as the spec says: the set is empty, which libcap prints as '='.
    sameSets('=', caps(s, user));
  });

  it('S10: execcap \' = cap_setuid+eip \' getpcaps =', () => {
    const seed = 'Capabilities for `=\': =ep cap_setuid+i cap_setpcap-ep';
    expect(execcap(withShell, shell, ' = cap_setuid+eip ')).toBe(seed);
  });

  it('S11: execcap \' = cap_sys_chroot+eip \' getpcaps =', () => {
    const seed = 'Capabilities for `=\': =ep cap_sys_chroot+i cap_setpcap-ep';
    expect(execcap(withShell, shell, ' = cap_sys_chroot+eip ')).toBe(seed);
  });
});

describe('seed §5.1 on the cap-bound 128 kernel', () => {
  const sys = capKernel();
  const [withShell, shell] = rootShell(sys);

  it('S1 (cap kernel): cat cap-bound prints 128', () => {
    expect(ok(L.readCapBound(withShell, shell)).result!.text).toBe('128');
  });

  it('S6: pid 1 prints "=eip cap_setpcap-i" (the seed\'s "-I" is a typo: libcap rejects it)', () => {
    expect(caps(sys, 1)).toBe('=eip cap_setpcap-i');
    expect(() => parseCaps('=eip cap_setpcap-I', { lastCap: 31 })).toThrow();
    sameSets('=eip cap_setpcap-i', caps(sys, 1));
  });

  it('S7: pid 2, fixed by init through capset on another pid, prints "=eip cap_setpcap-ei"', () => {
    expect(caps(sys, 2)).toBe('=eip cap_setpcap-ei');
  });

  it('S7 also works with capset(pid -1) from init', () => {
    let s = L.bootLegacy({ kernel: '2.6.22' });
    s = ok(L.capset(s, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: L.NSP })).state;
    s = ok(L.capset(s, 1, { pid: -1, effective: L.NSP, permitted: L.ALL32, inheritable: L.NSP })).state;
    expect(caps(s, 2)).toBe('=eip cap_setpcap-ei');
    expect(caps(s, 1)).toBe('=eip cap_setpcap-i'); // -1 skips the caller and init
  });

  it('S8: a root shell prints "=eip cap_setpcap-eip"', () => {
    expect(caps(withShell, shell)).toBe('=eip cap_setpcap-eip');
  });

  it('S9: a user process prints "=i cap_setpcap-i"', () => {
    const [s, user] = userProcess(withShell, shell);
    expect(caps(s, user)).toBe('=i cap_setpcap-i');
  });

  it('S12: execcap \' = cap_setuid+eip \' getpcaps = prints "= cap_setuid+eip"', () => {
    expect(execcap(withShell, shell, ' = cap_setuid+eip ')).toBe('Capabilities for `=\': = cap_setuid+eip');
  });

  it('S13: execcap \' = cap_sys_chroot+eip \' getpcaps = prints "= cap_sys_chroot+eip cap_setuid+ep"', () => {
    expect(execcap(withShell, shell, ' = cap_sys_chroot+eip ')).toBe('Capabilities for `=\': = cap_sys_chroot+eip cap_setuid+ep');
  });

  it('S12/S13 in today\'s libcap form are what libcap 2.66 prints for the seed text', () => {
    const child = ok(L.forkTask(withShell, shell));
    let s = ok(L.execve(child.state, child.result!, ROOT_PROGRAM)).state;
    s = ok(L.capset(s, child.result!, { effective: [7], permitted: [7], inheritable: [18] })).state;
    s = ok(L.execve(s, child.result!, ROOT_PROGRAM)).state;
    expect(L.formatLegacyCaps(ok(L.capget(s, child.result!)).result!, { style: '2.41+' })).toBe('cap_sys_chroot=eip cap_setuid+ep');
  });
});
