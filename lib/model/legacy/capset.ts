/**
 * capget / capset on legacy kernels (kernel-semantics §3.4): version 1 headers only (32-bit
 * sets), and CAP_SETPCAP in its old meaning — the power to set the capabilities of *other*
 * processes (one pid, every process with pid -1, a process group with -pgrp).
 */
import type { CapSetInput } from '../../vocabulary/capset.js';
import { invalidArg } from '../../vocabulary/errors.js';
import { capNames } from '../masks.js';
import { capableAnswer } from './capable.js';
import { done, refuse, taskOf, toMask32, withTask } from './system.js';
import {
  CAP_SETPCAP, LEGACY_CAPABILITY_VERSION, SPEC,
  type RuleStep, type LegacySystem, type LegacyTask, type LegacyTransition,
} from './types.js';
import { EINVAL, EPERM, ESRCH } from '../../vocabulary/abi.js';

const RULE = `${SPEC} §3.4`;

/** The three 32-bit sets capget returns. */
export interface LegacyCaps {
  /** E, as a 32-bit mask. */
  readonly effective: bigint;
  /** P. */
  readonly permitted: bigint;
  /** I. */
  readonly inheritable: bigint;
}

/** capget's request. */
export interface LegacyCapgetRequest {
  /** Header version; default 0x19980330 (the only one before 2.6.25). */
  readonly version?: number;
  /** 0 or the caller's pid = itself. Default 0. */
  readonly pid?: number;
}

/** capset's request: the header and the three sets (any CapSetInput, caps 0..31). */
export interface LegacyCapsetRequest {
  /** Header version; default 0x19980330 (the only one before 2.6.25). */
  readonly version?: number;
  /** 0/self, another pid, -1 (everyone but the caller and init) or -pgrp. Default 0. */
  readonly pid?: number;
  /** The new E. */
  readonly effective: CapSetInput;
  /** The new P. */
  readonly permitted: CapSetInput;
  /** The new I. */
  readonly inheritable: CapSetInput;
}

/**
 * Whether `caller` can name `target` by pid: always on a plain kernel and from the host; a
 * VServer guest sees only its own context's tasks (kernel-semantics §3.4 step 2 for -pgrp;
 * modelled the same for single pids and -1 [UNV]).
 */
function visible(system: LegacySystem, caller: LegacyTask, target: LegacyTask): boolean {
  return !system.vserver || caller.xid === 0 || target.xid === caller.xid;
}

function badVersion(system: LegacySystem, version: number): LegacyTransition<never> {
  return refuse(system, EINVAL, RULE, `header version 0x${(version >>> 0).toString(16)} is not 0x19980330, the only version before 2.6.25 (the kernel writes 0x19980330 back into the header)`);
}

/**
 * capget(2) by task `callerPid`: the **raw** E/P/I of the target (inside a VServer guest too,
 * §4.3). pid < 0 → EINVAL, unknown pid → ESRCH, other version → EINVAL.
 */
export function capget(system: LegacySystem, callerPid: number, request: LegacyCapgetRequest = {}): LegacyTransition<LegacyCaps> {
  const caller = taskOf(system, callerPid);
  const version = request.version ?? LEGACY_CAPABILITY_VERSION;
  const pid = request.pid ?? 0;
  if (!Number.isInteger(version) || !Number.isInteger(pid)) throw invalidArg('capget header', request, 'integer version and pid');
  if (version !== LEGACY_CAPABILITY_VERSION) return badVersion(system, version);
  if (pid < 0) return refuse(system, EINVAL, RULE, `capget pid ${pid} < 0`);
  const target = pid === 0 ? caller : system.tasks.find((t) => t.pid === pid && visible(system, caller, t));
  if (target === undefined) return refuse(system, ESRCH, RULE, `no process ${pid}`);
  return done(system, RULE, { effective: target.effective, permitted: target.permitted, inheritable: target.inheritable });
}

/** Why this target cannot take these sets from this caller; undefined if it can. */
function targetRefusal(system: LegacySystem, caller: LegacyTask, target: LegacyTask, sets: LegacyCaps): string | undefined {
  const skipInheritableCheck = system.fileCapabilities && capableAnswer(system, caller, CAP_SETPCAP).ok;
  const iLimit = target.inheritable | caller.permitted;
  if (!skipInheritableCheck && (sets.inheritable & ~iLimit) !== 0n) {
    return `I' ⊄ T.I ∪ caller.P: ${capNames(sets.inheritable & ~iLimit)} (pid ${target.pid})`;
  }
  const pLimit = target.permitted | caller.permitted;
  if ((sets.permitted & ~pLimit) !== 0n) return `P' ⊄ T.P ∪ caller.P: ${capNames(sets.permitted & ~pLimit)} (pid ${target.pid})`;
  if ((sets.effective & ~sets.permitted) !== 0n) return `E' ⊄ P': ${capNames(sets.effective & ~sets.permitted)}`;
  return undefined;
}

/**
 * capset(2) by task `callerPid` (kernel-semantics §3.4). Setting another pid, -1 or -pgrp needs
 * CAP_SETPCAP (capable(): inside a VServer guest E ∩ bcaps); with 2.6.24 file capabilities any
 * other target is EPERM. Per target: `I' ⊆ T.I ∪ caller.P`, `P' ⊆ T.P ∪ caller.P`, `E' ⊆ P'`.
 * One pid: EPERM if a check fails. -1 / -pgrp: sets every target that passes, EPERM only if
 * targets existed and none passed. In a VServer kernel a guest's -1/-pgrp reaches only its
 * own context [UNV for -1: modelled like -pgrp].
 */
export function capset(system: LegacySystem, callerPid: number, request: LegacyCapsetRequest): LegacyTransition<number> {
  const caller = taskOf(system, callerPid);
  if (request === null || typeof request !== 'object') throw invalidArg('capset request', request, '{ pid?, effective, permitted, inheritable }');
  const version = request.version ?? LEGACY_CAPABILITY_VERSION;
  const pid = request.pid ?? 0;
  if (!Number.isInteger(version) || !Number.isInteger(pid)) throw invalidArg('capset header', request, 'integer version and pid');
  const sets: LegacyCaps = {
    effective: toMask32(request.effective, 'effective set'),
    permitted: toMask32(request.permitted, 'permitted set'),
    inheritable: toMask32(request.inheritable, 'inheritable set'),
  };
  if (version !== LEGACY_CAPABILITY_VERSION) return badVersion(system, version);
  const self = pid === 0 || pid === caller.pid;
  if (!self) {
    if (system.fileCapabilities) {
      return refuse(system, EPERM, RULE, `2.6.24 with file capabilities: capset on another process (pid ${pid}) is always refused`);
    }
    const setpcap = capableAnswer(system, caller, CAP_SETPCAP);
    if (!setpcap.ok) {
      return refuse(system, EPERM, RULE, `capset on pid ${pid} needs cap_setpcap (legacy meaning: transfer capabilities to other processes): ${setpcap.reason}`);
    }
  }
  if (self || pid > 0) {
    const target = self ? caller : system.tasks.find((t) => t.pid === pid && visible(system, caller, t));
    if (target === undefined) return refuse(system, ESRCH, RULE, `no process ${pid}`);
    const why = targetRefusal(system, caller, target, sets);
    if (why) return refuse(system, EPERM, RULE, why);
    return done(withTask(system, { ...target, ...sets }), RULE, 0, `pid ${target.pid}: E, P, I := E', P', I'`);
  }
  const targets = system.tasks.filter((t) =>
    t.pid !== caller.pid && visible(system, caller, t) && (pid === -1 ? t.pid !== 1 : t.pgrp === -pid));
  let state = system;
  const steps: RuleStep[] = [];
  let setCount = 0;
  for (const target of targets) {
    const why = targetRefusal(system, caller, target, sets);
    if (why) { steps.push({ rule: RULE, reason: `skipped: ${why}` }); continue; }
    state = withTask(state, { ...target, ...sets });
    steps.push({ rule: RULE, reason: `pid ${target.pid}: E, P, I := E', P', I'` });
    setCount++;
  }
  const what = pid === -1 ? 'every process but the caller and init' : `process group ${-pid}`;
  if (targets.length > 0 && setCount === 0) return refuse(system, EPERM, RULE, `no target in ${what} passed the checks`, steps);
  return done(state, RULE, 0, `${setCount} of ${targets.length} targets in ${what} set`, steps);
}
