/**
 * User namespaces in the model: id mapping, the capability check, and namespace creation
 * (kernel-semantics §2.2, §2.8).
 */
import type { Cred, IdMapExtent, KernelConfig, Transition, UserNamespace } from './types.js';
import { EINVAL, ENOSPC, EPERM, OVERFLOW_ID } from './types.js';

/** The largest valid id; (uid_t)-1 is never a valid kuid. */
const MAX_ID = 0xfffffffe;

/** The initial user namespace (level 0, maps every id to itself). */
export const INITIAL_USER_NS: UserNamespace = Object.freeze({
  id: 0,
  level: 0,
  parent: null,
  owner: 0,
  group: 0,
  uidMap: Object.freeze([]) as readonly IdMapExtent[],
  gidMap: Object.freeze([]) as readonly IdMapExtent[],
});

function mapDown(extents: readonly IdMapExtent[], id: number): number {
  for (const e of extents) if (id >= e.inside && id - e.inside < e.count) return e.outside + (id - e.inside);
  return -1;
}

function mapUp(extents: readonly IdMapExtent[], id: number): number {
  for (const e of extents) if (id >= e.outside && id - e.outside < e.count) return e.inside + (id - e.outside);
  return -1;
}

function makeKid(ns: UserNamespace, id: number, gid: boolean): number {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) return -1;
  let cur: UserNamespace | null = ns;
  let value = id;
  while (cur !== null && cur.parent !== null) {
    value = mapDown(gid ? cur.gidMap : cur.uidMap, value);
    if (value < 0) return -1;
    cur = cur.parent;
  }
  return value;
}

function fromKid(ns: UserNamespace, kid: number, gid: boolean): number {
  if (kid < 0) return -1;
  if (ns.parent === null) return kid;
  const above = fromKid(ns.parent, kid, gid);
  return above < 0 ? -1 : mapUp(gid ? ns.gidMap : ns.uidMap, above);
}

/** `make_kuid(ns, uid)`: the kernel id of `uid` as seen in `ns`, or -1 if unmapped. */
export function makeKuid(ns: UserNamespace, uid: number): number {
  return ns.parent === null ? (Number.isInteger(uid) && uid >= 0 && uid <= MAX_ID ? uid : -1) : makeKid(ns, uid, false);
}

/** `make_kgid(ns, gid)`, or -1 if unmapped. */
export function makeKgid(ns: UserNamespace, gid: number): number {
  return ns.parent === null ? (Number.isInteger(gid) && gid >= 0 && gid <= MAX_ID ? gid : -1) : makeKid(ns, gid, true);
}

/** `from_kuid(ns, kuid)`: how `ns` sees a kernel uid, or -1 if it has no mapping there. */
export function fromKuid(ns: UserNamespace, kuid: number): number {
  return fromKid(ns, kuid, false);
}

/** `from_kgid(ns, kgid)`, or -1. */
export function fromKgid(ns: UserNamespace, kgid: number): number {
  return fromKid(ns, kgid, true);
}

/** Whether a kernel uid and gid both have a mapping in `ns` (`privileged_wrt_inode_uidgid`'s test). */
export function idsMappedIn(ns: UserNamespace, kuid: number, kgid: number): boolean {
  return fromKuid(ns, kuid) >= 0 && fromKgid(ns, kgid) >= 0;
}

/**
 * The rwx bits of `mode` that apply to `cred` (generic_permission): the owner's when fsuid owns
 * the file, else the group's when fsgid or a supplementary group matches, else other's.
 */
export function modeBitsFor(cred: Cred, owner: { uid: number; gid: number; mode: number }): number {
  const { mode } = owner;
  if (cred.fsuid === owner.uid) return (mode >> 6) & 7;
  return cred.fsgid === owner.gid || cred.groups.includes(owner.gid) ? (mode >> 3) & 7 : mode & 7;
}

/** `from_kuid_munged`: unmapped ids read as the overflow id 65534 (kernel-semantics §2.8). */
export function uidSeenFrom(ns: UserNamespace, kuid: number): number {
  const v = fromKuid(ns, kuid);
  return v < 0 ? OVERFLOW_ID : v;
}

/** `from_kgid_munged`. */
export function gidSeenFrom(ns: UserNamespace, kgid: number): number {
  const v = fromKgid(ns, kgid);
  return v < 0 ? OVERFLOW_ID : v;
}

/** R(ns): the kuid that is uid 0 in `ns` (-1 if 0 is unmapped) — "root" in kernel-semantics §2.1. */
export function rootKuid(ns: UserNamespace): number {
  return ns.parent === null ? 0 : makeKid(ns, 0, false);
}

/** Whether `ancestor` is `ns` itself or one of its ancestors (`current_in_userns`). */
export function isSameOrAncestor(ancestor: UserNamespace, ns: UserNamespace): boolean {
  for (let cur: UserNamespace | null = ns; cur !== null; cur = cur.parent) if (cur.id === ancestor.id) return true;
  return false;
}

/**
 * `ns_capable(targetNs, cap)` for a credential (kernel-semantics §2.2): the cap in E in the
 * cred's own namespace, or ownership of a child namespace on the way up from `targetNs`.
 */
export function capable(cred: Cred, targetNs: UserNamespace, cap: number): boolean {
  for (let ns: UserNamespace | null = targetNs; ns !== null; ns = ns.parent) {
    if (ns.id === cred.ns.id) return ((cred.effective >> BigInt(cap)) & 1n) === 1n;
    if (ns.level <= cred.ns.level) return false;
    if (ns.parent !== null && ns.parent.id === cred.ns.id && ns.owner === cred.euid) return true;
  }
  return false;
}

/** Source of namespace ids for one model run (kept outside the pure functions' inputs). */
let nextNamespaceId = 1;

/**
 * `unshare(CLONE_NEWUSER)` by a single-threaded task (kernel-semantics §2.8): the cred moves
 * to a new child namespace with `P = E = B = FULL`, `I = A = {}`, `sb = 0`; ids stay the
 * same kernel ids (they read as 65534 until a map is written); nnp is kept.
 * A multi-threaded caller gets EINVAL (unshare of CLONE_NEWUSER implies CLONE_THREAD).
 */
export function unshareUserNs(
  kernel: KernelConfig,
  cred: Cred,
  options: { multithreaded?: boolean; namespaceId?: number } = {},
): Transition<Cred> {
  const rule = 'kernel-semantics §2.8';
  if (options.multithreaded) {
    return { state: cred, errno: -EINVAL, rule, reason: 'unshare(CLONE_NEWUSER) needs a single-threaded process' };
  }
  // create_user_ns: a parent above level 32 is refused with ENOSPC, not the count limit of
  // user.max_user_namespaces (checked on 6.18: 33 nested `unshare -r` pass, the 34th fails).
  const maxLevel = kernel.maxUserNamespaceLevel;
  if (cred.ns.level + 1 > maxLevel) {
    return { state: cred, errno: -ENOSPC, rule, reason: `user namespaces nest at most ${maxLevel} levels below the initial one` };
  }
  if (fromKuid(cred.ns, cred.euid) < 0 || fromKgid(cred.ns, cred.egid) < 0) {
    return { state: cred, errno: -EPERM, rule, reason: "the creator's euid/egid has no mapping in its own namespace" };
  }
  const ns: UserNamespace = {
    id: options.namespaceId ?? nextNamespaceId++,
    level: cred.ns.level + 1,
    parent: cred.ns,
    owner: cred.euid,
    group: cred.egid,
    uidMap: [],
    gidMap: [],
    parentCouldSetfcap: (cred.effective & (1n << 31n)) !== 0n,
    setgroupsDenied: cred.ns.setgroupsDenied === true,
  };
  const full = (1n << BigInt(kernel.lastCap + 1)) - 1n;
  return {
    state: { ...cred, ns, permitted: full, effective: full, bounding: full, inheritable: 0n, ambient: 0n, securebits: 0 },
    result: 0,
    rule,
    reason: 'new user namespace: P = E = B = FULL, I = A = {}, securebits = 0',
  };
}

/**
 * `setns(fd, CLONE_NEWUSER)` into an existing namespace (kernel-semantics §2.2, §2.8;
 * `userns_install`): the current namespace again → EINVAL; a multi-threaded caller (or a shared
 * fs struct) → EINVAL; no CAP_SYS_ADMIN over the target (the §2.2 walk, so owning a child
 * namespace is enough) → EPERM. Then the same reset as creation.
 */
export function setnsUserNs(
  kernel: KernelConfig,
  cred: Cred,
  target: UserNamespace,
  options: { multithreaded?: boolean; sharedFs?: boolean } = {},
): Transition<Cred> {
  const rule = 'kernel-semantics §2.8 (setns)';
  if (target.id === cred.ns.id) return { state: cred, errno: -EINVAL, rule, reason: 're-entering the current user namespace gains nothing and is refused' };
  if (options.multithreaded || options.sharedFs) return { state: cred, errno: -EINVAL, rule, reason: 'setns into a user namespace needs a single-threaded task with its own fs struct' };
  if (!capable(cred, target, 21)) return { state: cred, errno: -EPERM, rule, reason: 'setns into a user namespace needs cap_sys_admin over it (or owning it from its parent)' };
  const full = (1n << BigInt(kernel.lastCap + 1)) - 1n;
  return {
    state: { ...cred, ns: target, permitted: full, effective: full, bounding: full, inheritable: 0n, ambient: 0n, securebits: 0 },
    result: 0,
    rule,
  };
}

/**
 * Writing `/proc/PID/uid_map` (or gid_map) of `target` by `writer` (kernel-semantics §2.8;
 * kernel/user_namespace.c `map_write`, `new_idmap_permitted`, `verify_root_map`), all EPERM
 * unless said: the writer must live in `target` or its parent and hold CAP_SYS_ADMIN over
 * `target`; a map is written once; extents must be 1..340, in range and disjoint (EINVAL);
 * allowed are a single one-id extent mapping the writer's own euid (egid, only once setgroups
 * is `deny`) when the writer's euid owns the namespace, or anything with CAP_SETUID (CAP_SETGID)
 * over the parent; a uid extent whose outside id is 0 also needs CAP_SETFCAP — at creation
 * for a self-writer (`parentCouldSetfcap`), over the parent otherwise; outside ids must be
 * mapped in the parent.
 * The returned state is `writer` with its `ns` replaced by the updated namespace when the
 * writer lives in `target`; `result` is the updated namespace.
 */
export function writeIdMap(
  writer: Cred,
  target: UserNamespace,
  extents: readonly IdMapExtent[],
  which: 'uid' | 'gid',
): Transition<Cred, UserNamespace> {
  const rule = 'kernel-semantics §2.8';
  const fail = (errno: number, reason: string): Transition<Cred, UserNamespace> => ({ state: writer, errno: -errno, rule, reason });
  const parent = target.parent;
  if (parent === null) return fail(EPERM, 'the initial namespace has a fixed map');
  if (writer.ns.id !== target.id && writer.ns.id !== parent.id) return fail(EPERM, 'only a task in the namespace or its parent may write its map');
  if (!capable(writer, target, 21)) return fail(EPERM, 'writing an id map needs cap_sys_admin over the namespace');
  if ((which === 'uid' ? target.uidMap : target.gidMap).length > 0) return fail(EPERM, `${which}_map can be written only once`);
  if (extents.length === 0 || extents.length > 340) return fail(EINVAL, 'a map needs 1 to 340 extents');
  for (let i = 0; i < extents.length; i++) {
    const e = extents[i]!;
    if (!(e.count > 0) || e.inside < 0 || e.outside < 0 || e.inside + e.count - 1 > MAX_ID || e.outside + e.count - 1 > MAX_ID) {
      return fail(EINVAL, `extent ${i} is out of range`);
    }
    for (let j = 0; j < i; j++) {
      const o = extents[j]!;
      const overlaps = (a: number, b: number, c: number, d: number) => a < d && c < b;
      if (overlaps(e.inside, e.inside + e.count, o.inside, o.inside + o.count) || overlaps(e.outside, e.outside + e.count, o.outside, o.outside + o.count)) {
        return fail(EINVAL, `extents ${j} and ${i} overlap`);
      }
    }
  }
  const make = which === 'uid' ? makeKuid : makeKgid;
  const only = extents.length === 1 && extents[0]!.count === 1 ? extents[0]! : undefined;
  const selfMap = only !== undefined && target.owner === writer.euid && (which === 'uid'
    ? make(parent, only.outside) === writer.euid
    : make(parent, only.outside) === writer.egid && target.setgroupsDenied === true);
  if (!selfMap && !(capable(writer, parent, which === 'uid' ? 7 : 6))) {
    return fail(EPERM, which === 'gid' && only !== undefined && target.setgroupsDenied !== true
      ? 'an unprivileged gid_map needs setgroups set to deny first'
      : `mapping more than the owner's own id needs ${which === 'uid' ? 'cap_setuid' : 'cap_setgid'} over the parent namespace`);
  }
  if (which === 'uid' && extents.some((e) => e.outside === 0)) {
    const ok = writer.ns.id === target.id ? target.parentCouldSetfcap === true : capable(writer, parent, 31);
    if (!ok) return fail(EPERM, "mapping the parent's uid 0 needs cap_setfcap (held by the creator at unshare)");
  }
  for (const e of extents) {
    if (make(parent, e.outside) < 0 || make(parent, e.outside + e.count - 1) < 0) {
      return fail(EPERM, `outside ids ${e.outside}..${e.outside + e.count - 1} are not mapped in the parent namespace`);
    }
  }
  const frozen = Object.freeze(extents.map((e) => ({ inside: e.inside, outside: e.outside, count: e.count })));
  const updated: UserNamespace = which === 'uid' ? { ...target, uidMap: frozen } : { ...target, gidMap: frozen };
  const state = writer.ns.id === target.id ? { ...writer, ns: updated } : writer;
  return { state, result: updated, rule };
}

/** `userns_may_setgroups`: the initial namespace, or a gid map written and setgroups not denied. */
export function setgroupsAllowed(ns: UserNamespace): boolean {
  return ns.parent === null || (ns.gidMap.length > 0 && ns.setgroupsDenied !== true);
}
