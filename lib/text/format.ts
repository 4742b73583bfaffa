/**
 * formatCaps: libcap 2.66 `cap_to_text`, byte for byte (text-formats §2.3).
 */
import { invalidArg } from '../vocabulary/errors.js';
import { CAP_NAMES, MAX_CAP } from '../vocabulary/names.js';
import { resolveKernelSize, type TextOptions } from './options.js';
import type { CapTripleInput } from './types.js';
import { splitHigh, splitLow, splitSet } from './words.js';

/** A bit's state t = e·1 + p·2 + i·4; its letters are always printed in the order e, i, p. */
const LETTERS = ['', 'e', 'p', 'ep', 'i', 'ei', 'ip', 'eip'] as const;
/** libcap's name, or the decimal number beyond its table (whatever the kernel supports). */
const NAME: string[] = Array.from({ length: MAX_CAP + 1 }, (_, cap) => CAP_NAMES[cap] ?? String(cap));
const COMMA_NAME: string[] = NAME.map((name) => `,${name}`);
/** SUFFIX[m * 8 + t]: what a clause of state t says relative to the base state m. */
const SUFFIX: string[] = [];
for (let m = 0; m < 8; m++) {
  for (let t = 0; t < 8; t++) {
    const raised = t & ~m;
    const lowered = m & ~t;
    SUFFIX.push((raised ? `+${LETTERS[raised]}` : '') + (lowered ? `-${LETTERS[lowered]}` : ''));
  }
}

// Per-call scratch (formatCaps never re-enters): one mask per state and word, and the counts.
const stateLow = new Int32Array(8);
const stateHigh = new Int32Array(8);
const histogram = new Int32Array(8);

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Comma-joined names of the bits of (low, high), ascending. */
function listNames(low: number, high: number): string {
  let out: string;
  let bit: number;
  if (low !== 0) {
    bit = low & -low;
    out = NAME[31 - Math.clz32(bit)]!;
    low ^= bit;
  } else {
    bit = high & -high;
    out = NAME[63 - Math.clz32(bit)]!;
    high ^= bit;
  }
  while (low !== 0) {
    bit = low & -low;
    out += COMMA_NAME[31 - Math.clz32(bit)]!;
    low ^= bit;
  }
  while (high !== 0) {
    bit = high & -high;
    out += COMMA_NAME[63 - Math.clz32(bit)]!;
    high ^= bit;
  }
  return out;
}

/** Fills stateLow/stateHigh with, for each state t, the bits in that state. */
function classify(e0: number, e1: number, p0: number, p1: number, i0: number, i1: number): void {
  for (let t = 0; t < 8; t++) {
    stateLow[t] = (t & 1 ? e0 : ~e0) & (t & 2 ? p0 : ~p0) & (t & 4 ? i0 : ~i0);
    stateHigh[t] = (t & 1 ? e1 : ~e1) & (t & 2 ? p1 : ~p1) & (t & 4 ? i1 : ~i1);
  }
}

/**
 * Prints capability sets the way libcap 2.66 `cap_to_text` does (what getpcaps, capsh and
 * getcap print): the most common state among the kernel's capabilities as the base clause
 * (ties to the smallest state), then one clause per other state from eip down to none,
 * compacted to `cap_x=ep` when the base is empty, then any set bits beyond the kernel
 * (up to `options.lastCap`, default the running kernel's) as `+` clauses.
 * Omitted sets are empty; each set may be a CapSet, a bigint mask or names/numbers.
 *
 * @example formatCaps({ effective: ['cap_chown'], permitted: ['cap_chown', 'cap_kill'] })
 *   // 'cap_chown=ep cap_kill+p'
 */
export function formatCaps(caps: CapTripleInput, options?: TextOptions): string {
  if (caps === null || typeof caps !== 'object') {
    throw invalidArg('capability sets', caps, 'an object { effective?, permitted?, inheritable? }');
  }
  const kernel = resolveKernelSize(options);
  splitSet(caps.effective);
  const e0 = splitLow | 0, e1 = splitHigh | 0;
  splitSet(caps.permitted);
  const p0 = splitLow | 0, p1 = splitHigh | 0;
  splitSet(caps.inheritable);
  const i0 = splitLow | 0, i1 = splitHigh | 0;
  classify(e0, e1, p0, p1, i0, i1);

  // The base state m: the most common one among the kernel's bits, ties to the smallest.
  const k0 = kernel.low | 0, k1 = kernel.high | 0;
  let m = 7;
  for (let t = 7; t >= 0; t--) {
    histogram[t] = popcount(stateLow[t]! & k0) + popcount(stateHigh[t]! & k1);
    if (histogram[t]! >= histogram[m]!) m = t;
  }

  let out = m === 0 ? '' : `=${LETTERS[m]}`;
  for (let t = 7; t >= 0; t--) {
    if (t === m || histogram[t] === 0) continue;
    const names = listNames(stateLow[t]! & k0, stateHigh[t]! & k1);
    // Since libcap 2.41 `= cap_x+ep …` is shortened to `cap_x=ep …` (§2.3 step 4).
    if (out === '') out = `${names}=${LETTERS[t]}`;
    else out += ` ${names}${SUFFIX[m * 8 + t]}`;
  }
  if (out === '') out = '=';

  // Bits the kernel does not support: always '+', never folded into the base (§2.3 step 5).
  const u0 = ~k0, u1 = ~k1;
  if ((((e0 | p0 | i0) & u0) | ((e1 | p1 | i1) & u1)) !== 0) {
    for (let t = 7; t >= 1; t--) {
      const low = stateLow[t]! & u0, high = stateHigh[t]! & u1;
      if ((low | high) !== 0) out += ` ${listNames(low, high)}+${LETTERS[t]}`;
    }
  }
  return out;
}
