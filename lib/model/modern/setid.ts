/**
 * setuid-family syscalls in the model: kernel/sys.c's permission checks, then the capability
 * fixups of `cap_task_fix_setuid` (kernel-semantics §2.4).
 *
 * Arguments are ids as the calling thread's namespace sees them; -1 means "unchanged" where
 * the syscall allows it. An id with no mapping in the namespace is EINVAL.
 */
import type { Cred, Transition } from './types.js';
import { EINVAL, EPERM, FS_MASK, SECBIT_KEEP_CAPS, SECBIT_NO_SETUID_FIXUP } from './types.js';
import { capable, fromKgid, fromKuid, makeKgid, makeKuid, rootKuid, setgroupsAllowed } from './userns.js';
import { CAP_SETGID, CAP_SETUID } from '../../vocabulary/abi.js';

const R_FIX = 'kernel-semantics §2.4';
const R_PERM = 'kernel-semantics §2.4 (permission)';

/**
 * `cap_emulate_setxuid` (kernel-semantics §2.4 rules 1–3): leaving root in all of r/e/s clears
 * P and E (unless KEEP_CAPS) and always A; euid leaving root clears E; euid becoming root sets E := P.
 */
function fixSetuid(old: Cred, next: Cred): { cred: Cred; note?: string } {
  if (old.securebits & SECBIT_NO_SETUID_FIXUP) return { cred: next, note: 'SECBIT_NO_SETUID_FIXUP: capabilities untouched' };
  const root = rootKuid(old.ns);
  let { permitted, effective, ambient } = next;
  const notes: string[] = [];
  const had0 = old.uid === root || old.euid === root || old.suid === root;
  const has0 = next.uid === root || next.euid === root || next.suid === root;
  if (had0 && !has0) {
    if (!(old.securebits & SECBIT_KEEP_CAPS)) {
      permitted = 0n;
      effective = 0n;
      notes.push('no uid is root any more: P and E cleared');
    } else notes.push('no uid is root any more: KEEP_CAPS keeps P');
    if (ambient !== 0n) notes.push('ambient cleared');
    ambient = 0n;
  }
  if (old.euid === root && next.euid !== root) {
    if (effective !== 0n) notes.push('euid left root: E cleared');
    effective = 0n;
  }
  if (old.euid !== root && next.euid === root) {
    effective = permitted;
    notes.push('euid became root: E := P');
  }
  const cred = permitted === next.permitted && effective === next.effective && ambient === next.ambient
    ? next
    : { ...next, permitted, effective, ambient };
  return notes.length ? { cred, note: notes.join('; ') } : { cred };
}

function done(old: Cred, next: Cred, syscall: string): Transition<Cred> {
  const { cred, note } = fixSetuid(old, next);
  return note === undefined ? { state: cred, result: 0, rule: R_FIX } : { state: cred, result: 0, rule: R_FIX, reason: `${syscall}: ${note}` };
}

function invalid(cred: Cred, what: string, id: number): Transition<Cred> {
  return { state: cred, errno: -EINVAL, rule: R_PERM, reason: `${what} ${id} has no mapping in the thread's user namespace` };
}

function denied(cred: Cred, syscall: string, cap: 'cap_setuid' | 'cap_setgid'): Transition<Cred> {
  return { state: cred, errno: -EPERM, rule: R_PERM, reason: `${syscall} to an id other than the current ones needs ${cap} in E` };
}

/** setuid(uid): privileged → all four ids; otherwise euid/fsuid only, to the real or saved uid. */
export function setuid(cred: Cred, uid: number): Transition<Cred> {
  const k = makeKuid(cred.ns, uid);
  if (k < 0) return invalid(cred, 'uid', uid);
  let next: Cred;
  if (capable(cred, cred.ns, CAP_SETUID)) next = { ...cred, uid: k, euid: k, suid: k, fsuid: k };
  else if (k === cred.uid || k === cred.suid) next = { ...cred, euid: k, fsuid: k };
  else return denied(cred, 'setuid', 'cap_setuid');
  return done(cred, next, 'setuid');
}

/** setreuid(ruid, euid): kernel/sys.c rules; the saved uid follows euid when ruid is set or euid ≠ old uid. */
export function setreuid(cred: Cred, ruid: number, euid: number): Transition<Cred> {
  const kr = ruid === -1 ? -1 : makeKuid(cred.ns, ruid);
  const ke = euid === -1 ? -1 : makeKuid(cred.ns, euid);
  if (ruid !== -1 && kr < 0) return invalid(cred, 'uid', ruid);
  if (euid !== -1 && ke < 0) return invalid(cred, 'uid', euid);
  const priv = capable(cred, cred.ns, CAP_SETUID);
  let nuid = cred.uid;
  let neuid = cred.euid;
  if (ruid !== -1) {
    nuid = kr;
    if (kr !== cred.uid && kr !== cred.euid && !priv) return denied(cred, 'setreuid', 'cap_setuid');
  }
  if (euid !== -1) {
    neuid = ke;
    if (ke !== cred.uid && ke !== cred.euid && ke !== cred.suid && !priv) return denied(cred, 'setreuid', 'cap_setuid');
  }
  const nsuid = ruid !== -1 || (euid !== -1 && ke !== cred.uid) ? neuid : cred.suid;
  return done(cred, { ...cred, uid: nuid, euid: neuid, suid: nsuid, fsuid: neuid }, 'setreuid');
}

/**
 * setresuid(r, e, s): a call that changes nothing returns at once (fsuid kept, no fixup —
 * kernel-semantics §2.4 no-op early return); ids outside the current r/e/s need CAP_SETUID.
 */
export function setresuid(cred: Cred, ruid: number, euid: number, suid: number): Transition<Cred> {
  const kr = ruid === -1 ? -1 : makeKuid(cred.ns, ruid);
  const ke = euid === -1 ? -1 : makeKuid(cred.ns, euid);
  const ks = suid === -1 ? -1 : makeKuid(cred.ns, suid);
  if (ruid !== -1 && kr < 0) return invalid(cred, 'uid', ruid);
  if (euid !== -1 && ke < 0) return invalid(cred, 'uid', euid);
  if (suid !== -1 && ks < 0) return invalid(cred, 'uid', suid);
  if ((ruid === -1 || kr === cred.uid) && (euid === -1 || (ke === cred.euid && ke === cred.fsuid)) && (suid === -1 || ks === cred.suid)) {
    return { state: cred, result: 0, rule: 'kernel-semantics §2.4 (no-op early return)' };
  }
  const isNew = (k: number, given: number) => given !== -1 && k !== cred.uid && k !== cred.euid && k !== cred.suid;
  if ((isNew(kr, ruid) || isNew(ke, euid) || isNew(ks, suid)) && !capable(cred, cred.ns, CAP_SETUID)) return denied(cred, 'setresuid', 'cap_setuid');
  const nuid = ruid === -1 ? cred.uid : kr;
  const neuid = euid === -1 ? cred.euid : ke;
  const nsuid = suid === -1 ? cred.suid : ks;
  return done(cred, { ...cred, uid: nuid, euid: neuid, suid: nsuid, fsuid: neuid }, 'setresuid');
}

/**
 * setfsuid(uid): never fails; returns the *old* fsuid (as the namespace sees it) and ignores
 * ids it may not use. Only this call applies the FS-set rule (kernel-semantics §2.4).
 */
export function setfsuid(cred: Cred, uid: number): Transition<Cred> {
  const old = fromKuid(cred.ns, cred.fsuid);
  const result = old < 0 ? 65534 : old;
  const k = makeKuid(cred.ns, uid);
  if (k < 0) return { state: cred, result, rule: R_PERM, reason: uid === -1 ? undefined : `uid ${uid} is unmapped: fsuid unchanged` };
  const allowed = k === cred.uid || k === cred.euid || k === cred.suid || k === cred.fsuid || capable(cred, cred.ns, CAP_SETUID);
  if (!allowed) return { state: cred, result, rule: R_PERM, reason: `setfsuid(${uid}) without cap_setuid is ignored` };
  if (k === cred.fsuid) return { state: cred, result, rule: R_PERM };
  let effective = cred.effective;
  let reason: string | undefined;
  if (!(cred.securebits & SECBIT_NO_SETUID_FIXUP)) {
    const root = rootKuid(cred.ns);
    if (cred.fsuid === root && k !== root) {
      effective &= ~FS_MASK;
      reason = 'fsuid left root: the FS caps leave E';
    } else if (cred.fsuid !== root && k === root) {
      effective |= cred.permitted & FS_MASK;
      reason = 'fsuid became root: E gains P ∩ FS';
    }
  }
  const state = { ...cred, fsuid: k, effective };
  return reason ? { state, result, rule: R_FIX, reason } : { state, result, rule: R_FIX };
}

/** setgid(gid): privileged (CAP_SETGID) → all four gids; otherwise egid/fsgid to the real or saved gid. */
export function setgid(cred: Cred, gid: number): Transition<Cred> {
  const k = makeKgid(cred.ns, gid);
  if (k < 0) return invalid(cred, 'gid', gid);
  if (capable(cred, cred.ns, CAP_SETGID)) return { state: { ...cred, gid: k, egid: k, sgid: k, fsgid: k }, result: 0, rule: R_PERM };
  if (k === cred.gid || k === cred.sgid) return { state: { ...cred, egid: k, fsgid: k }, result: 0, rule: R_PERM };
  return denied(cred, 'setgid', 'cap_setgid');
}

/** setregid(rgid, egid), as setreuid without capability fixups. */
export function setregid(cred: Cred, rgid: number, egid: number): Transition<Cred> {
  const kr = rgid === -1 ? -1 : makeKgid(cred.ns, rgid);
  const ke = egid === -1 ? -1 : makeKgid(cred.ns, egid);
  if (rgid !== -1 && kr < 0) return invalid(cred, 'gid', rgid);
  if (egid !== -1 && ke < 0) return invalid(cred, 'gid', egid);
  const priv = capable(cred, cred.ns, CAP_SETGID);
  let ngid = cred.gid;
  let negid = cred.egid;
  if (rgid !== -1) {
    ngid = kr;
    if (kr !== cred.gid && kr !== cred.egid && !priv) return denied(cred, 'setregid', 'cap_setgid');
  }
  if (egid !== -1) {
    negid = ke;
    if (ke !== cred.gid && ke !== cred.egid && ke !== cred.sgid && !priv) return denied(cred, 'setregid', 'cap_setgid');
  }
  const nsgid = rgid !== -1 || (egid !== -1 && ke !== cred.gid) ? negid : cred.sgid;
  return { state: { ...cred, gid: ngid, egid: negid, sgid: nsgid, fsgid: negid }, result: 0, rule: R_PERM };
}

/** setresgid(r, e, s), with the same no-op early return as setresuid. */
export function setresgid(cred: Cred, rgid: number, egid: number, sgid: number): Transition<Cred> {
  const kr = rgid === -1 ? -1 : makeKgid(cred.ns, rgid);
  const ke = egid === -1 ? -1 : makeKgid(cred.ns, egid);
  const ks = sgid === -1 ? -1 : makeKgid(cred.ns, sgid);
  if (rgid !== -1 && kr < 0) return invalid(cred, 'gid', rgid);
  if (egid !== -1 && ke < 0) return invalid(cred, 'gid', egid);
  if (sgid !== -1 && ks < 0) return invalid(cred, 'gid', sgid);
  if ((rgid === -1 || kr === cred.gid) && (egid === -1 || (ke === cred.egid && ke === cred.fsgid)) && (sgid === -1 || ks === cred.sgid)) {
    return { state: cred, result: 0, rule: 'kernel-semantics §2.4 (no-op early return)' };
  }
  const isNew = (k: number, given: number) => given !== -1 && k !== cred.gid && k !== cred.egid && k !== cred.sgid;
  if ((isNew(kr, rgid) || isNew(ke, egid) || isNew(ks, sgid)) && !capable(cred, cred.ns, CAP_SETGID)) return denied(cred, 'setresgid', 'cap_setgid');
  const negid = egid === -1 ? cred.egid : ke;
  return {
    state: { ...cred, gid: rgid === -1 ? cred.gid : kr, egid: negid, sgid: sgid === -1 ? cred.sgid : ks, fsgid: negid },
    result: 0,
    rule: R_PERM,
  };
}

/** setfsgid(gid): like setfsuid (returns the old fsgid, never fails), no capability effect. */
export function setfsgid(cred: Cred, gid: number): Transition<Cred> {
  const old = fromKgid(cred.ns, cred.fsgid);
  const result = old < 0 ? 65534 : old;
  const k = makeKgid(cred.ns, gid);
  if (k < 0) return { state: cred, result, rule: R_PERM };
  const allowed = k === cred.gid || k === cred.egid || k === cred.sgid || k === cred.fsgid || capable(cred, cred.ns, CAP_SETGID);
  if (!allowed || k === cred.fsgid) return { state: cred, result, rule: R_PERM };
  return { state: { ...cred, fsgid: k }, result, rule: R_PERM };
}

/** setgroups(list): needs CAP_SETGID in the thread's namespace; every gid must be mapped (EINVAL). */
export function setgroups(cred: Cred, groups: readonly number[]): Transition<Cred> {
  if (!capable(cred, cred.ns, CAP_SETGID)) return { state: cred, errno: -EPERM, rule: R_PERM, reason: 'setgroups needs cap_setgid in E' };
  if (!setgroupsAllowed(cred.ns)) return { state: cred, errno: -EPERM, rule: 'kernel-semantics §2.8', reason: 'setgroups is denied in this user namespace (no gid map, or setgroups = deny)' };
  if (groups.length > 65536) return { state: cred, errno: -EINVAL, rule: R_PERM, reason: 'more than NGROUPS_MAX groups' };
  const kgids: number[] = [];
  for (const g of groups) {
    const k = makeKgid(cred.ns, g);
    if (k < 0) return invalid(cred, 'gid', g);
    kgids.push(k);
  }
  kgids.sort((a, b) => a - b);
  return { state: { ...cred, groups: kgids }, result: 0, rule: R_PERM };
}
