/**
 * The legacy kernel model (kernel-semantics §3): cap-bound read/write vectors (signed decimal;
 * the print checked against C's printf), capget/capset with the old CAP_SETPCAP, exec with
 * superuser emulation, set*uid fixups and keepcaps, and the version switch.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  legacyModel as L, CapsError, type LegacySystem, type LegacyTransition,
} from '../../lib/internal.js';
import { hasCommand, missing } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'linux-caps-legacy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ok<R>(t: LegacyTransition<R>): LegacyTransition<R> {
  if (t.errno !== undefined) throw new Error(`unexpected ${t.errno}: ${t.reason}`);
  return t;
}

/** A root shell (pid 3) under init on a fresh kernel. */
function withRootShell(options: L.LegacyBootOptions = {}): [LegacySystem, number] {
  const child = ok(L.forkTask(L.bootLegacy(options), 1, 'bash'));
  return [ok(L.execve(child.state, child.result!, {})).state, child.result!];
}

function task(sys: LegacySystem, pid: number): L.LegacyTask {
  return L.findTask(sys, pid)!;
}

describe('cap-bound: signed 32-bit decimal (kernel-semantics §3.2)', () => {
  it('formats the vectors of the spec', () => {
    expect(L.formatCapBound(L.NSP)).toBe('-257');
    expect(L.formatCapBound(L.ALL32)).toBe('-1');
    expect(L.formatCapBound(0x80n)).toBe('128');
    expect(L.formatCapBound(0n)).toBe('0');
    expect(L.formatCapBound(0x7fffffffn)).toBe('2147483647');
    expect(L.formatCapBound(0x80000000n)).toBe('-2147483648');
    expect(() => L.formatCapBound(1n << 32n)).toThrow(CapsError);
    expect(() => L.formatCapBound(-1n)).toThrow(CapsError);
  });

  it.skipIf(missing({ gcc: hasCommand('gcc') }))('prints what the kernel\'s %d of an int prints, on 200 values (oracle: gcc printf)', () => {
    writeFileSync(join(dir, 'd.c'), '#include <stdio.h>\n#include <stdlib.h>\nint main(int c, char **v) { for (int i = 1; i < c; i++) printf("%d\\n", (int)strtoul(v[i], 0, 16)); return 0; }\n');
    execFileSync('gcc', ['-o', join(dir, 'd'), join(dir, 'd.c')]);
    let seed = 7;
    const masks = Array.from({ length: 200 }, () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return BigInt(seed ^ (seed << 7) >>> 0) & 0xffffffffn; });
    masks.push(0n, 0xffffffffn, 0x80000000n, 0xfffffeffn, 0x80n);
    const out = execFileSync(join(dir, 'd'), masks.map((m) => m.toString(16)), { encoding: 'ascii' }).trim().split('\n');
    masks.forEach((m, i) => expect(L.formatCapBound(m)).toBe(out[i]));
  });

  it('parses writes like the kernel\'s integer sysctl handler', () => {
    const cases: [string, bigint | undefined][] = [
      ['-257', 0xfffffeffn], ['128\n', 0x80n], ['0x80', 0x80n], ['0200', 0x80n], ['  -1', 0xffffffffn],
      ['4294967295', 0xffffffffn], ['4294967296', 0n], ['-4294967295', 1n], ['128 5', 0x80n], ['\t7\n', 7n],
      ['abc', undefined], ['', undefined], ['  \n', undefined], ['-', undefined], ['12abc', undefined],
      ['0x', undefined], ['08', undefined], ['--1', undefined], ['+1', undefined], ['1,2', undefined],
      ['0x1234567890123456789ff', 0x12345678n], // only 20 characters are looked at
    ];
    for (const [text, want] of cases) expect(L.parseCapBoundWrite(text), JSON.stringify(text)).toBe(want);
  });

  it('a write reports the bytes it consumed: one number and the blanks after it', () => {
    const [sys, shell] = withRootShell();
    expect(ok(L.writeCapBound(sys, shell, '128\n')).result).toBe(4);
    const two = ok(L.writeCapBound(sys, shell, '128 5'));
    expect(two.result).toBe(4); // `echo` would now write "5" as a second value
    expect(two.state.capBound).toBe(0x80n);
    expect(ok(L.writeCapBound(sys, shell, '0x1234567890123456789ff')).result).toBe(20);
  });

  it('reads: euid 0 may open the 0600 file; others get EACCES even with cap_dac_override', () => {
    const [sys, shell] = withRootShell();
    expect(ok(L.readCapBound(sys, shell)).result).toEqual({ text: '-257', mask: L.NSP });
    let s = ok(L.setresuid(sys, shell, 1000, 1000, 0)).state; // saved uid 0: P kept
    s = ok(L.capset(s, shell, { effective: [1], permitted: task(s, shell).permitted, inheritable: [] })).state;
    const t = L.readCapBound(s, shell);
    expect(t.errno).toBe(-13);
    expect(t.reason).toMatch(/euid 0/);
  });

  it('reads need cap_sys_module up to 2.6.20 only', () => {
    for (const kernel of ['2.2', '2.4', '2.6.20', '2.6.22', '2.6.24'] as const) {
      const [sys, shell] = withRootShell({ kernel });
      const s = ok(L.capset(sys, shell, { effective: [], permitted: task(sys, shell).permitted, inheritable: [] })).state;
      const t = L.readCapBound(s, shell);
      if (kernel === '2.6.22' || kernel === '2.6.24') expect(t.result?.text, kernel).toBe('-257');
      else { expect(t.errno, kernel).toBe(-1); expect(t.reason).toMatch(/cap_sys_module/); }
    }
  });

  it('writes: init sets X freely (may raise), anyone else with cap_sys_module can only lower', () => {
    const [sys, shell] = withRootShell();
    const lowered = ok(L.writeCapBound(sys, shell, '0x80'));
    expect(lowered.state.capBound).toBe(0x80n);
    const notRaised = ok(L.writeCapBound(lowered.state, shell, '-1'));
    expect(notRaised.state.capBound).toBe(0x80n);
    expect(notRaised.reason).toMatch(/not the global init/);
    const raised = ok(L.writeCapBound(lowered.state, 1, '-1'));
    expect(raised.state.capBound).toBe(L.ALL32);
    expect(ok(L.readCapBound(raised.state, shell)).result!.text).toBe('-1');
  });

  it('writes: EPERM without cap_sys_module, EACCES for euid ≠ 0, EINVAL for junk (X unchanged)', () => {
    const [sys, shell] = withRootShell();
    const noModule = ok(L.capset(sys, shell, { effective: L.NSP & ~(1n << 16n), permitted: L.NSP, inheritable: [] })).state;
    const eperm = L.writeCapBound(noModule, shell, '0');
    expect(eperm.errno).toBe(-1);
    expect(eperm.state).toBe(noModule);
    const user = ok(L.setresuid(sys, shell, -1, 1000, -1)).state;
    expect(L.writeCapBound(user, shell, '0').errno).toBe(-13);
    const junk = L.writeCapBound(sys, shell, 'lots');
    expect(junk.errno).toBe(-22);
    expect(junk.state.capBound).toBe(L.NSP);
  });

  it('boots with X = NSP, or ALL32 on 2.6.24 with file capabilities', () => {
    expect(L.bootLegacy({ kernel: '2.4' }).capBound).toBe(L.NSP);
    expect(L.bootLegacy({ kernel: '2.6.24', fileCapabilities: true }).capBound).toBe(L.ALL32);
    expect(() => L.bootLegacy({ kernel: '2.4', fileCapabilities: true })).toThrow(CapsError);
    expect(() => L.bootLegacy({ kernel: '2.6.18' as L.LegacyKernel })).toThrow(/legacy kernel/);
    expect(() => L.bootLegacy({ kernel: '2.4', vserver: true })).toThrow(CapsError);
  });
});

describe('capget / capset with the legacy CAP_SETPCAP (kernel-semantics §3.4)', () => {
  it('capget: version 1 only, pid < 0 EINVAL, unknown pid ESRCH, raw sets otherwise', () => {
    const sys = L.bootLegacy();
    expect(ok(L.capget(sys, 1, { pid: 2 })).result).toEqual({ effective: L.NSP, permitted: L.ALL32, inheritable: 0n });
    expect(L.capget(sys, 1, { version: 0x20080522 }).errno).toBe(-22);
    expect(L.capget(sys, 1, { pid: -1 }).errno).toBe(-22);
    expect(L.capget(sys, 1, { pid: 99 }).errno).toBe(-3);
  });

  it('capset on itself: I\' ⊆ I ∪ P, P\' ⊆ P, E\' ⊆ P\'', () => {
    const [sys, shell] = withRootShell();
    expect(L.capset(sys, shell, { effective: [], permitted: L.NSP, inheritable: [8] }).reason).toMatch(/I' ⊄ T.I ∪ caller.P: cap_setpcap/);
    expect(L.capset(sys, shell, { effective: [], permitted: L.ALL32, inheritable: [] }).reason).toMatch(/P' ⊄ T.P ∪ caller.P: cap_setpcap/);
    expect(L.capset(sys, shell, { effective: [5], permitted: [7], inheritable: [] }).reason).toMatch(/E' ⊄ P': cap_kill/);
    const t = ok(L.capset(sys, shell, { effective: [7], permitted: [7, 18], inheritable: [1, 2] }));
    expect(task(t.state, shell)).toMatchObject({ effective: 0x80n, permitted: 0x40080n, inheritable: 6n });
    expect(L.capset(sys, shell, { version: 0x20071026, effective: [], permitted: [], inheritable: [] }).errno).toBe(-22);
    expect(() => L.capset(sys, shell, { effective: [32], permitted: [32], inheritable: [] })).toThrow(/capabilities 0..31 only/);
  });

  it('capset on another pid needs cap_setpcap, which only init holds by default', () => {
    const [sys, shell] = withRootShell();
    const t = L.capset(sys, shell, { pid: 2, effective: [], permitted: [], inheritable: [] });
    expect(t.errno).toBe(-1);
    expect(t.reason).toMatch(/cap_setpcap \(legacy meaning/);
    // init has SETPCAP in P (ALL32) but not in E (NSP): it must raise it first.
    expect(L.capset(sys, 1, { pid: shell, effective: [], permitted: [], inheritable: [] }).errno).toBe(-1);
    const init = ok(L.capset(sys, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: [] })).state;
    const given = ok(L.capset(init, 1, { pid: shell, effective: [8], permitted: [8], inheritable: [8] })).state;
    expect(task(given, shell)).toMatchObject({ effective: 0x100n, permitted: 0x100n, inheritable: 0x100n });
    expect(L.capset(init, 1, { pid: 77, effective: [], permitted: [], inheritable: [] }).errno).toBe(-3);
  });

  it('pid -1 sets everyone but the caller and init; -pgrp sets a process group; EPERM only if none passed', () => {
    let sys = ok(L.capset(L.bootLegacy(), 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: [] })).state;
    for (let i = 0; i < 3; i++) sys = ok(L.forkTask(sys, 1)).state; // pids 3, 4, 5
    sys = L.setProcessGroup(sys, 4, 40);
    sys = L.setProcessGroup(sys, 5, 40);
    const all = ok(L.capset(sys, 1, { pid: -1, effective: [], permitted: [0], inheritable: [0] }));
    expect(all.state.tasks.filter((t) => t.permitted === 1n).map((t) => t.pid)).toEqual([2, 3, 4, 5]);
    const group = ok(L.capset(sys, 1, { pid: -40, effective: [], permitted: [], inheritable: [] }));
    expect(group.state.tasks.filter((t) => t.permitted === 0n).map((t) => t.pid)).toEqual([4, 5]);
    expect(ok(L.capset(sys, 1, { pid: -99, effective: [], permitted: [], inheritable: [] })).result).toBe(0);
    // A caller whose P cannot cover the request: every target is skipped → EPERM.
    let weak = ok(L.capset(sys, 1, { effective: [8], permitted: [8], inheritable: [] })).state;
    weak = ok(L.capset(weak, 1, { pid: -40, effective: [], permitted: [], inheritable: [] })).state;
    const refused = L.capset(weak, 1, { pid: -40, effective: [], permitted: [0], inheritable: [] });
    expect(refused.errno).toBe(-1);
    expect(refused.steps?.length).toBe(2);
  });

  it('2.6.24 with file capabilities: capset on another pid is always EPERM; SETPCAP lifts the I check', () => {
    let sys = L.bootLegacy({ kernel: '2.6.24', fileCapabilities: true });
    sys = ok(L.capset(sys, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: [] })).state;
    expect(L.capset(sys, 1, { pid: 2, effective: [], permitted: [], inheritable: [] }).reason).toMatch(/always refused/);
    const child = ok(L.forkTask(sys, 1));
    const weak = ok(L.capset(child.state, child.result!, { effective: [8], permitted: [8], inheritable: [] })).state;
    expect(ok(L.capset(weak, child.result!, { effective: [8], permitted: [8], inheritable: [21] })).state.tasks.at(-1)!.inheritable).toBe(1n << 21n);
    const plain = L.bootLegacy({ kernel: '2.6.22' });
    const c2 = ok(L.forkTask(ok(L.capset(plain, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: [] })).state, 1));
    const w2 = ok(L.capset(c2.state, c2.result!, { effective: [8], permitted: [8], inheritable: [] })).state;
    expect(L.capset(w2, c2.result!, { effective: [8], permitted: [8], inheritable: [21] }).errno).toBe(-1);
  });
});

describe('execve: superuser emulation through X (kernel-semantics §3.5)', () => {
  const [sys, shell] = withRootShell();
  const user = (() => {
    const c = ok(L.forkTask(sys, shell));
    return { sys: ok(L.setuid(c.state, c.result!, 1000)).state, pid: c.result! };
  })();

  it('root: P\' = X ∪ I, E\' = P\'; a non-root exec ends with nothing', () => {
    expect(task(sys, shell)).toMatchObject({ effective: L.NSP, permitted: L.NSP, inheritable: 0n });
    const t = ok(L.execve(user.sys, user.pid, {}));
    expect(task(t.state, user.pid)).toMatchObject({ effective: 0n, permitted: 0n });
    expect(t.result!.atSecure).toBe(false);
  });

  it('a setuid-root binary run by a user: euid 0, P = X, AT_SECURE; not on a nosuid mount', () => {
    const t = ok(L.execve(user.sys, user.pid, { uid: 0, mode: 0o4755 }));
    expect(task(t.state, user.pid)).toMatchObject({ uid: 1000, euid: 0, suid: 0, fsuid: 0, effective: L.NSP, permitted: L.NSP });
    expect(t.result!.atSecure).toBe(true);
    const nosuid = ok(L.execve(user.sys, user.pid, { uid: 0, mode: 0o4755, nosuid: true }));
    expect(task(nosuid.state, user.pid)).toMatchObject({ euid: 1000, permitted: 0n });
  });

  it('uid 0 with euid ≠ 0: P\' = X ∪ I but E\' = {}', () => {
    const c = ok(L.forkTask(sys, shell));
    const s = ok(L.setresuid(c.state, c.result!, 0, 1000, 1000)).state;
    const t = ok(L.execve(s, c.result!, {}));
    expect(task(t.state, c.result!)).toMatchObject({ permitted: L.NSP, effective: 0n });
  });

  it('the global init keeps its capabilities across exec', () => {
    const s = ok(L.capset(sys, 1, { effective: [8], permitted: L.ALL32, inheritable: [] })).state;
    const t = ok(L.execve(s, 1, { name: 'init' }));
    expect(task(t.state, 1)).toMatchObject({ effective: 0x100n, permitted: L.ALL32 });
    expect(t.steps!.some((x) => /global init keeps/.test(x.reason))).toBe(true);
  });

  it('unsafe exec (ptraced by an unprivileged tracer): downgraded on 2.4+, EPERM on 2.2', () => {
    const t = ok(L.execve(user.sys, user.pid, { uid: 0, mode: 0o4755 }, { ptracedByUnprivileged: true }));
    expect(task(t.state, user.pid)).toMatchObject({ euid: 1000, permitted: 0n, effective: 0n });
    const [old, oldShell] = withRootShell({ kernel: '2.2' });
    const c = ok(L.forkTask(old, oldShell));
    const u = ok(L.setuid(c.state, c.result!, 1000)).state;
    const refused = L.execve(u, c.result!, { uid: 0, mode: 0o4755 }, { sharedState: true });
    expect(refused.errno).toBe(-1);
    expect(refused.reason).toMatch(/2\.2: unsafe exec changing ids/);
  });

  it('SECURE_NOROOT (compile-time) turns superuser emulation off', () => {
    const [s, sh] = withRootShell({ securebits: { noroot: true } });
    expect(task(s, sh)).toMatchObject({ effective: 0n, permitted: 0n });
  });

  it('2.6.24 file capabilities: P\' = (fP ∩ X) ∪ (fI ∩ I), E by the fE flag', () => {
    const [s, sh] = withRootShell({ kernel: '2.6.24', fileCapabilities: true });
    const c = ok(L.forkTask(s, sh));
    let u = ok(L.capset(c.state, c.result!, { effective: [7], permitted: L.ALL32 & ~0x100n, inheritable: [12] })).state;
    u = ok(L.setKeepCaps(u, c.result!, 1)).state;
    u = ok(L.setresuid(u, c.result!, 1000, 1000, 1000)).state;
    const t = ok(L.execve(u, c.result!, { fileCaps: { permitted: [13], inheritable: [12, 21], effective: true } }));
    expect(task(t.state, c.result!)).toMatchObject({ permitted: 0x3000n, effective: 0x3000n, inheritable: 0x1000n });
    expect(t.result!.atSecure).toBe(true);
    expect(() => L.execve(sys, shell, { fileCaps: { permitted: [13], inheritable: [], effective: true } })).toThrow(/file capabilities exist only/);
  });
});

describe('set*uid fixups and keepcaps (kernel-semantics §3.6)', () => {
  const [sys, shell] = withRootShell();

  it('leaving uid 0 entirely clears P and E unless keep is set; E always follows euid', () => {
    const all = ok(L.setresuid(sys, shell, 1000, 1000, 1000));
    expect(task(all.state, shell)).toMatchObject({ permitted: 0n, effective: 0n, fsuid: 1000 });
    const kept = ok(L.setresuid(ok(L.setKeepCaps(sys, shell, 1)).state, shell, 1000, 1000, 1000));
    expect(task(kept.state, shell)).toMatchObject({ permitted: L.NSP, effective: 0n });
  });

  it('setfsuid moves CHOWN…FSETID (0x1f) out of and back into E', () => {
    const away = ok(L.setfsuid(sys, shell, 1000));
    expect(away.result).toBe(0);
    expect(task(away.state, shell).effective).toBe(L.NSP & ~0x1fn);
    const back = ok(L.setfsuid(away.state, shell, 0));
    expect(task(back.state, shell).effective).toBe(L.NSP);
    const user = ok(L.setresuid(sys, shell, 1000, 1000, 1000)).state;
    const ignored = ok(L.setfsuid(user, shell, 0));
    expect(ignored.result).toBe(1000);
    expect(task(ignored.state, shell).fsuid).toBe(1000);
  });

  it('permissions: a non-root task may only switch among its r/e/s uids', () => {
    const user = ok(L.setresuid(sys, shell, 1000, 1000, 2000)).state;
    expect(L.setresuid(user, shell, 3000, -1, -1).errno).toBe(-1);
    expect(ok(L.setresuid(user, shell, 2000, 1000, -1)).state.tasks.find((t) => t.pid === shell)!.uid).toBe(2000);
    expect(L.setuid(user, shell, 3000).errno).toBe(-1);
    expect(task(ok(L.setuid(user, shell, 2000)).state, shell)).toMatchObject({ uid: 1000, euid: 2000, suid: 2000 });
    expect(task(ok(L.setreuid(sys, shell, 1000, 2000)).state, shell)).toMatchObject({ uid: 1000, euid: 2000, suid: 2000, permitted: 0n });
    expect(L.setreuid(user, shell, 5, -1).errno).toBe(-1);
    expect(L.setresgid(user, shell, 5, 5, 5).errno).toBe(-1);
    expect(() => L.setresuid(sys, shell, -2, 0, 0)).toThrow(CapsError);
  });

  it('NO_SETUID_FIXUP (compile-time) leaves the sets alone', () => {
    const [s, sh] = withRootShell({ securebits: { noSetuidFixup: true } });
    expect(task(ok(L.setresuid(s, sh, 1000, 1000, 1000)).state, sh)).toMatchObject({ permitted: L.NSP, effective: L.NSP });
  });

  it('PR_SET_KEEPCAPS accepts 0 and 1 only; exec clears it', () => {
    expect(L.setKeepCaps(sys, shell, 2).errno).toBe(-22);
    const on = ok(L.setKeepCaps(sys, shell, 1)).state;
    expect(L.getKeepCaps(on, shell).result).toBe(1);
    expect(L.getKeepCaps(ok(L.execve(on, shell, {})).state, shell).result).toBe(0);
  });

  it('capable() answers with the rule', () => {
    expect(L.capable(sys, shell, 'cap_chown')).toMatchObject({ ok: true, rule: 'kernel-semantics §3.3' });
    expect(L.capable(sys, shell, 'setpcap')).toMatchObject({ ok: false });
  });
});
