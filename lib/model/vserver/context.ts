/**
 * Linux-VServer contexts (kernel-semantics §4.2–§4.5): creating and entering a context with a
 * masking policy, the end of STATE_SETUP, `vx_capable`, and what /proc shows a guest.
 */
import { capFromName, type CapLike } from '../../vocabulary/names.js';
import { invalidArg } from '../../vocabulary/errors.js';
import { capNames } from '../masks.js';
import { capableAnswer, contextOf, type CapableAnswer } from '../legacy/capable.js';
import { done, hex32, refuse, taskOf, withTask } from '../legacy/system.js';
import {
  ALL32, CAP_CONTEXT, CAP_SYS_ADMIN, NSP, SPEC, VXF_INIT_SET, VXF_STATE_SETUP,
  type RuleStep, type LegacySystem, type LegacyTask, type LegacyTransition, type VserverMaskPolicy, type VxContext,
} from '../legacy/types.js';
import { EEXIST, ENOSYS, EPERM, ESRCH } from '../../vocabulary/abi.js';


function requireVserver(system: LegacySystem): void {
  if (!system.vserver) throw invalidArg('system', system.kernel, 'a system booted with { kernel: \'2.6.22\', vserver: true }');
}

function policyOf(system: LegacySystem, policy: VserverMaskPolicy | undefined): VserverMaskPolicy {
  const p = policy ?? system.maskPolicy;
  if (p !== 'upstream' && p !== 'bcaps') throw invalidArg('maskPolicy', p, "'upstream' or 'bcaps'");
  return p;
}

/** The context with this xid; undefined if none. */
export function findContext(system: LegacySystem, xid: number): VxContext | undefined {
  return system.contexts.find((v) => v.xid === xid);
}

function withContext(system: LegacySystem, v: VxContext): LegacySystem {
  const exists = system.contexts.some((c) => c.xid === v.xid);
  return { ...system, contexts: exists ? system.contexts.map((c) => (c.xid === v.xid ? v : c)) : [...system.contexts, v] };
}

/**
 * `vx_mask_cap_bset(v, t)` (kernel-semantics §4.2): `E, P, I &= mask`, with mask = the
 * context's cap_bset ('upstream', vs2.3.0.34) or its bcaps truncated to 32 bits ('bcaps', the
 * seed's patch). Returns the masked task and the step that explains it.
 */
export function maskTask(task: LegacyTask, v: VxContext, policy: VserverMaskPolicy): {
  /** The task with its sets masked. */
  task: LegacyTask;
  /** The rule applied and what it removed. */
  step: RuleStep;
} {
  const mask = policy === 'upstream' ? v.capBset : v.bcaps & ALL32;
  const lost = (task.effective | task.permitted | task.inheritable) & ~mask;
  const what = policy === 'upstream' ? `cap_bset ${hex32(mask)} (upstream vs2.3.0.34)` : `bcaps ${hex32(mask)} (seed patch)`;
  return {
    task: { ...task, effective: task.effective & mask, permitted: task.permitted & mask, inheritable: task.inheritable & mask },
    step: { rule: `${SPEC} §4.2`, reason: `pid ${task.pid} enters context ${v.xid}: E, P, I &= ${what}; lost ${capNames(lost)}` },
  };
}

/** Options of {@link createContext}. */
export interface CreateContextOptions {
  /** Initial flags (default VXF_INIT_SET = STATE_SETUP | STATE_INIT | STATE_ADMIN). */
  flags?: bigint;
  /** Masking policy for the creator's migration (default: the system's). */
  policy?: VserverMaskPolicy;
}

/**
 * `vc_ctx_create(xid)` by a host task (kernel-semantics §4.2): bcaps := NSP, ccaps := 0,
 * cap_bset := the global cap-bound *now* (never updated later), then the creator is migrated
 * (and masked). Needs CAP_CONTEXT (ENOSYS) and CAP_SYS_ADMIN (EPERM) like every sys_vserver
 * command; a guest cannot create contexts [UNV: modelled EPERM]; an existing xid → EEXIST.
 */
export function createContext(system: LegacySystem, callerPid: number, xid: number, options: CreateContextOptions = {}): LegacyTransition<number> {
  requireVserver(system);
  const caller = taskOf(system, callerPid);
  if (!Number.isInteger(xid) || xid < 2 || xid > 65535) throw invalidArg('xid', xid, 'a context id from 2 to 65535');
  const flags = options.flags ?? VXF_INIT_SET;
  if (typeof flags !== 'bigint' || flags < 0n) throw invalidArg('context flags', flags, 'a non-negative bigint');
  const policy = policyOf(system, options.policy);
  const gate = gateAnswer(system, caller);
  if (gate) return refuse(system, gate.errno, gate.rule, gate.reason);
  if (caller.xid !== 0) return refuse(system, EPERM, `${SPEC} §4.2`, `pid ${caller.pid} is in context ${caller.xid}; contexts are created from the host [UNV]`);
  if (findContext(system, xid)) return refuse(system, EEXIST, `${SPEC} §4.2`, `context ${xid} exists`);
  const v: VxContext = { xid, flags, bcaps: NSP, ccaps: 0n, capBset: system.capBound };
  const created: RuleStep = { rule: `${SPEC} §4.2`, reason: `context ${xid}: bcaps := NSP, ccaps := 0, cap_bset := X = ${hex32(system.capBound)} (a snapshot)` };
  const moved = migrateTask(withContext(system, v), callerPid, xid, { policy });
  return done(moved.state, `${SPEC} §4.2`, xid, undefined, [created, ...(moved.steps ?? [])]);
}

/**
 * `vx_migrate_task(t, v)` (vcontext --migrate, `vserver NAME exec`): the task joins context
 * `xid` and is masked by the policy (kernel-semantics §4.2).
 */
export function migrateTask(system: LegacySystem, pid: number, xid: number, options: { policy?: VserverMaskPolicy } = {}): LegacyTransition<number> {
  requireVserver(system);
  const task = taskOf(system, pid);
  const policy = policyOf(system, options.policy);
  const v = findContext(system, xid);
  if (v === undefined) return refuse(system, ESRCH, `${SPEC} §4.2`, `no context ${xid}`);
  const { task: masked, step } = maskTask({ ...task, xid }, v, policy);
  return done(withTask(system, masked), `${SPEC} §4.2`, 0, undefined, [step]);
}

/**
 * The end of STATE_SETUP for the caller's own context (`vcontext --endsetup`, or
 * vc_set_cflags clearing STATE_SETUP): the flag is cleared and the caller is masked again
 * (kernel-semantics §4.2). From then on capable() applies bcaps.
 */
export function endSetup(system: LegacySystem, pid: number, options: { policy?: VserverMaskPolicy } = {}): LegacyTransition<number> {
  requireVserver(system);
  const task = taskOf(system, pid);
  const v = contextOf(system, task);
  if (v === undefined) return refuse(system, ESRCH, `${SPEC} §4.2`, `pid ${pid} is not in a context`);
  if ((v.flags & VXF_STATE_SETUP) === 0n) return refuse(system, EPERM, `${SPEC} §4.6`, `context ${v.xid} already left STATE_SETUP (a one-time flag)`);
  const cleared = { ...v, flags: v.flags & ~VXF_STATE_SETUP };
  const { task: masked, step } = maskTask(task, cleared, policyOf(system, options.policy));
  return done(withTask(withContext(system, cleared), masked), `${SPEC} §4.2`, 0, `context ${v.xid} leaves STATE_SETUP`, [step]);
}

/** The permission gate every sys_vserver command starts with (kernel-semantics §4.6). */
export function gateAnswer(system: LegacySystem, caller: LegacyTask): { errno: number; rule: string; reason: string } | undefined {
  const context = capableAnswer(system, caller, CAP_CONTEXT);
  if (!context.ok) return { errno: ENOSYS, rule: `${SPEC} §4.6`, reason: `capable(CAP_CONTEXT) is false, so sys_vserver answers ENOSYS: ${context.reason.replace('cap_setfcap', 'bit 31 (CAP_CONTEXT)')}` };
  const admin = capableAnswer(system, caller, CAP_SYS_ADMIN);
  if (!admin.ok) return { errno: EPERM, rule: `${SPEC} §4.6`, reason: `sys_vserver needs cap_sys_admin: ${admin.reason}` };
  return undefined;
}

/**
 * `vx_capable(cap, ccap)` (kernel-semantics §4.3): `capable(cap)` or, inside a context, the raw
 * E bit together with the context capability `ccap` (a VXC_* bit). Under the seed's 'bcaps'
 * policy the raw bit is gone for caps outside bcaps, so the ccap path no longer helps (§5.2).
 */
export function vxCapable(system: LegacySystem, pid: number, cap: CapLike, ccap: bigint): CapableAnswer {
  const task = taskOf(system, pid);
  const c = capFromName(cap);
  if (typeof ccap !== 'bigint' || ccap <= 0n) throw invalidArg('ccap', ccap, 'a VXC_* bit such as VXC.SET_UTSNAME');
  const plain = capableAnswer(system, task, c);
  if (plain.ok) return plain;
  const v = contextOf(system, task);
  if (v === undefined) return plain;
  const raw = ((task.effective >> BigInt(c)) & 1n) === 1n;
  const hasCcap = (v.ccaps & ccap) === ccap;
  if (raw && hasCcap) return { ok: true, rule: `${SPEC} §4.3`, reason: `${plain.reason}, but the raw E bit and context capability 0x${ccap.toString(16)} allow it (vx_capable)` };
  return {
    ok: false, rule: `${SPEC} §4.3`,
    reason: raw ? `${plain.reason}, and context ${v.xid} lacks context capability 0x${ccap.toString(16)}` : `${plain.reason}; vx_capable needs the raw E bit, which is gone`,
  };
}

/** What `/proc/PID/status` shows (kernel-semantics §4.3): sets ∩ bcaps for guests outside SETUP. */
export interface ProcCapLines {
  /** The CapInh line's value. */
  readonly CapInh: string;
  /** The CapPrm line's value. */
  readonly CapPrm: string;
  /** The CapEff line's value. */
  readonly CapEff: string;
}

/** `/proc/PID/status` CapInh/CapPrm/CapEff of task `pid`, 16 hex digits each, masked as a guest sees them. */
export function procStatusCaps(system: LegacySystem, pid: number): ProcCapLines {
  const task = taskOf(system, pid);
  const v = contextOf(system, task);
  const mask = v && (v.flags & VXF_STATE_SETUP) === 0n ? v.bcaps : (1n << 64n) - 1n;
  const hex = (m: bigint): string => (m & mask).toString(16).padStart(16, '0');
  return { CapInh: hex(task.inheritable), CapPrm: hex(task.permitted), CapEff: hex(task.effective) };
}
