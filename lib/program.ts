/**
 * Credential programs: the public steps `caps.apply()` takes, their translation into
 * `CredProgram` (one syscall per step), securebits names, and the addon's encoding.
 * Pure: no I/O.
 */
import { CapSet, type CapSetInput } from './capset.js';
import { capFromName, type CapLike } from './names.js';
import { invalidArg } from './errors.js';
import type { CredOp, CredProgram } from './types.js';

/** Securebits by name (kernel-semantics §2.5.3); bit n's lock is bit n+1. */
export const SECUREBITS: Readonly<Record<string, number>> = Object.freeze({
  noroot: 0x1,
  noroot_locked: 0x2,
  no_setuid_fixup: 0x4,
  no_setuid_fixup_locked: 0x8,
  keep_caps: 0x10,
  keep_caps_locked: 0x20,
  no_cap_ambient_raise: 0x40,
  no_cap_ambient_raise_locked: 0x80,
  exec_restrict_file: 0x100,
  exec_restrict_file_locked: 0x200,
  exec_deny_interactive: 0x400,
  exec_deny_interactive_locked: 0x800,
});

const byLooseName = new Map(Object.entries(SECUREBITS).map(([name, bit]) => [name.replace(/_/g, ''), bit]));

/** Securebits as a number, one name, a list of names, or `{ noroot: true, … }` (absolute). */
export type SecurebitsInput = number | string | readonly string[] | Readonly<Record<string, boolean>>;

function securebitFromName(name: string): number {
  const loose = name.toLowerCase().replace(/^secbit_/, '').replace(/[_-]/g, '');
  const bit = byLooseName.get(loose);
  if (bit === undefined) throw invalidArg('securebit name', name, `one of ${Object.keys(SECUREBITS).join(', ')}`);
  return bit;
}

/** The securebits word for any SecurebitsInput (unknown numeric bits pass: the kernel refuses them). */
export function toSecurebits(input: SecurebitsInput): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0 || input > 0xffffffff) {
      throw invalidArg('securebits', input, 'an integer from 0 to 0xffffffff, names, or { noroot: true, … }');
    }
    return input;
  }
  if (typeof input === 'string') return securebitFromName(input);
  if (Array.isArray(input)) return (input as readonly string[]).reduce((bits, n) => bits | securebitFromName(String(n)), 0);
  if (input !== null && typeof input === 'object') {
    let bits = 0;
    for (const [name, on] of Object.entries(input)) {
      if (typeof on !== 'boolean') throw invalidArg(`securebit ${name}`, on, 'true or false');
      if (on) bits |= securebitFromName(name);
    }
    return bits;
  }
  throw invalidArg('securebits', input, 'an integer, names, or { noroot: true, … }');
}

/** Securebits word → the names of the bits set, e.g. ['keep_caps', 'noroot']. */
export function securebitNames(bits: number): string[] {
  return Object.entries(SECUREBITS).filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
}

/** The three sets of a capset; an omitted set is empty (absolute, like capset(2)). */
export interface CapTriple {
  effective?: CapSetInput;
  permitted?: CapSetInput;
  inheritable?: CapSetInput;
}

/** Caps given one way or another: a single cap, a list, a CapSet or a mask. */
export type CapsInput = CapLike | CapSetInput;

/** One step of `caps.apply()`; steps run in order, on every thread. */
export type CapsStep =
  | ({ op: 'set' } & CapTriple)
  | { op: 'bounding.drop'; caps: CapsInput }
  | { op: 'ambient.raise'; caps: CapsInput }
  | { op: 'ambient.lower'; caps: CapsInput }
  | { op: 'ambient.clear' }
  | { op: 'securebits.set'; bits: SecurebitsInput }
  | { op: 'keepCaps.set'; on: boolean }
  | { op: 'noNewPrivs.set' };

/** A list of capabilities in the order given (numbers), from any CapsInput. */
export function toCapList(input: CapsInput | readonly CapsInput[]): number[] {
  if (typeof input === 'number' || typeof input === 'string') return [capFromName(input)];
  if (input instanceof CapSet || typeof input === 'bigint') return CapSet.from(input).toArray();
  if (input != null && typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const out: number[] = [];
    for (const item of input as Iterable<CapsInput>) out.push(...toCapList(item));
    return out;
  }
  throw invalidArg('capabilities', input, 'a name, a number, a list of them, a CapSet or a bigint mask');
}

/** The capset step for a triple (absolute: an omitted set is empty). */
export function capsetOp(triple: CapTriple): CredOp {
  if (triple === null || typeof triple !== 'object') {
    throw invalidArg('capability sets', triple, '{ effective?, permitted?, inheritable? }');
  }
  for (const key of Object.keys(triple)) {
    if (key !== 'effective' && key !== 'permitted' && key !== 'inheritable' && key !== 'op') {
      throw invalidArg('capability set name', key, 'effective, permitted or inheritable');
    }
  }
  const set = (s: CapSetInput | undefined): CapSet => (s === undefined ? CapSet.EMPTY : CapSet.from(s));
  return { op: 'capset', effective: set(triple.effective), permitted: set(triple.permitted), inheritable: set(triple.inheritable) };
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
      case 'noNewPrivs.set': out.push({ op: 'nnp.set' }); break;
      default:
        throw invalidArg('program step', step, "{ op: 'set' | 'bounding.drop' | 'ambient.raise' | 'ambient.lower' | 'ambient.clear' | 'securebits.set' | 'keepCaps.set' | 'noNewPrivs.set', … }");
    }
  }
  if (out.length > MAX_STEPS) throw invalidArg('program length', out.length, `at most ${MAX_STEPS} syscalls`);
  return out;
}

export function keepCapsOp(on: boolean): CredOp {
  if (typeof on !== 'boolean') throw invalidArg('keepCaps', on, 'true or false');
  return { op: 'keepcaps.set', on };
}

/** The longest program a public call takes: the addon's limit (native/creds.h kMaxSteps, 256) less the convergence prefix. */
export const MAX_STEPS = 248;

const OP_CODES: Record<CredOp['op'], number> = {
  capset: 1,
  'bounding.drop': 2,
  'ambient.raise': 3,
  'ambient.lower': 4,
  'ambient.clear': 5,
  'securebits.set': 6,
  'keepcaps.set': 7,
  'nnp.set': 8,
};

const lo = (m: bigint): number => Number(m & 0xffffffffn);
const hi = (m: bigint): number => Number((m >> 32n) & 0xffffffffn);

/** The addon's encoding: 8 u32 words per step (native/README.md). */
export function encodeProgram(program: CredProgram): Uint32Array {
  const words = new Uint32Array(program.length * 8);
  program.forEach((op, i) => {
    const w = i * 8;
    words[w] = OP_CODES[op.op];
    switch (op.op) {
      case 'capset': {
        const e = op.effective.toMask(), p = op.permitted.toMask(), inh = op.inheritable.toMask();
        words[w + 2] = lo(e); words[w + 3] = hi(e);
        words[w + 4] = lo(p); words[w + 5] = hi(p);
        words[w + 6] = lo(inh); words[w + 7] = hi(inh);
        break;
      }
      case 'bounding.drop': case 'ambient.raise': case 'ambient.lower': words[w + 1] = op.cap; break;
      case 'securebits.set': words[w + 1] = op.bits >>> 0; break;
      case 'keepcaps.set': words[w + 1] = op.on ? 1 : 0; break;
      default: break;
    }
  });
  return words;
}

/** The absolute per-thread state a convergence prefix brings every thread to. */
export interface ConvergenceTarget {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  bounding: bigint;
  ambient: bigint;
  securebits: number;
  noNewPrivs: boolean;
}

/**
 * The broadcast's prefix (native/README.md, codes 9–13): on every other thread, first make
 * securebits, bounding, E/P/I, ambient and no_new_privs equal to the caller's, each a no-op
 * where they already are; then the program runs on equal threads. Order: securebits and
 * bounding while cap_setpcap may still be in E, then capset, then ambient (needs P and I).
 */
export function encodeConvergence(t: ConvergenceTarget): Uint32Array {
  const steps: Array<[number, number, bigint, bigint, bigint]> = [
    [9, t.securebits >>> 0, 0n, 0n, 0n],
    [10, 0, t.bounding, 0n, 0n],
    [11, 0, t.effective, t.permitted, t.inheritable],
    [12, 0, t.ambient, 0n, 0n],
  ];
  if (t.noNewPrivs) steps.push([13, 0, 0n, 0n, 0n]);
  const words = new Uint32Array(steps.length * 8);
  steps.forEach(([code, arg, e, p, i], k) => {
    words.set([code, arg, lo(e), hi(e), lo(p), hi(p), lo(i), hi(i)], k * 8);
  });
  return words;
}
