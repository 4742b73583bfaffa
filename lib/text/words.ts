/**
 * Conversions between CapSets (64-bit bigint masks) and the pairs of unsigned 32-bit words the
 * text parsers and formatters work on: bigint arithmetic allocates, 32-bit integer arithmetic
 * does not, so the hot loops stay in words and cross to bigint once per set.
 */
import { CapSet, type CapSetInput } from '../vocabulary/capset.js';

const TWO_32 = 4294967296;
const SAFE_MASK_LIMIT = 0x1fffffffffffffn;

/** Low word of the last split (set by splitSet, to return two numbers without an array). */
export let splitLow = 0;
/** High word of the last split. */
export let splitHigh = 0;

/** Splits a set input into splitLow/splitHigh; undefined is the empty set. */
export function splitSet(input: CapSetInput | undefined): void {
  let mask: bigint;
  if (input instanceof CapSet) mask = input.toMask();
  else if (input === undefined) mask = 0n;
  else mask = CapSet.from(input).toMask();
  if (mask <= SAFE_MASK_LIMIT) {
    const n = Number(mask);
    splitLow = n >>> 0;
    splitHigh = (n - splitLow) / TWO_32;
  } else {
    splitLow = Number(mask & 0xffffffffn);
    splitHigh = Number(mask >> 32n);
  }
}

// CapSets are immutable, so the ones made recently can be handed out again: a small
// direct-mapped cache keyed by the two words saves the bigint and CapSet allocations for
// the sets a program parses over and over (its own few capability strings, =ep, …).
const CACHE_SIZE = 256;
const cachedLow = new Int32Array(CACHE_SIZE);
const cachedHigh = new Int32Array(CACHE_SIZE);
const cachedSet: (CapSet | undefined)[] = new Array<CapSet | undefined>(CACHE_SIZE).fill(undefined);

/** The CapSet of two 32-bit words (either sign; read as unsigned). */
export function joinWords(low: number, high: number): CapSet {
  low |= 0;
  high |= 0;
  if ((low | high) === 0) return CapSet.EMPTY;
  const slot = (Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b) >>> 24) & (CACHE_SIZE - 1);
  const hit = cachedSet[slot];
  if (hit !== undefined && cachedLow[slot] === low && cachedHigh[slot] === high) return hit;
  const lo = low >>> 0;
  const hi = high >>> 0;
  const set = hi < 0x200000 ? CapSet.fromMask(BigInt(hi * TWO_32 + lo)) : CapSet.fromMask((BigInt(hi) << 32n) | BigInt(lo));
  cachedLow[slot] = low;
  cachedHigh[slot] = high;
  cachedSet[slot] = set;
  return set;
}
