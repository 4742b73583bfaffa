/**
 * execve on legacy kernels (kernel-semantics §3.5): superuser emulation through the global
 * cap-bound, `P'' = (fP ∩ X) ∪ (fI ∩ I)`; inside a VServer guest X is the context's cap_bset
 * (§4.4).
 */
import type { CapSetInput } from '../../vocabulary/capset.js';
import { invalidArg } from '../../vocabulary/errors.js';
import { capNames } from '../masks.js';
import { capableAnswer, contextOf } from './capable.js';
import { done, hex32, refuse, taskOf, toMask32, withTask } from './system.js';
import {
  ALL32, CAP_SETPCAP, CAP_SETUID, SPEC,
  type RuleStep, type LegacySystem, type LegacyTransition,
} from './types.js';
import { EPERM } from '../../vocabulary/abi.js';

const RULE = `${SPEC} §3.5`;

/** The executed file, as far as exec cares. */
export interface LegacyExecFile {
  /** Owner uid (default 0). */
  readonly uid?: number;
  /** Owner gid (default 0). */
  readonly gid?: number;
  /** Permission bits incl. 0o4000 (setuid) and 0o2000 (setgid); default 0o755. */
  readonly mode?: number;
  /** On a nosuid mount (setuid/setgid bits ignored). */
  readonly nosuid?: boolean;
  /** 2.6.24 with file capabilities only: a v1 `security.capability` (32-bit sets). */
  readonly fileCaps?: {
    /** fP. */
    readonly permitted: CapSetInput;
    /** fI. */
    readonly inheritable: CapSetInput;
    /** The fE flag. */
    readonly effective: boolean;
  };
  /** A label for explanations. */
  readonly name?: string;
}

/** Circumstances that make an exec "unsafe" (§3.5 step 5). */
export interface LegacyExecContext {
  /** Being ptraced by a tracer without CAP_SYS_PTRACE. */
  readonly ptracedByUnprivileged?: boolean;
  /** fs/files/sighand shared with another task. */
  readonly sharedState?: boolean;
}

/** What exec reports besides the new state. */
export interface LegacyExecResult {
  /** AT_SECURE (§3.5 step 9). */
  readonly atSecure: boolean;
  /** The new permitted set P''. */
  readonly permitted: bigint;
}

function intOr(value: number | undefined, fallback: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw invalidArg(what, value, 'a non-negative integer');
  return v;
}

/**
 * execve(file) by task `pid` (kernel-semantics §3.5; §4.4 in a VServer guest). `result` holds
 * AT_SECURE and P''. On 2.2 an unsafe exec that would change ids or raise P fails with EPERM;
 * later kernels downgrade it. The global init (pid 1) keeps its capabilities across exec.
 */
export function execve(system: LegacySystem, pid: number, file: LegacyExecFile = {}, context: LegacyExecContext = {}): LegacyTransition<LegacyExecResult> {
  const task = taskOf(system, pid);
  if (file === null || typeof file !== 'object') throw invalidArg('exec file', file, 'an object such as { uid: 0, mode: 0o4755 }');
  const fileUid = intOr(file.uid, 0, 'file uid');
  const fileGid = intOr(file.gid, 0, 'file gid');
  const mode = intOr(file.mode, 0o755, 'file mode');
  if (file.fileCaps !== undefined && !system.fileCapabilities) {
    throw invalidArg('fileCaps', file.fileCaps, "none: file capabilities exist only on kernel '2.6.24' booted with fileCapabilities");
  }
  const steps: RuleStep[] = [];
  // Step 1: ids from the setuid/setgid bits unless nosuid.
  let eUid = task.euid;
  let eGid = task.egid;
  if (!file.nosuid) {
    if (mode & 0o4000) eUid = fileUid;
    if ((mode & 0o2000) && (mode & 0o010)) eGid = fileGid;
  }
  // Step 2: file sets.
  let fP = 0n;
  let fI = 0n;
  let fE = false;
  if (file.fileCaps !== undefined && !file.nosuid) {
    fP = toMask32(file.fileCaps.permitted, 'file permitted set');
    fI = toMask32(file.fileCaps.inheritable, 'file inheritable set');
    fE = Boolean(file.fileCaps.effective);
    steps.push({ rule: RULE, reason: `file capabilities: fP = ${capNames(fP)}, fI = ${capNames(fI)}, fE = ${fE}` });
  }
  // Step 3: superuser emulation.
  if (!system.securebits.noroot && (eUid === 0 || task.uid === 0)) {
    fP = ALL32;
    fI = ALL32;
    if (eUid === 0) fE = true;
    steps.push({ rule: RULE, reason: `superuser emulation (${eUid === 0 ? 'euid' : 'uid'} 0): fP = fI = ALL32${eUid === 0 ? ', fE' : ''}` });
  }
  // Step 4: P'' = (fP ∩ X) ∪ (fI ∩ I), X = the context's cap_bset inside a VServer guest.
  const v = contextOf(system, task);
  const bound = v ? v.capBset : system.capBound;
  let newP = (fP & bound) | (fI & task.inheritable);
  steps.push({
    rule: v ? `${SPEC} §4.4` : RULE,
    reason: `P'' = (fP ∩ ${v ? `cap_bset of context ${v.xid}` : 'X'} ${hex32(bound)}) ∪ (fI ∩ I ${hex32(task.inheritable)}) = ${hex32(newP)}`,
  });
  // Step 5: privilege change on an unsafe exec. fE was fixed in step 3 from the euid *before*
  // this downgrade (cap_bprm_set_security runs first), so a downgraded setuid-root exec keeps
  // E = P'' with euid ≠ 0, and a root task whose setuid-to-user exec is undone ends with
  // euid 0 and E = {} — both as the kernel does.
  const idChange = eUid !== task.uid || eGid !== task.gid;
  const raises = (newP & ~task.permitted) !== 0n;
  const unsafe = Boolean(context.ptracedByUnprivileged || context.sharedState);
  if ((idChange || raises) && unsafe) {
    const setuid = capableAnswer(system, task, CAP_SETUID);
    const setpcap = capableAnswer(system, task, CAP_SETPCAP);
    if (system.kernel === '2.2') {
      if (idChange && !setuid.ok) return refuse(system, EPERM, RULE, `2.2: unsafe exec changing ids without cap_setuid fails: ${setuid.reason}`, steps);
      if (raises && !setpcap.ok) return refuse(system, EPERM, RULE, `2.2: unsafe exec raising P (${capNames(newP & ~task.permitted)}) without cap_setpcap fails`, steps);
    } else {
      if (idChange && !setuid.ok) {
        eUid = task.uid;
        eGid = task.gid;
        steps.push({ rule: RULE, reason: `unsafe exec without cap_setuid: euid/egid stay ${task.uid}/${task.gid}` });
      }
      if (raises && !setpcap.ok) {
        newP &= task.permitted;
        steps.push({ rule: RULE, reason: `unsafe exec without cap_setpcap: P'' ∩= P = ${hex32(newP)}` });
      }
    }
  }
  // Steps 6–8.
  const isInit = task.pid === 1;
  const next = {
    ...task,
    euid: eUid, suid: eUid, fsuid: eUid,
    egid: eGid, sgid: eGid, fsgid: eGid,
    permitted: isInit ? task.permitted : newP,
    effective: isInit ? task.effective : fE ? newP : 0n,
    keep: false,
    name: file.name ?? task.name,
  };
  if (isInit) steps.push({ rule: RULE, reason: 'the global init keeps its capabilities across exec' });
  else steps.push({ rule: RULE, reason: `P := P''; E := ${fE ? "P''" : '{}'}; I unchanged; keep := 0` });
  // Step 9: AT_SECURE.
  const atSecure = (task.uid !== 0 && (fE || fP !== 0n || fI !== 0n)) || eUid !== task.uid || eGid !== task.gid;
  return done(withTask(system, next), v ? `${SPEC} §4.4` : RULE, { atSecure, permitted: next.permitted }, undefined, steps);
}
