// kernel-semantics §2.4 (lines 116–135): set*id permission checks and the capability fixups.
import { describe, expect, it } from 'vitest';
import {
  setfsgid, setfsuid, setgid, setgroups, setregid, setresgid, setresuid, setreuid, setuid, FS_MASK,
} from '../../lib/internal.js';
import { CAP, VM, b, root, user } from './model-helpers.js';

const ids = (c: { uid: number; euid: number; suid: number; fsuid: number }) => [c.uid, c.euid, c.suid, c.fsuid];

describe('fixups after setuid/setreuid/setresuid (lines 122–128)', () => {
  it.each([
    // [name, start, call, expected ids, P, E, A]
    ['rule 1: root → 1000 everywhere clears P, E (and A)', root({ inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw) }), (c: ReturnType<typeof root>) => setuid(c, 1000), [1000, 1000, 1000, 1000], 0n, 0n, 0n],
    ['rule 1 with KEEP_CAPS: P kept, E cleared (rule 2), A still cleared', root({ securebits: 0x10, inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw) }), (c: ReturnType<typeof root>) => setresuid(c, 1000, 1000, 1000), [1000, 1000, 1000, 1000], VM, 0n, 0n],
    ['rule 2: euid 0 → 1000 with saved 0: E cleared, P kept', root(), (c: ReturnType<typeof root>) => setresuid(c, -1, 1000, -1), [0, 1000, 0, 1000], VM, 0n, 0n],
    ['rule 3: euid back to 0: E := P', root({ euid: 1000, effective: 0n }), (c: ReturnType<typeof root>) => setresuid(c, -1, 0, -1), [0, 0, 1000, 0], VM, VM, 0n],
    ['NO_SETUID_FIXUP: nothing changes in the sets', root({ securebits: 0x4 }), (c: ReturnType<typeof root>) => setuid(c, 1000), [1000, 1000, 1000, 1000], VM, VM, 0n],
    ['setreuid(1000, 1000) from root: suid follows euid', root(), (c: ReturnType<typeof root>) => setreuid(c, 1000, 1000), [1000, 1000, 1000, 1000], 0n, 0n, 0n],
    ['setreuid(-1, 1000): euid ≠ old uid → suid := euid', root(), (c: ReturnType<typeof root>) => setreuid(c, -1, 1000), [0, 1000, 1000, 1000], VM, 0n, 0n],
  ])('%s', (_n, start, call, expectedIds, p, e, a) => {
    const t = call(start);
    expect(t.errno).toBeUndefined();
    expect(ids(t.state)).toEqual(expectedIds);
    expect([t.state.permitted, t.state.effective, t.state.ambient]).toEqual([p, e, a]);
  });
});

describe('setresuid no-op early return (lines 118–120)', () => {
  it('all -1 or current: fsuid is not reset and no fixup runs', () => {
    const c = root({ fsuid: 5, effective: VM & ~FS_MASK });
    const t = setresuid(c, 0, -1, 0);
    expect(t.state).toBe(c);
    expect(t.rule).toContain('no-op');
  });
  it('but euid equal to euid and not to fsuid is no no-op (proved on 6.18: fsuid reset to euid)', () => {
    const c = root({ fsuid: 5, effective: VM & ~FS_MASK });
    const t = setresuid(c, -1, 0, -1);
    expect(t.state.fsuid).toBe(0);
    expect(t.state.effective).toBe(VM & ~FS_MASK); // set*uid's fsuid change does not run the FS rule (line 132)
  });
  it('setuid always sets fsuid := euid', () => {
    const c = root({ fsuid: 5 });
    expect(setuid(c, 0).state.fsuid).toBe(0);
  });
});

describe('permission checks (lines 133–135)', () => {
  const u = user(1000, { suid: 2000 });
  it.each([
    ['setuid to the saved uid without CAP_SETUID', () => setuid(u, 2000), undefined],
    ['setuid to another uid without CAP_SETUID → EPERM', () => setuid(u, 3000), -1],
    ['setuid(-1) → EINVAL (unmapped id)', () => setuid(u, -1), -22],
    ['setreuid ruid := saved is refused (ruid may only be uid or euid)', () => setreuid(u, 2000, -1), -1],
    ['setreuid euid := saved is fine', () => setreuid(u, -1, 2000), undefined],
    ['setresuid to a permutation is fine', () => setresuid(u, 2000, 1000, 1000), undefined],
    ['setresuid to a new id → EPERM', () => setresuid(u, -1, 3000, -1), -1],
    ['root with CAP_SETUID only in P (not E) → EPERM', () => setuid(root({ effective: 0n }), 5), -1],
    ['setgid to another gid without CAP_SETGID → EPERM', () => setgid(u, 5), -1],
    ['setregid(-1, 5) without CAP_SETGID → EPERM', () => setregid(u, -1, 5), -1],
    ['setresgid(5, -1, -1) without CAP_SETGID → EPERM', () => setresgid(u, 5, -1, -1), -1],
    ['setgroups without CAP_SETGID → EPERM', () => setgroups(u, [1]), -1],
    ['setgroups as root', () => setgroups(root(), [3, 1]), undefined],
  ])('%s', (_n, call, errno) => {
    expect(call().errno).toBe(errno);
  });
  it('setgid variants never touch capabilities', () => {
    const t = setresgid(root(), 5, 5, 5);
    expect([t.state.gid, t.state.egid, t.state.sgid, t.state.fsgid]).toEqual([5, 5, 5, 5]);
    expect(t.state.effective).toBe(VM);
  });
});

describe('setfsuid (lines 130–135)', () => {
  it('root → 1000: the FS caps leave E; returns the old fsuid', () => {
    const t = setfsuid(root(), 1000);
    expect(t.result).toBe(0);
    expect(t.state.fsuid).toBe(1000);
    expect(t.state.effective).toBe(VM & ~FS_MASK);
    expect(t.state.permitted).toBe(VM);
  });
  it('back to root: E gains P ∩ FS', () => {
    const c = root({ fsuid: 1000, effective: b(CAP.net_raw) });
    const t = setfsuid(c, 0);
    expect(t.state.effective).toBe(b(CAP.net_raw) | (VM & FS_MASK));
  });
  it('NO_SETUID_FIXUP: E untouched', () => {
    expect(setfsuid(root({ securebits: 0x4 }), 1000).state.effective).toBe(VM);
  });
  it('never fails: an unpermitted id is ignored, the old fsuid returned', () => {
    const u = user(1000);
    const t = setfsuid(u, 0);
    expect(t.errno).toBeUndefined();
    expect(t.result).toBe(1000);
    expect(t.state).toBe(u);
  });
  it('setfsuid(-1) reads the fsuid', () => {
    expect(setfsuid(user(1000), -1).result).toBe(1000);
  });
  it('setfsgid returns the old fsgid and changes no capability', () => {
    const t = setfsgid(root(), 7);
    expect(t.result).toBe(0);
    expect(t.state.fsgid).toBe(7);
    expect(t.state.effective).toBe(VM);
  });
});
