/**
 * Credential programs: the public steps `caps.apply()` takes, their translation into
 * `CredProgram` (one syscall per step); the securebits names are lib/vocabulary/securebits.ts. The addon's encoding of a program
 * is lib/backend/wire.ts.
 * Pure: no I/O.
 */
import { CapSet, isCapSetData, type CapSetInput } from '../vocabulary/capset.js';
import { capFromName, type CapLike } from '../vocabulary/names.js';
import { invalidArg } from '../vocabulary/errors.js';
import type { CapTriple, CredOp, CredProgram } from '../vocabulary/types.js';
import { isSnapshot, isStateKey } from './state.js';

import { toSecurebits, type SecurebitsInput } from '../vocabulary/securebits.js';

export type { CapTriple };

/**
 * Caps given one way or another: a single cap, a list, a CapSet or a mask.
 * @example
 * const inputs: CapsInput[] = ['cap_net_raw', 13, ['cap_chown', 'cap_kill'], CapSet.of('cap_kill')];
 * inputs.length;
 */
export type CapsInput = CapLike | CapSetInput;

/**
 * One step of `caps.apply()`; steps run in order, on every thread.
 * @example
 * const steps: CapsStep[] = [
 *   { op: 'bounding.drop', caps: ['cap_sys_module'] },
 *   { op: 'keepCaps.set', on: true },
 * ];
 * caps.apply(steps);                 // one verified program on every thread
 * explain({ uid: 1000, permitted: ['cap_setpcap'], effective: ['cap_setpcap'] }, steps);   // what the kernel would do, doing nothing
 */
export type CapsStep =
  | ({
    /** Sets E, P and I (capset). */
    op: 'set';
  } & CapTriple)
  | {
    /** Removes capabilities from the bounding set. */
    op: 'bounding.drop';
    /** The capabilities to remove. */
    caps: CapsInput;
  }
  | {
    /** Adds capabilities to the ambient set (each must be in P and I). */
    op: 'ambient.raise';
    /** The capabilities to add. */
    caps: CapsInput;
  }
  | {
    /** Removes capabilities from the ambient set. */
    op: 'ambient.lower';
    /** The capabilities to remove. */
    caps: CapsInput;
  }
  | {
    /** Empties the ambient set. */
    op: 'ambient.clear';
  }
  | {
    /** Sets the securebits word. */
    op: 'securebits.set';
    /** The bits, by name or as a number. */
    bits: SecurebitsInput;
  }
  | {
    /** Sets or clears keep-caps. */
    op: 'keepCaps.set';
    /** Keep P across a change of every uid away from 0. */
    on: boolean;
  }
  | {
    /** Sets no_new_privs (it cannot be cleared). */
    op: 'noNewPrivs.set';
  };

/** A list of capabilities in the order given (numbers), from any CapsInput. */
export function toCapList(input: CapsInput | readonly CapsInput[]): number[] {
  if (typeof input === 'number' || typeof input === 'string') return [capFromName(input)];
  if (input instanceof CapSet || typeof input === 'bigint' || isCapSetData(input)) return CapSet.from(input).toArray();
  if (input != null && typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const out: number[] = [];
    for (const item of input as Iterable<CapsInput>) out.push(...toCapList(item));
    return out;
  }
  throw invalidArg('capabilities', input, 'a name, a number, a list of them, a CapSet or a bigint mask');
}

/** The capset step for a triple (absolute, like capset(2): all three sets are required). */
export function capsetOp(triple: CapTriple): CredOp {
  if (triple === null || typeof triple !== 'object') {
    throw invalidArg('capability sets', triple, '{ effective, permitted, inheritable }');
  }
  // A snapshot (thread.get(), a ProcStatus, or a clone of one) gives its E/P/I; its other
  // attributes are setState()'s to apply. Elsewhere an unknown key is refused (issue 23).
  if (!isSnapshot(triple)) {
    for (const key of Object.keys(triple)) {
      if (key === 'effective' || key === 'permitted' || key === 'inheritable' || key === 'op') continue;
      if (isStateKey(key)) throw invalidArg('capability set name', key, `effective, permitted or inheritable (setState() also takes ${key})`);
      throw invalidArg('capability set name', key, 'effective, permitted or inheritable');
    }
  }
  const missing = (['effective', 'permitted', 'inheritable'] as const).filter((k) => triple[k] === undefined);
  if (missing.length > 0) {
    throw invalidArg(`capability sets (${missing.join(', ')} missing)`, triple,
      'all three of effective, permitted and inheritable: set() is absolute, like capset(2), and would empty an omitted set; to change one set, use effective/permitted/inheritable.raise() or .lower()');
  }
  return { op: 'capset', effective: CapSet.from(triple.effective), permitted: CapSet.from(triple.permitted), inheritable: CapSet.from(triple.inheritable) };
}

/** One of the three sets, by name. */
export type SetName = 'effective' | 'permitted' | 'inheritable';

/**
 * The capset that raises or lowers `caps` in one set and keeps the other two (python-prctl's
 * `cap_effective.net_raw = False`, Go's SetFlag). Lowering a cap from P lowers it from E too,
 * since E must stay within P (kernel-semantics §2.3 rule d).
 */
export function adjustOp(current: { effective: CapSet; permitted: CapSet; inheritable: CapSet }, set: SetName, change: 'raise' | 'lower', caps: readonly number[]): CredOp {
  const delta = CapSet.of(...caps);
  const next = { effective: current.effective, permitted: current.permitted, inheritable: current.inheritable };
  next[set] = change === 'raise' ? next[set].union(delta) : next[set].minus(delta);
  if (set === 'permitted' && change === 'lower') next.effective = next.effective.minus(delta);
  return { op: 'capset', ...next };
}

/** Public steps → the one-syscall-per-step program. Throws CapsError on bad input. */
export function compileSteps(steps: readonly CapsStep[]): CredProgram {
  if (!Array.isArray(steps)) throw invalidArg('program', steps, 'an array of steps such as { op: "bounding.drop", caps: ["cap_sys_admin"] }');
  const out: CredOp[] = [];
  for (const step of steps) {
    switch (step?.op) {
      case 'set': out.push(capsetOp(step)); break;
      case 'bounding.drop': for (const cap of toCapList(step.caps)) out.push({ op: 'bounding.drop', cap }); break;
      case 'ambient.raise': for (const cap of toCapList(step.caps)) out.push({ op: 'ambient.raise', cap }); break;
      case 'ambient.lower': for (const cap of toCapList(step.caps)) out.push({ op: 'ambient.lower', cap }); break;
      case 'ambient.clear': out.push({ op: 'ambient.clear' }); break;
      case 'securebits.set': out.push({ op: 'securebits.set', bits: toSecurebits(step.bits) }); break;
      case 'keepCaps.set': out.push(keepCapsOp(step.on)); break;
      case 'noNewPrivs.set': out.push({ op: 'noNewPrivs.set' }); break;
      default:
        throw invalidArg('program step', step, "{ op: 'set' | 'bounding.drop' | 'ambient.raise' | 'ambient.lower' | 'ambient.clear' | 'securebits.set' | 'keepCaps.set' | 'noNewPrivs.set', … }");
    }
  }
  if (out.length > MAX_STEPS) throw invalidArg('program length', out.length, `at most ${MAX_STEPS} syscalls`);
  return out;
}

export function keepCapsOp(on: boolean): CredOp {
  if (typeof on !== 'boolean') throw invalidArg('keepCaps', on, 'true or false');
  return { op: 'keepCaps.set', on };
}

/** The longest program a public call takes: the addon's limit (native/creds.h kMaxSteps, 256) less the convergence prefix. */
export const MAX_STEPS = 248;
