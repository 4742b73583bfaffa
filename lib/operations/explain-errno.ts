/**
 * What a credential program leaves on a thread, and why the kernel refused a step: both asked of
 * the model (lib/model/modern; kernel-semantics §2.3 capset, §2.5 prctl), so no rule is stated
 * twice. Pure.
 *
 * `predictSteps` gives the state a program must leave (the verification target) and the state
 * just before a failed step (to explain the failure); `refusalError` turns a refused step into
 * the error, with the model's reason and rule where the model predicts the kernel's errno.
 */
import { CapSet } from '../vocabulary/capset.js';
import { capToName } from '../vocabulary/names.js';
import { syscallError, type CapsError } from '../vocabulary/errors.js';
import type { CredInit } from '../model/modern/kernel.js';
import { loadModel } from '../model/on-demand/load.js';
import { replayOnModel } from './model-replay.js';
import type { Cred } from '../model/modern/types.js';
import type { CredOp, CredProgram, OpFailure } from '../vocabulary/types.js';
import type { ThreadTarget } from './backend.js';

/** The per-thread attributes a program changes (what a whole-process call verifies on every thread). */
export type CredState = ThreadTarget;

const RULE_CAPSET = 'kernel-semantics §2.3';
const RULE_PRCTL = 'kernel-semantics §2.5';
const hex = (n: number): string => `0x${n.toString(16)}`;

function initOf(s: CredState): CredInit {
  return {
    effective: s.effective.toMask(), permitted: s.permitted.toMask(), inheritable: s.inheritable.toMask(),
    bounding: s.bounding.toMask(), ambient: s.ambient.toMask(), securebits: s.securebits, noNewPrivs: s.noNewPrivs,
  };
}

function stateOf(c: Cred): CredState {
  return {
    effective: CapSet.fromMask(c.effective), permitted: CapSet.fromMask(c.permitted), inheritable: CapSet.fromMask(c.inheritable),
    bounding: CapSet.fromMask(c.bounding), ambient: CapSet.fromMask(c.ambient), securebits: c.securebits, noNewPrivs: c.noNewPrivs,
  };
}

/**
 * The state after the first `count` steps of `program`, as the model predicts it; undefined when
 * the model cannot say: it refuses one of those steps, or does not take the start state (a newer
 * kernel's securebits). The capset/prctl rules do not depend on ids or namespaces, so the
 * thread's capability state is all the model needs.
 */
export function predictSteps(state: CredState, program: CredProgram, last: number, count = program.length): CredState | undefined {
  const replay = replayOnModel(last, initOf(state), program.slice(0, count).map((op) => () => loadModel().credOpToStep(op)));
  return replay && !replay.refused ? stateOf(replay.cred) : undefined;
}

/** How a step shows in an error: the syscall, the kernel's name for the operation, the cap. */
export function describeStep(op: CredOp): { syscall: string; op: string; cap?: string; detail: string } {
  const withCap = (name: string, cap: number) => ({ syscall: 'prctl', op: name, cap: capToName(cap), detail: `${name} ${capToName(cap)}` });
  switch (op.op) {
    case 'capset': return { syscall: 'capset', op: 'capset', detail: `E=${op.effective.toHex()} P=${op.permitted.toHex()} I=${op.inheritable.toHex()}` };
    case 'bounding.drop': return withCap('PR_CAPBSET_DROP', op.cap);
    case 'ambient.raise': return withCap('PR_CAP_AMBIENT_RAISE', op.cap);
    case 'ambient.lower': return withCap('PR_CAP_AMBIENT_LOWER', op.cap);
    case 'ambient.clear': return { syscall: 'prctl', op: 'PR_CAP_AMBIENT_CLEAR_ALL', detail: 'PR_CAP_AMBIENT_CLEAR_ALL' };
    case 'securebits.set': return { syscall: 'prctl', op: 'PR_SET_SECUREBITS', detail: `PR_SET_SECUREBITS ${hex(op.bits)}` };
    case 'keepCaps.set': return { syscall: 'prctl', op: 'PR_SET_KEEPCAPS', detail: `PR_SET_KEEPCAPS ${op.on ? 1 : 0}` };
    case 'noNewPrivs.set': return { syscall: 'prctl', op: 'PR_SET_NO_NEW_PRIVS', detail: 'PR_SET_NO_NEW_PRIVS 1' };
  }
}

/** The model's reason and rule for `op` refused with `errno` in state `s`, when the model predicts that errno. */
export function modelRefusal(s: CredState, op: CredOp, errno: number, last: number): { reason: string; rule: string } | undefined {
  const refused = replayOnModel(last, initOf(s), [() => loadModel().credOpToStep(op)])?.refused;
  return refused?.reason && Math.abs(refused.errno) === Math.abs(errno) ? { reason: refused.reason, rule: refused.rule } : undefined;
}

/** The error for a refused step, with the kernel's errno and, where known, the reason and rule. */
export function refusalError(program: CredProgram, failure: OpFailure, before: CredState, last: number, tids?: number[]): CapsError {
  const op = program[failure.index]!;
  const d = describeStep(op);
  const at = failure.reason === undefined ? predictSteps(before, program, last, failure.index) : undefined;
  const why = failure.reason !== undefined
    ? { reason: failure.reason, rule: failure.rule ?? (d.syscall === 'capset' ? RULE_CAPSET : RULE_PRCTL) }
    : at && modelRefusal(at, op, failure.errno, last);
  return syscallError({
    errno: failure.errno,
    syscall: d.syscall,
    detail: d.detail,
    op: d.op,
    ...(d.cap === undefined ? {} : { cap: d.cap }),
    ...(why ? why : {}),
    ...(tids === undefined ? {} : { tids }),
  });
}

/**
 * For a program this library composed (setState, setMode, iab.set): the error the kernel would
 * give, from the model, before any step runs, so a composed call is never half-applied on the
 * calling thread (its helper steps, such as cap_setpcap raised into E, are not what the caller
 * asked for). Undefined where the model takes the whole program, or cannot say.
 */
export function predictedRefusal(program: CredProgram, before: CredState, last: number): CapsError | undefined {
  const refused = replayOnModel(last, initOf(before), program.map((op) => () => loadModel().credOpToStep(op)))?.refused;
  if (!refused) return undefined;
  return refusalError(program, { index: refused.index, errno: refused.errno, ...(refused.reason === undefined ? {} : { reason: refused.reason }), rule: refused.rule }, before, last);
}
