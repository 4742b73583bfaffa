// The dumpable flag in the model (kernel-semantics §2.9, lib/model/modern/dumpable.ts). What the
// kernel answers is checked in kernel-oracle.test.ts; these are the rules it cannot reach from
// this machine's settings (fs.suid_dumpable 2, namespaces other than the caller's).
import { describe, expect, it } from 'vitest';
import { PR_GET_DUMPABLE, applyStep, createKernel, explain, formatExplanation, unshareUserNs, type Cred, type ModelStep } from '../../lib/internal.js';
import { K, root } from './model-helpers.js';

const drop: ModelStep = { op: 'setresuid', ruid: 1000, euid: 1000, suid: 1000 };
const run = (kernel: typeof K, cred: Cred, steps: ModelStep[]): Cred => steps.reduce((c, s) => {
  const t = applyStep(kernel, c, s);
  expect(t.errno).toBeUndefined();
  return t.state;
}, cred);

describe('dumpable (kernel-semantics §2.9)', () => {
  it('a new credential starts dumpable (1), in its own namespace\'s memory', () => {
    const c = root();
    expect([c.dumpable, c.mmUserNs?.level]).toEqual([1, 0]);
    expect(applyStep(K, c, { op: 'prctl', option: PR_GET_DUMPABLE }).result).toBe(1);
  });

  it('fs.suid_dumpable is a kernel option: 2 leaves a dropped task at 2, and its /proc files still root\'s', () => {
    const k2 = createKernel({ suidDumpable: 2 });
    const c = run(k2, root(), [drop, { op: 'unshare-user' }]);
    expect(c.dumpable).toBe(2);
    expect(applyStep(k2, c, { op: 'write-uid-map', extents: [{ inside: 0, outside: 1000, count: 1 }] }).errno).toBe(-13);
    expect(() => createKernel({ suidDumpable: 3 as 2 })).toThrow(/suidDumpable/);
  });

  it('unshare keeps the flag (the new namespace is owned by the old euid); setns into one owned by another uid resets it', () => {
    expect(run(K, root(), [{ op: 'unshare-user' }]).dumpable).toBe(1);
    const foreign = unshareUserNs(K, root({ uid: 1000, gid: 1000 })).state.ns;
    const moved = applyStep(K, root(), { op: 'setns-user', ns: foreign });
    expect(moved.errno).toBeUndefined();
    expect(moved.state.dumpable).toBe(0);
  });

  it('an exec inside a namespace moves the memory there (its /proc files would then be that namespace\'s root\'s)', () => {
    const inside = run(K, root(), [
      { op: 'unshare-user' },
      { op: 'write-uid-map', extents: [{ inside: 0, outside: 0, count: 1 }] },
      { op: 'write-setgroups', value: 'deny' },
      { op: 'write-gid-map', extents: [{ inside: 0, outside: 0, count: 1 }] },
      { op: 'execve', file: { path: '/bin/true', uid: 0, gid: 0, mode: 0o755 } },
    ]);
    expect(inside.mmUserNs?.id).toBe(inside.ns.id);
  });

  it('only an unreadable binary raises the memory\'s namespace to where its owner is mapped (would_dump; the differential found this)', () => {
    const inside = run(K, root(), [{ op: 'unshare-user' }, { op: 'write-uid-map', extents: [{ inside: 0, outside: 0, count: 1 }] }]);
    const file = (mode: number) => ({ path: '/bin/x', uid: 0, gid: 0, mode });   // gid 0 is not mapped inside
    const readable = applyStep(K, inside, { op: 'execve', file: file(0o755) }).state;
    expect(readable.mmUserNs?.id).toBe(inside.ns.id);
    const user = run(K, inside, [{ op: 'capset', version: 0x20080522, pid: 0, effective: 0n, permitted: 0n, inheritable: 0n }]);
    const unreadable = applyStep(K, { ...user, fsuid: 77 }, { op: 'execve', file: file(0o711) }).state;
    expect(unreadable.mmUserNs?.level).toBe(0);
    expect(unreadable.dumpable).toBe(0);
  });

  it('explain() names the dumpable rule when it is why a map write is refused', () => {
    const e = explain(root(), [drop, { op: 'unshare-user' }, { op: 'write-uid-map', extents: [{ inside: 0, outside: 1000, count: 1 }] }]);
    const refused = e.steps[2]!;
    expect(refused.errno).toBe(-13);
    expect(refused.rule).toBe('kernel-semantics §2.9 (dumpable)');
    expect(refused.reason).toMatch(/not dumpable/);
    expect(formatExplanation(e)).toMatch(/commit_creds|task_dump_owner|dumpable/);
  });
});
