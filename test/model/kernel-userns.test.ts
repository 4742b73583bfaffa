// kernel-semantics §2.2 (capable, lines 75–88) and §2.8 (user namespaces, lines 226–238).
import { describe, expect, it } from 'vitest';
import {
  INITIAL_USER_NS, applyStep, capable, createKernel, writeSetgroups, makeKuid, rootKuid, uidSeenFrom, unshareUserNs, writeIdMap, setgroups, execve,
} from '../../lib/internal.js';
import { CAP, FULL, K, VM, b, root, user } from './model-helpers.js';

describe('unshare(CLONE_NEWUSER) resets the credential (lines 233–238)', () => {
  const start = user(1000, { permitted: b(CAP.kill), effective: b(CAP.kill), inheritable: b(CAP.kill), ambient: b(CAP.kill), securebits: 0x2f, noNewPrivs: true });
  const t = unshareUserNs(K, start);
  it('P = E = B = FULL (even caps the parent\'s B lacked), I = A = {}, sb = 0, nnp kept', () => {
    expect(t.errno).toBeUndefined();
    expect([t.state.permitted, t.state.effective, t.state.bounding]).toEqual([FULL, FULL, FULL]);
    expect([t.state.inheritable, t.state.ambient, t.state.securebits, t.state.noNewPrivs]).toEqual([0n, 0n, 0, true]);
  });
  it('ids stay the same kernel ids, read as 65534 until mapped (lines 228–231)', () => {
    expect(t.state.uid).toBe(1000);
    expect(uidSeenFrom(t.state.ns, t.state.uid)).toBe(65534);
  });
  it('owner = creator\'s euid, level = parent + 1', () => {
    expect(t.state.ns.owner).toBe(1000);
    expect(t.state.ns.level).toBe(1);
    expect(t.state.ns.parent).toBe(INITIAL_USER_NS);
  });
  it('a multi-threaded caller gets EINVAL', () => {
    expect(unshareUserNs(K, start, { multithreaded: true }).errno).toBe(-22);
  });
  /** `levels` nested namespaces below `start`, each with uid 0 and gid 0 mapped to the parent's. */
  function nest(kernel: typeof K, levels: number) {
    let c = root();
    for (let i = 0; i < levels; i++) {
      const t = applyStep(kernel, c, { op: 'unshare-user' });
      expect(t.errno).toBeUndefined();
      c = applyStep(kernel, t.state, { op: 'write-uid-map', extents: [{ inside: 0, outside: 0, count: 1 }] }).state;
      c = applyStep(kernel, c, { op: 'write-setgroups', value: 'deny' }).state;
      c = applyStep(kernel, c, { op: 'write-gid-map', extents: [{ inside: 0, outside: 0, count: 1 }] }).state;
    }
    return c;
  }
  it('33 levels nest; the 34th unshare is ENOSPC (create_user_ns: parent level > 32; checked on 6.18)', () => {
    const c = nest(K, 33);
    expect(c.ns.level).toBe(33);
    const t = applyStep(K, c, { op: 'unshare-user' });
    expect(t.errno).toBe(-28);
    expect(t.reason).toMatch(/at most 33 levels/);
  });
  it('the depth is a kernel option (maxUserNamespaceLevel)', () => {
    const shallow = createKernel({ maxUserNamespaceLevel: 2 });
    expect(applyStep(shallow, nest(shallow, 2), { op: 'unshare-user' }).errno).toBe(-28);
    expect(() => createKernel({ maxUserNamespaceLevel: -1 })).toThrow(/maxUserNamespaceLevel/);
  });
});

describe('capable() across namespaces (lines 75–88)', () => {
  const child = unshareUserNs(K, root({ effective: 0n })).state;
  it('the owner of a child namespace is capable there even with E = {}', () => {
    expect(capable(root({ effective: 0n }), child.ns, CAP.sys_admin)).toBe(true);
  });
  it('another euid is not — unless it holds the cap in E in the parent (line 87)', () => {
    expect(capable(user(1000), child.ns, CAP.sys_admin)).toBe(false);
    expect(capable(user(1000, { permitted: VM, effective: VM }), child.ns, CAP.sys_admin)).toBe(true);
  });
  it('a task in the child has no capability in the parent', () => {
    expect(capable(child, INITIAL_USER_NS, CAP.sys_admin)).toBe(false);
    expect(capable(child, child.ns, CAP.sys_admin)).toBe(true);
  });
});

describe('id maps (kernel/user_namespace.c rules used by the differential harness)', () => {
  const fresh = (init = user(1000)) => unshareUserNs(K, init).state;
  it('self-map of the owner\'s euid; R(ns) becomes that kuid', () => {
    const c = fresh();
    const t = writeIdMap(c, c.ns, [{ inside: 0, outside: 1000, count: 1 }], 'uid');
    expect(t.errno).toBeUndefined();
    expect(rootKuid(t.state.ns)).toBe(1000);
    expect(uidSeenFrom(t.state.ns, 1000)).toBe(0);
    expect(makeKuid(t.state.ns, 0)).toBe(1000);
  });
  it('write-once, other ids need CAP_SETUID over the parent', () => {
    const c = fresh();
    const mapped = writeIdMap(c, c.ns, [{ inside: 0, outside: 1000, count: 1 }], 'uid').state;
    expect(writeIdMap(mapped, mapped.ns, [{ inside: 0, outside: 1000, count: 1 }], 'uid').errno).toBe(-1);
    expect(writeIdMap(c, c.ns, [{ inside: 0, outside: 2000, count: 1 }], 'uid').errno).toBe(-1);
  });
  it('mapping the parent\'s uid 0 needs CAP_SETFCAP at unshare (verify_root_map)', () => {
    const noFcap = fresh(root({ effective: VM & ~b(CAP.setfcap) }));
    expect(writeIdMap(noFcap, noFcap.ns, [{ inside: 0, outside: 0, count: 1 }], 'uid').errno).toBe(-1);
    expect(writeIdMap(noFcap, noFcap.ns, [{ inside: 5, outside: 0, count: 1 }], 'uid').errno).toBe(-1);
    const withFcap = fresh(root());
    expect(writeIdMap(withFcap, withFcap.ns, [{ inside: 0, outside: 0, count: 1 }], 'uid').errno).toBeUndefined();
  });
  it('an unprivileged gid map needs setgroups=deny; then setgroups is EPERM', () => {
    const c = fresh();
    expect(writeIdMap(c, c.ns, [{ inside: 0, outside: 1000, count: 1 }], 'gid').errno).toBe(-1);
    const denied = applyStep(K, c, { op: 'write-setgroups', value: 'deny' }).state;
    const t = applyStep(K, denied, { op: 'write-gid-map', extents: [{ inside: 0, outside: 1000, count: 1 }] });
    expect(t.errno).toBeUndefined();
    expect(t.state.ns.setgroupsDenied).toBe(true);
    expect(setgroups(t.state, []).errno).toBe(-1);
    expect(writeSetgroups(t.state, 'deny').errno).toBe(-1); // only before gid_map
  });
  it.each([
    // setgroups file rules, as the differential harness observed them on 6.18
    ['initial ns: deny → EPERM', () => root(), ['deny'], [-1]],
    ['initial ns: allow → OK', () => root(), ['allow'], [undefined]],
    ['child: deny, deny → OK, OK', () => fresh(), ['deny', 'deny'], [undefined, undefined]],
    ['child: allow after deny → EPERM', () => fresh(), ['deny', 'allow'], [undefined, -1]],
    ['child: allow, allow, deny → OK', () => fresh(), ['allow', 'allow', 'deny'], [undefined, undefined, undefined]],
    ['child without cap_sys_admin in E → EACCES', () => ({ ...fresh(), effective: 0n }), ['deny'], [-13]],
  ] as const)('%s', (_n, start, values, errnos) => {
    let c = start();
    values.forEach((v, i) => {
      const t = writeSetgroups(c, v);
      expect(t.errno).toBe(errnos[i]);
      c = t.state;
    });
  });
  it('setgroups in a child namespace without a gid map is EPERM, before any EINVAL for unmapped gids', () => {
    expect(setgroups(fresh(), [0]).errno).toBe(-1);
  });
  it('opening /proc/self/{uid_map,setgroups} is a DAC check by fsuid: EACCES before any EPERM (differential harness, seed 3)', () => {
    const fsuidMoved = root({ fsuid: 2000, effective: VM & ~b(CAP.dac_override) });
    expect(applyStep(K, fsuidMoved, { op: 'write-uid-map', extents: [{ inside: 0, outside: 0, count: 1 }] }).errno).toBe(-13);
    expect(applyStep(K, fsuidMoved, { op: 'write-setgroups', value: 'deny' }).errno).toBe(-13);
    expect(applyStep(K, root({ fsuid: 2000 }), { op: 'write-uid-map', extents: [{ inside: 0, outside: 0, count: 1 }] }).errno).toBe(-1);
  });
  it('a map write needs cap_sys_admin over the namespace', () => {
    const c = { ...fresh(), effective: 0n };
    expect(writeIdMap(c, c.ns, [{ inside: 0, outside: 1000, count: 1 }], 'uid').errno).toBe(-1);
  });
  it('exec in the namespace after a root self-map regains FULL; as non-root nothing', () => {
    const c = fresh();
    const mapped = writeIdMap(c, c.ns, [{ inside: 0, outside: 1000, count: 1 }], 'uid').state;
    expect(execve(K, mapped, { path: '/x', uid: 0, gid: 0, mode: 0o755 }).state.permitted).toBe(FULL);
    const asUser = writeIdMap(c, c.ns, [{ inside: 1, outside: 1000, count: 1 }], 'uid').state;
    expect(execve(K, asUser, { path: '/x', uid: 0, gid: 0, mode: 0o755 }).state.permitted).toBe(0n);
  });
});

describe('setns into a user namespace (§2.8 line 233, §2.2 line 87)', () => {
  const owned = unshareUserNs(K, root()).state.ns;
  it.each([
    ['the owner (euid 0) with E = {}', () => root({ effective: 0n }), undefined],
    ['euid 1000 with E = {}', () => root({ euid: 1000, effective: 0n }), -1],
    ['euid 1000 with cap_sys_admin in E', () => root({ euid: 1000 }), undefined],
  ])('%s', (_n, make, errno) => {
    const t = applyStep(K, make(), { op: 'setns-user', ns: owned });
    expect(t.errno).toBe(errno);
    if (errno === undefined) expect([t.state.permitted, t.state.bounding, t.state.ns.id]).toEqual([FULL, FULL, owned.id]);
  });
  it('re-entering the current namespace or a multi-threaded caller → EINVAL', () => {
    const inside = unshareUserNs(K, root()).state;
    expect(applyStep(K, inside, { op: 'setns-user', ns: inside.ns }).errno).toBe(-22);
    expect(applyStep(K, root(), { op: 'setns-user', ns: owned }, { multithreaded: true }).errno).toBe(-22);
  });
});
