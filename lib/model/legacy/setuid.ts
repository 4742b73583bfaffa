/**
 * set*uid and keep-capabilities on legacy kernels (kernel-semantics §3.6): the three fixups of
 * §2.4 with root = uid 0, the task's `keep` flag instead of SECBIT_KEEP_CAPS, the global
 * NO_SETUID_FIXUP, no ambient set, and setfsuid's mask `0x1f`.
 */
import { invalidArg } from '../../vocabulary/errors.js';
import { capableAnswer } from './capable.js';
import { done, refuse, taskOf, withTask } from './system.js';
import {
  CAP_SETGID, CAP_SETUID, FS_LEGACY, SPEC,
  type RuleStep, type LegacySystem, type LegacyTask, type LegacyTransition,
} from './types.js';
import { EINVAL, EPERM } from '../../vocabulary/abi.js';

const RULE = `${SPEC} §3.6`;
const UNCHANGED = -1;

function checkId(id: number, what: string): void {
  if (!Number.isInteger(id) || id < -1 || id > 0xfffffffe) throw invalidArg(what, id, 'an id from 0 to 4294967294, or -1 for unchanged');
}

/** The capability fixup after a uid change (kernel-semantics §3.6 = §2.4 rules 1–3 with R = 0). */
function fixup(system: LegacySystem, old: LegacyTask, next: LegacyTask): { task: LegacyTask; steps: RuleStep[] } {
  const steps: RuleStep[] = [];
  if (system.securebits.noSetuidFixup) {
    steps.push({ rule: RULE, reason: 'SECURE_NO_SETUID_FIXUP: capability sets untouched' });
    return { task: next, steps };
  }
  let { effective, permitted } = next;
  const had0 = old.uid === 0 || old.euid === 0 || old.suid === 0;
  const has0 = next.uid === 0 || next.euid === 0 || next.suid === 0;
  if (had0 && !has0) {
    if (old.keep) steps.push({ rule: RULE, reason: 'no uid stays 0 but keep is set: P kept' });
    else {
      permitted = 0n;
      effective = 0n;
      steps.push({ rule: RULE, reason: 'no uid stays 0 and keep is off: P := E := {}' });
    }
  }
  if (old.euid === 0 && next.euid !== 0) {
    effective = 0n;
    steps.push({ rule: RULE, reason: 'euid 0 → non-0: E := {}' });
  }
  if (old.euid !== 0 && next.euid === 0) {
    effective = permitted;
    steps.push({ rule: RULE, reason: 'euid non-0 → 0: E := P' });
  }
  return { task: { ...next, effective, permitted }, steps };
}

function commit(system: LegacySystem, old: LegacyTask, next: LegacyTask, what: string): LegacyTransition<number> {
  const { task, steps } = fixup(system, old, next);
  return done(withTask(system, task), RULE, 0, what, steps);
}

/**
 * setresuid(r, e, s) (-1 = unchanged). Without CAP_SETUID every new id must be one of the
 * current real, effective or saved uids (EPERM). fsuid := euid, then the fixups.
 */
export function setresuid(system: LegacySystem, pid: number, ruid: number, euid: number, suid: number): LegacyTransition<number> {
  const task = taskOf(system, pid);
  for (const [id, what] of [[ruid, 'ruid'], [euid, 'euid'], [suid, 'suid']] as const) checkId(id, what);
  const current = [task.uid, task.euid, task.suid];
  const foreign = [ruid, euid, suid].filter((id) => id !== UNCHANGED && !current.includes(id));
  if (foreign.length > 0) {
    const cap = capableAnswer(system, task, CAP_SETUID);
    if (!cap.ok) return refuse(system, EPERM, RULE, `uid ${foreign[0]} is none of the current r/e/s uids and cap_setuid is missing: ${cap.reason}`);
  }
  const nextEuid = euid === UNCHANGED ? task.euid : euid;
  const next = {
    ...task,
    uid: ruid === UNCHANGED ? task.uid : ruid,
    euid: nextEuid,
    suid: suid === UNCHANGED ? task.suid : suid,
    fsuid: nextEuid,
  };
  return commit(system, task, next, `setresuid(${ruid}, ${euid}, ${suid})`);
}

/**
 * setuid(u): with CAP_SETUID all of r/e/s/fs uid := u; otherwise only euid (and fsuid), and
 * only to the real or saved uid (EPERM else).
 */
export function setuid(system: LegacySystem, pid: number, uid: number): LegacyTransition<number> {
  const task = taskOf(system, pid);
  checkId(uid, 'uid');
  if (uid === UNCHANGED) throw invalidArg('uid', uid, 'an id from 0 to 4294967294');
  const cap = capableAnswer(system, task, CAP_SETUID);
  if (cap.ok) return commit(system, task, { ...task, uid, euid: uid, suid: uid, fsuid: uid }, `setuid(${uid}) with cap_setuid`);
  if (uid !== task.uid && uid !== task.suid) {
    return refuse(system, EPERM, RULE, `setuid(${uid}): not the real or saved uid and cap_setuid is missing: ${cap.reason}`);
  }
  return commit(system, task, { ...task, euid: uid, fsuid: uid }, `setuid(${uid}) without cap_setuid: euid only`);
}

/** setreuid(r, e) with the kernel's rules for the saved uid (suid := new euid when r is set or e ≠ old r). */
export function setreuid(system: LegacySystem, pid: number, ruid: number, euid: number): LegacyTransition<number> {
  const task = taskOf(system, pid);
  checkId(ruid, 'ruid');
  checkId(euid, 'euid');
  const capable = (): boolean => capableAnswer(system, task, CAP_SETUID).ok;
  if (ruid !== UNCHANGED && ruid !== task.uid && ruid !== task.euid && !capable()) {
    return refuse(system, EPERM, RULE, `setreuid: real uid ${ruid} is neither the real nor the effective uid and cap_setuid is missing`);
  }
  if (euid !== UNCHANGED && euid !== task.uid && euid !== task.euid && euid !== task.suid && !capable()) {
    return refuse(system, EPERM, RULE, `setreuid: effective uid ${euid} is none of r/e/s and cap_setuid is missing`);
  }
  const nextUid = ruid === UNCHANGED ? task.uid : ruid;
  const nextEuid = euid === UNCHANGED ? task.euid : euid;
  const newSaved = ruid !== UNCHANGED || (euid !== UNCHANGED && euid !== task.uid);
  const next = { ...task, uid: nextUid, euid: nextEuid, suid: newSaved ? nextEuid : task.suid, fsuid: nextEuid };
  return commit(system, task, next, `setreuid(${ruid}, ${euid})`);
}

/**
 * setfsuid(f): allowed to any of r/e/s/fs uid or with CAP_SETUID, silently ignored otherwise;
 * `result` is the old fsuid. Fixup (unless NO_SETUID_FIXUP): fsuid 0 → non-0 drops
 * CHOWN…FSETID (0x1f) from E; non-0 → 0 raises them from P.
 */
export function setfsuid(system: LegacySystem, pid: number, fsuid: number): LegacyTransition<number> {
  const task = taskOf(system, pid);
  checkId(fsuid, 'fsuid');
  const allowed = fsuid !== UNCHANGED && ([task.uid, task.euid, task.suid, task.fsuid].includes(fsuid) || capableAnswer(system, task, CAP_SETUID).ok);
  if (!allowed) return done(system, RULE, task.fsuid, `setfsuid(${fsuid}) ignored (not permitted); returns the old fsuid`);
  let effective = task.effective;
  const steps: RuleStep[] = [];
  if (!system.securebits.noSetuidFixup) {
    if (task.fsuid === 0 && fsuid !== 0) { effective &= ~FS_LEGACY; steps.push({ rule: RULE, reason: 'fsuid 0 → non-0: E \\= {chown … fsetid}' }); }
    if (task.fsuid !== 0 && fsuid === 0) { effective |= task.permitted & FS_LEGACY; steps.push({ rule: RULE, reason: 'fsuid non-0 → 0: E ∪= P ∩ {chown … fsetid}' }); }
  }
  return done(withTask(system, { ...task, fsuid, effective }), RULE, task.fsuid, `setfsuid(${fsuid})`, steps);
}

/** setresgid(r, e, s): like setresuid's permission rule with CAP_SETGID; no capability fixups. */
export function setresgid(system: LegacySystem, pid: number, rgid: number, egid: number, sgid: number): LegacyTransition<number> {
  const task = taskOf(system, pid);
  for (const [id, what] of [[rgid, 'rgid'], [egid, 'egid'], [sgid, 'sgid']] as const) checkId(id, what);
  const current = [task.gid, task.egid, task.sgid];
  if ([rgid, egid, sgid].some((id) => id !== UNCHANGED && !current.includes(id))) {
    const cap = capableAnswer(system, task, CAP_SETGID);
    if (!cap.ok) return refuse(system, EPERM, RULE, `a new gid is none of the current r/e/s gids and cap_setgid is missing: ${cap.reason}`);
  }
  const nextEgid = egid === UNCHANGED ? task.egid : egid;
  const next = {
    ...task,
    gid: rgid === UNCHANGED ? task.gid : rgid,
    egid: nextEgid,
    sgid: sgid === UNCHANGED ? task.sgid : sgid,
    fsgid: nextEgid,
  };
  return done(withTask(system, next), RULE, 0, `setresgid(${rgid}, ${egid}, ${sgid})`);
}

/** prctl(PR_SET_KEEPCAPS, v): v > 1 → EINVAL; else keep := v (no lock bits before 2.6.26). */
export function setKeepCaps(system: LegacySystem, pid: number, value: number): LegacyTransition<number> {
  const task = taskOf(system, pid);
  if (!Number.isInteger(value)) throw invalidArg('keepcaps value', value, '0 or 1');
  if (value < 0 || value > 1) return refuse(system, EINVAL, RULE, `PR_SET_KEEPCAPS ${value}: only 0 and 1 are accepted`);
  return done(withTask(system, { ...task, keep: value === 1 }), RULE, 0, `keep := ${value}`);
}

/** prctl(PR_GET_KEEPCAPS): 1 or 0. */
export function getKeepCaps(system: LegacySystem, pid: number): LegacyTransition<number> {
  return done(system, RULE, taskOf(system, pid).keep ? 1 : 0);
}
