/**
 * The Linux-VServer model (2.6.22.19-vs2.3.0.34 on the legacy rules; kernel-semantics §4):
 * contexts with bcaps, ccaps and the cap_bset snapshot, the two masking policies ('upstream'
 * and the seed's 'bcaps'), capable()/vx_capable(), exec in a guest, cap-bound and /proc as a
 * guest sees them, the sys_vserver commands, and util-vserver's configuration files.
 *
 * @example
 * ```ts
 * import { legacyModel as L, vserverModel as V } from 'linux-caps';
 * let sys = L.bootLegacy({ kernel: '2.6.22', vserver: true, maskPolicy: 'bcaps' });
 * const caps = V.guestCapabilities({ bcapabilities: '!SYS_BOOT\n!AUDIT_WRITE\n' });
 * caps.bcaps.toString(16);   // '140c05ff'
 * ```
 *
 * @module
 */
import { invalidArg } from '../../vocabulary/errors.js';
import { execve, type LegacyExecFile } from '../legacy/exec.js';
import { done, forkTask, taskOf } from '../legacy/system.js';
import { createContext, endSetup, migrateTask } from './context.js';
import { sysVserver, VCMD } from './commands.js';
import { guestCapabilities, type GuestCapabilityFiles, type UtilVserverOptions } from './config.js';
import { SPEC, type RuleStep, type LegacySystem, type LegacyTransition, type VserverMaskPolicy } from '../legacy/types.js';

export { capableAnswer, contextOf, type CapableAnswer } from '../legacy/capable.js';
export {
  createContext, endSetup, findContext, maskTask, migrateTask, procStatusCaps, vxCapable,
  type CreateContextOptions, type ProcCapLines,
} from './context.js';
export { NR_VSERVER_X86_64, sysVserver, VC_CAT_FLAGS, VCMD, vcCmd, type SysVserverOptions, type VserverCommandData } from './commands.js';
export {
  guestCapabilities, parseCapabilityList, secureBcaps, secureCcaps, VserverConfigError,
  type GuestCapabilities, type GuestCapabilityFiles, type UtilVserverOptions,
} from './config.js';
export { bcapFromWord, ccapFromWord, UTIL_VSERVER_ERAS, VXC, type UtilVserverEra, type VxcName } from './names.js';
export { parseList, strtoll, type ListParseError, type ValueMask } from './listparser.js';
export { evalDoubleQuoted, readLines, type ShellLine } from './shell.js';
export {
  CAP_CONTEXT, VXF_INIT_SET, VXF_PERSISTENT, VXF_STATE_ADMIN, VXF_STATE_INIT, VXF_STATE_SETUP,
  type VserverMaskPolicy, type VxContext,
} from '../legacy/types.js';

/** A failed step as the caller's failure: the original system, the step's errno, rule and reason. */
function failed(system: LegacySystem, t: LegacyTransition<unknown>): LegacyTransition<number> {
  const out: { -readonly [K in keyof LegacyTransition<number>]: LegacyTransition<number>[K] } = { state: system, rule: t.rule };
  if (t.errno !== undefined) out.errno = t.errno;
  if (t.reason !== undefined) out.reason = t.reason;
  if (t.steps !== undefined) out.steps = t.steps;
  return out;
}

function chain<R>(steps: RuleStep[], t: LegacyTransition<R>, what: string): LegacyTransition<R> {
  if (t.errno !== undefined) {
    return { ...t, reason: `${what}: ${t.reason ?? ''}`, steps: [...steps, ...(t.steps ?? [])] };
  }
  steps.push(...(t.steps ?? []));
  if (t.reason) steps.push({ rule: t.rule, reason: `${what}: ${t.reason}` });
  return t;
}

/** Options of {@link startGuest}. */
export interface StartGuestOptions extends UtilVserverOptions {
  /** The guest's config files (absent = util-vserver's secure defaults). */
  files?: GuestCapabilityFiles;
  /** The guest's init program (default a root-owned /sbin/init). */
  init?: LegacyExecFile;
  /** Masking policy on context entry (default: the system's). */
  policy?: VserverMaskPolicy;
}

/**
 * `vserver NAME start` from host task `hostPid` (kernel-semantics §4.2, §4.8): fork, create the
 * context (STATE_SETUP; cap_bset := the global cap-bound now), `vattribute --set --secure …`
 * from the config files through sys_vserver, exec the guest's init, end STATE_SETUP. `result`
 * is the guest init's pid. A config error throws VserverConfigError before anything changes.
 */
export function startGuest(system: LegacySystem, hostPid: number, xid: number, options: StartGuestOptions = {}): LegacyTransition<number> {
  taskOf(system, hostPid);
  const caps = guestCapabilities(options.files ?? {}, options);
  const steps: RuleStep[] = [...caps.steps];
  const child = chain(steps, forkTask(system, hostPid, 'vserver'), 'fork');
  const pid = child.result!;
  const created = chain(steps, createContext(child.state, pid, xid, { policy: options.policy }), 'vcontext --create');
  if (created.errno !== undefined) return failed(system, created);
  const setB = chain(steps, sysVserver(created.state, pid, VCMD.set_bcaps, xid, { bcaps: caps.bcaps, bmask: caps.bmask }), 'vattribute (bcaps)');
  if (setB.errno !== undefined) return failed(system, setB);
  const setC = chain(steps, sysVserver(setB.state, pid, VCMD.set_ccaps, xid, { ccaps: caps.ccaps, cmask: caps.cmask }), 'vattribute (ccaps)');
  if (setC.errno !== undefined) return failed(system, setC);
  const init = chain(steps, execve(setC.state, pid, options.init ?? { name: 'init' }), 'exec init');
  if (init.errno !== undefined) return failed(system, init);
  const ended = chain(steps, endSetup(init.state, pid, { policy: options.policy }), 'endsetup');
  if (ended.errno !== undefined) return failed(system, ended);
  return done(ended.state, `${SPEC} §4.2`, pid, `guest ${xid} started; init is pid ${pid}`, steps);
}

/**
 * `vserver NAME exec CMD` from host task `hostPid`: fork, `vcontext --migrate` into `xid`
 * (masking by the policy), exec CMD as root inside the guest (§4.4: X = the context's
 * cap_bset). `result` is the new task's pid.
 */
export function execInGuest(system: LegacySystem, hostPid: number, xid: number, file: LegacyExecFile = {}, options: { policy?: VserverMaskPolicy } = {}): LegacyTransition<number> {
  if (!Number.isInteger(xid)) throw invalidArg('xid', xid, 'a context id');
  const steps: RuleStep[] = [];
  const child = chain(steps, forkTask(system, hostPid, 'vcontext'), 'fork');
  const pid = child.result!;
  const moved = chain(steps, migrateTask(child.state, pid, xid, options), 'vcontext --migrate');
  if (moved.errno !== undefined) return failed(system, moved);
  const ran = chain(steps, execve(moved.state, pid, file), `exec ${file.name ?? 'command'}`);
  if (ran.errno !== undefined) return failed(system, ran);
  return done(ran.state, `${SPEC} §4.4`, pid, undefined, steps);
}

