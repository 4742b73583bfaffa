/**
 * The capability check of a VServer kernel (kernel-semantics §4.3), which is also the plain
 * legacy check (§3.3) for host tasks and for kernels without the patch.
 */
import { capToName } from '../../vocabulary/names.js';
import { SPEC, VXF_STATE_SETUP, type LegacySystem, type LegacyTask, type VxContext } from './types.js';

/** A yes/no answer with the rule that gave it. */
export interface CapableAnswer {
  /** Whether the capability check passes. */
  readonly ok: boolean;
  /** The spec section that decided. */
  readonly rule: string;
  /** Why, in words. */
  readonly reason: string;
}

function has(mask: bigint, cap: number): boolean {
  return ((mask >> BigInt(cap)) & 1n) === 1n;
}

/** The context a task belongs to; undefined for host tasks (xid 0) or a kernel without VServer. */
export function contextOf(system: LegacySystem, task: LegacyTask): VxContext | undefined {
  if (!system.vserver || task.xid === 0) return undefined;
  return system.contexts.find((v) => v.xid === task.xid);
}

/**
 * `capable(c)` for a task: legacy `c ∈ E` (§3.3); inside a VServer context that is not in
 * STATE_SETUP, `c ∈ E ∩ bcaps` (§4.3).
 */
export function capableAnswer(system: LegacySystem, task: LegacyTask, cap: number): CapableAnswer {
  const name = capToName(cap);
  const v = contextOf(system, task);
  if (!has(task.effective, cap)) {
    return { ok: false, rule: v ? `${SPEC} §4.3` : `${SPEC} §3.3`, reason: `${name} is not in the effective set of pid ${task.pid}` };
  }
  if (v === undefined) return { ok: true, rule: `${SPEC} §3.3`, reason: `${name} is in the effective set` };
  if ((v.flags & VXF_STATE_SETUP) !== 0n) {
    return { ok: true, rule: `${SPEC} §4.3`, reason: `${name} is in E and context ${v.xid} is in STATE_SETUP (bcaps not applied)` };
  }
  if (!has(v.bcaps, cap)) {
    return { ok: false, rule: `${SPEC} §4.3`, reason: `${name} is in E but not in the bcaps of context ${v.xid}` };
  }
  return { ok: true, rule: `${SPEC} §4.3`, reason: `${name} is in E ∩ bcaps of context ${v.xid}` };
}

/** Whether the task passes `capable(cap)` (kernel-semantics §3.3 / §4.3). */
export function capableOf(system: LegacySystem, task: LegacyTask, cap: number): boolean {
  return capableAnswer(system, task, cap).ok;
}
