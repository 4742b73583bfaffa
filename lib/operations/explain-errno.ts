/**
 * What a credential step does to a thread's state, and why the kernel refused one: the rules
 * of kernel-semantics §2.3 (capset) and §2.5 (prctl), small and self-contained. Pure.
 *
 * `applyStep` is used to compute the state a program must leave (the verification target)
 * and the state just before a failed step (to explain the failure).
 */
import { CapSet } from '../vocabulary/capset.js';
import { capToName } from '../vocabulary/names.js';
import { syscallError, type CapsError } from '../vocabulary/errors.js';
import { applyStep as modelStep, createCred, createKernel, credOpToStep } from '../model/modern/kernel.js';
import type { CredOp, CredProgram, OpFailure } from '../vocabulary/types.js';
import { CAP_SETPCAP, EINVAL, EPERM, SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE } from '../vocabulary/abi.js';

/** The per-thread attributes a program changes. */
export interface CredState {
  effective: CapSet;
  permitted: CapSet;
  inheritable: CapSet;
  bounding: CapSet;
  ambient: CapSet;
  securebits: number;
  noNewPrivs: boolean;
}

/** Every securebit 6.18 knows, and the exec-only bits 6.14+ lets change without CAP_SETPCAP (§2.5). */
const KNOWN_BITS = 0xfff;
const EXEC_BITS = 0xf00;
const LOCKS = 0xaaa;
const RULE_CAPSET = 'kernel-semantics §2.3';
const RULE_PRCTL = 'kernel-semantics §2.5';

/** `cap_x is` / `cap_x, cap_y are` (the model's wording, so both backends read alike). */
const names = (s: CapSet): string => `${s.names().join(', ')} ${s.size === 1 ? 'is' : 'are'}`;
const hex = (n: number): string => `0x${n.toString(16)}`;

/** The state after `op` succeeded (bits above `last` cleared, as the kernel does). */
export function applyStep(state: CredState, op: CredOp, last: number): CredState {
  const valid = CapSet.full(last);
  switch (op.op) {
    case 'capset': {
      const effective = op.effective.intersect(valid);
      const permitted = op.permitted.intersect(valid);
      const inheritable = op.inheritable.intersect(valid);
      return { ...state, effective, permitted, inheritable, ambient: state.ambient.intersect(permitted).intersect(inheritable) };
    }
    case 'bounding.drop': return { ...state, bounding: state.bounding.without(op.cap) };
    case 'ambient.raise': return { ...state, ambient: state.ambient.with(op.cap) };
    case 'ambient.lower': return { ...state, ambient: state.ambient.without(op.cap) };
    case 'ambient.clear': return { ...state, ambient: CapSet.EMPTY };
    case 'securebits.set': return { ...state, securebits: op.bits };
    case 'keepCaps.set': return { ...state, securebits: op.on ? state.securebits | SECBIT_KEEP_CAPS : state.securebits & ~SECBIT_KEEP_CAPS };
    case 'noNewPrivs.set': return { ...state, noNewPrivs: true };
  }
}

/** The state after the first `count` steps of `program` (all assumed to succeed). */
export function applySteps(state: CredState, program: CredProgram, last: number, count = program.length): CredState {
  let s = state;
  for (let i = 0; i < count; i++) s = applyStep(s, program[i]!, last);
  return s;
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

/** Why the kernel refused `op` with `errno` on a thread in state `s`, where the spec says. */
export function explainRefusal(s: CredState, op: CredOp, errno: number, last: number): string | undefined {
  const code = Math.abs(errno);
  const hasSetpcap = s.effective.has(CAP_SETPCAP);
  const capName = 'cap' in op ? capToName(op.cap) : '';
  switch (op.op) {
    case 'capset': {
      if (code !== EPERM) return undefined;
      const valid = CapSet.full(last);
      const e = op.effective.intersect(valid), p = op.permitted.intersect(valid), i = op.inheritable.intersect(valid);
      // Checked in this order by the kernel (§2.3 a–d).
      if (!hasSetpcap && !i.isSubsetOf(s.inheritable.union(s.permitted))) {
        return `I' ⊄ I ∪ P without cap_setpcap in E: ${names(i.minus(s.inheritable.union(s.permitted)))} in neither I nor P`;
      }
      if (!i.isSubsetOf(s.inheritable.union(s.bounding))) {
        return `I' ⊄ I ∪ B: ${names(i.minus(s.inheritable.union(s.bounding)))} not in the bounding set`;
      }
      if (!p.isSubsetOf(s.permitted)) return `P' ⊄ P: ${names(p.minus(s.permitted))} not in the permitted set`;
      if (!e.isSubsetOf(p)) return `E' ⊄ P': ${names(e.minus(p))} not in the new permitted set`;
      return undefined;
    }
    case 'bounding.drop':
      if (code === EPERM && !hasSetpcap) return `dropping ${capName} from the bounding set needs cap_setpcap in E`;
      if (code === EINVAL && op.cap > last) return `${capName} is not a valid capability (last is ${last})`;
      return undefined;
    case 'ambient.raise':
      if (code === EINVAL && op.cap > last) return `${capName} is not a valid capability (last is ${last})`;
      if (code !== EPERM) return undefined;
      if (!s.permitted.has(op.cap) || !s.inheritable.has(op.cap)) {
        const where = !s.permitted.has(op.cap) ? (!s.inheritable.has(op.cap) ? 'in neither P nor I' : 'not in P') : 'not in I';
        return `ambient raise needs the cap in P and I: ${capName} is ${where}`;
      }
      if (s.securebits & SECBIT_NO_CAP_AMBIENT_RAISE) return 'ambient raise needs the cap in P and I: SECBIT_NO_CAP_AMBIENT_RAISE is set';
      return undefined;
    case 'ambient.lower':
      if (code === EINVAL && op.cap > last) return `${capName} is not a valid capability (last is ${last})`;
      return undefined;
    case 'securebits.set': {
      if (code !== EPERM) return undefined;
      const sb = s.securebits, v = op.bits;
      const lockedChange = ((sb & LOCKS) >>> 1) & (sb ^ v);
      if (lockedChange) return `locked securebits would change (${hex(lockedChange)})`;
      const lockCleared = sb & LOCKS & ~v;
      if (lockCleared) return `securebits locks cannot be cleared (${hex(lockCleared)})`;
      if (v & ~KNOWN_BITS) return `unknown securebits ${hex(v & ~KNOWN_BITS)} (valid: ${hex(KNOWN_BITS)})`;
      const change = sb ^ v;
      if (!hasSetpcap) {
        // 6.14+ lets the exec bits alone change without CAP_SETPCAP (§2.5): a refusal of such a
        // change means an older kernel.
        return change !== 0 && (change & ~EXEC_BITS) === 0
          ? 'changing securebits needs cap_setpcap in E'
          : 'changing securebits other than the exec bits (0xf00), or changing nothing, needs cap_setpcap in E';
      }
      return undefined;
    }
    case 'keepCaps.set':
      if (code === EPERM && s.securebits & SECBIT_KEEP_CAPS_LOCKED) return 'SECBIT_KEEP_CAPS_LOCKED is set';
      return undefined;
    case 'noNewPrivs.set':
      return undefined;
  }
}

/**
 * The model's explanation (lib/model/modern/kernel.ts), so the kernel and the model backends give the
 * same words; used only when the model predicts the errno the kernel actually gave.
 */
function modelExplanation(s: CredState, op: CredOp, errno: number, last: number): { reason: string; rule: string } | undefined {
  try {
    const cred = createCred(createKernel({ lastCap: last }), {
      effective: s.effective.toMask(), permitted: s.permitted.toMask(), inheritable: s.inheritable.toMask(),
      bounding: s.bounding.toMask(), ambient: s.ambient.toMask(), securebits: s.securebits, noNewPrivs: s.noNewPrivs,
    });
    const t = modelStep(createKernel({ lastCap: last }), cred, credOpToStep(op));
    if (t.errno !== undefined && Math.abs(t.errno) === Math.abs(errno) && t.reason) return { reason: t.reason, rule: t.rule };
  } catch {
    // a state the model does not take (e.g. securebits of a newer kernel): use our own rules
  }
  return undefined;
}

/** The error for a refused step, with the kernel's errno and, where known, the reason and rule. */
export function refusalError(program: CredProgram, failure: OpFailure, before: CredState, last: number, tids?: number[]): CapsError {
  const op = program[failure.index]!;
  const d = describeStep(op);
  let reason = failure.reason;
  let rule = failure.rule;
  if (reason === undefined) {
    const at = applySteps(before, program, last, failure.index);
    const model = modelExplanation(at, op, failure.errno, last);
    reason = model?.reason ?? explainRefusal(at, op, failure.errno, last);
    rule = model?.rule ?? (d.syscall === 'capset' ? RULE_CAPSET : RULE_PRCTL);
  }
  return syscallError({
    errno: failure.errno,
    syscall: d.syscall,
    detail: d.detail,
    op: d.op,
    ...(d.cap === undefined ? {} : { cap: d.cap }),
    ...(reason === undefined ? {} : { reason, rule: rule ?? (d.syscall === 'capset' ? RULE_CAPSET : RULE_PRCTL) }),
    ...(tids === undefined ? {} : { tids }),
  });
}
