/**
 * Conversions between CapSets (64-bit bigint masks) and the pairs of unsigned 32-bit words the
 * text parsers and formatters work on: bigint arithmetic allocates, 32-bit integer arithmetic
 * does not, so the hot loops stay in words and cross to bigint once per set.
 */
import { CapSet, type CapSetInput } from './capset.js';

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

/** The CapSet of two 32-bit words (either sign; read as unsigned). */
export function joinWords(low: number, high: number): CapSet {
  const lo = low >>> 0;
  const hi = high >>> 0;
  if (hi === 0 && lo === 0) return CapSet.EMPTY;
  if (hi < 0x200000) return CapSet.fromMask(BigInt(hi * TWO_32 + lo));
  return CapSet.fromMask((BigInt(hi) << 32n) | BigInt(lo));
}
