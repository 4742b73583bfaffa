/**
 * The dumpable flag in the model (kernel-semantics §2.9, checked on 6.18): who owns a task's
 * /proc files, and how credential changes and exec change it. Pure functions.
 *
 * - commit_creds (kernel/cred.c): a change of euid, egid, fsuid or fsgid, or a P that is not a
 *   subset of the old one (`cred_cap_issubset`, which across namespaces asks whether the old
 *   namespace owns the new one through the old euid), sets dumpable to fs.suid_dumpable.
 * - exec (fs/exec.c begin_new_exec): dumpable is 1 unless the binary is unreadable or the *old*
 *   euid ≠ uid or egid ≠ gid (then fs.suid_dumpable); then commit_creds applies the rule above
 *   to the new credential. The memory's user namespace is the exec's; for an unreadable binary,
 *   raised to the nearest ancestor where the file's owner and group are mapped (`would_dump`).
 * - A task that is not dumpable (≠ 1) has its /proc files owned by root of its memory's
 *   namespace (fs/proc/base.c task_dump_owner), so writing its own uid_map or setgroups takes
 *   that uid, or cap_dac_override with that root mapped in the thread's namespace.
 */
import type { Cred, KernelConfig, ModelFile, Transition, UserNamespace } from './types.js';
import { EINVAL } from './types.js';
import { INITIAL_USER_NS, capable, idsMappedIn, makeKgid, makeKuid, modeBitsFor } from './userns.js';
import { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH } from '../../vocabulary/abi.js';

/** SUID_DUMP_USER: dumpable, /proc files owned by the task's euid:egid. */
export const SUID_DUMP_USER = 1;
/** SUID_DUMP_DISABLE. */
export const SUID_DUMP_DISABLE = 0;

export const DUMPABLE_RULE = 'kernel-semantics §2.9 (dumpable)';

/** The task's dumpable value (1 when the credential does not say). */
export function dumpableOf(cred: Cred): 0 | 1 | 2 {
  return cred.dumpable ?? SUID_DUMP_USER;
}

/** The user namespace of the task's memory (the initial one when the credential does not say). */
export function memoryNamespaceOf(cred: Cred): UserNamespace {
  return cred.mmUserNs ?? INITIAL_USER_NS;
}

/** `cred_cap_issubset(old, next)`: whether `next` holds no more than `old` could (kernel/cred.c). */
function capsAreSubset(old: Cred, next: Cred): boolean {
  if (old.ns.id === next.ns.id) return (next.permitted & ~old.permitted) === 0n;
  for (let ns = next.ns; ns.parent !== null; ns = ns.parent) {
    if (ns.parent.id === old.ns.id && ns.owner === old.euid) return true;
  }
  return false;
}

/** Whether commit_creds(old → next) resets dumpable to fs.suid_dumpable. */
export function changesPrivilege(old: Cred, next: Cred): boolean {
  return old.euid !== next.euid || old.egid !== next.egid || old.fsuid !== next.fsuid || old.fsgid !== next.fsgid || !capsAreSubset(old, next);
}

/** `next` as commit_creds leaves it after `old`: dumpable reset where the change alters privilege. */
export function committed(kernel: KernelConfig, old: Cred, next: Cred): Cred {
  if (next === old || !changesPrivilege(old, next)) return next;
  return next.dumpable === kernel.suidDumpable ? next : { ...next, dumpable: kernel.suidDumpable };
}

/** File read permission for `cred` (generic_permission MAY_READ, with cap_dac_override / cap_dac_read_search). */
function mayRead(cred: Cred, file: ModelFile): boolean {
  if (modeBitsFor(cred, file) & 4) return true;
  return idsMappedIn(cred.ns, file.uid, file.gid) && (capable(cred, cred.ns, CAP_DAC_OVERRIDE) || capable(cred, cred.ns, CAP_DAC_READ_SEARCH));
}

/**
 * The dumpable flag and memory namespace an exec of `file` leaves, given the credential before
 * (`old`) and the one exec commits (`next`).
 */
export function afterExec(kernel: KernelConfig, old: Cred, next: Cred, file: ModelFile): { dumpable: 0 | 1 | 2; mmUserNs: UserNamespace } {
  const readable = mayRead(old, file);
  let mm = old.ns;
  // would_dump: only for a binary the thread cannot read.
  while (!readable && mm.parent !== null && !idsMappedIn(mm, file.uid, file.gid)) mm = mm.parent;
  let dumpable: 0 | 1 | 2 = !readable || old.euid !== old.uid || old.egid !== old.gid ? kernel.suidDumpable : SUID_DUMP_USER;
  if (changesPrivilege(old, next)) dumpable = kernel.suidDumpable;
  return { dumpable, mmUserNs: mm };
}

/** PR_GET_DUMPABLE: the flag (no argument is checked). */
export function getDumpable(cred: Cred): Transition<Cred> {
  return { state: cred, result: dumpableOf(cred), rule: DUMPABLE_RULE };
}

/** PR_SET_DUMPABLE: 0 or 1 (2 only comes from fs.suid_dumpable), else EINVAL. */
export function setDumpable(cred: Cred, value: number): Transition<Cred> {
  if (value !== SUID_DUMP_DISABLE && value !== SUID_DUMP_USER) {
    return { state: cred, errno: -EINVAL, rule: DUMPABLE_RULE, reason: `PR_SET_DUMPABLE takes 0 or 1, not ${value}` };
  }
  return { state: cred.dumpable === value ? cred : { ...cred, dumpable: value }, result: 0, rule: DUMPABLE_RULE };
}

/** Who owns a task's /proc files (kernel ids). */
export interface ProcFileOwner {
  /** The owner's kuid. */
  uid: number;
  /** The owner's kgid. */
  gid: number;
  /** Whether the task is dumpable (then the owner is its euid:egid). */
  dumpable: boolean;
}

/**
 * The owner of the task's own /proc files (task_dump_owner): its euid:egid while dumpable,
 * else uid and gid 0 of its memory's namespace (the initial root where those are unmapped).
 */
export function procFileOwner(cred: Cred): ProcFileOwner {
  if (dumpableOf(cred) === SUID_DUMP_USER) return { uid: cred.euid, gid: cred.egid, dumpable: true };
  const mm = memoryNamespaceOf(cred);
  const uid = makeKuid(mm, 0);
  const gid = makeKgid(mm, 0);
  return { uid: uid < 0 ? 0 : uid, gid: gid < 0 ? 0 : gid, dumpable: false };
}
