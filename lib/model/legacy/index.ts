/**
 * The legacy kernel model (2.2 … 2.6.24, global cap-bound; kernel-semantics §3): pure
 * functions from a `LegacySystem` to a `LegacyTransition` (new state, or a negative errno with
 * the rule that refused). Also the entry point for the VServer variant's shared rules.
 *
 * @example
 * ```ts
 * import { legacyModel as L } from 'linux-caps';
 * let sys = L.bootLegacy({ kernel: '2.6.22' });
 * const shell = L.forkTask(sys, 1, 'bash'); sys = shell.state;
 * sys = L.execve(sys, shell.result!, { name: 'bash' }).state;   // root: P' = X ∪ I
 * L.readCapBound(sys, shell.result!).result?.text;               // '-257'
 * ```
 *
 * @module
 */
import { capFromName, type CapLike } from '../../vocabulary/names.js';
import { capableAnswer, type CapableAnswer } from './capable.js';
import { taskOf } from './system.js';
import type { LegacySystem } from './types.js';

export * from './types.js';
export { bootLegacy, findTask, forkTask, setProcessGroup, type LegacyBootOptions } from './system.js';
export { formatCapBound, parseCapBoundWrite, readCapBound, writeCapBound, type CapBoundReading } from './capbound.js';
export { capget, capset, type LegacyCaps, type LegacyCapgetRequest, type LegacyCapsetRequest } from './capset.js';
export { execve, type LegacyExecContext, type LegacyExecFile, type LegacyExecResult } from './exec.js';
export { getKeepCaps, setfsuid, setKeepCaps, setresgid, setresuid, setreuid, setuid } from './setuid.js';
export { formatLegacyCaps, getpcapsLine, type LegacyTextOptions } from './text.js';
export type { CapableAnswer } from './capable.js';

/**
 * `capable(cap)` for task `pid`: `cap ∈ E` (kernel-semantics §3.3); inside a VServer guest not
 * in STATE_SETUP, `cap ∈ E ∩ bcaps` (§4.3). Returns the answer with its rule and reason.
 */
export function capable(system: LegacySystem, pid: number, cap: CapLike): CapableAnswer {
  return capableAnswer(system, taskOf(system, pid), capFromName(cap));
}
