/**
 * The text of `/proc/sys/kernel/cap-bound` (kernel-semantics §3.2), the one place it is written
 * and read: the kernel prints the 32-bit bound with `%d`, so `0xfffffeff` reads `-257`. How the
 * kernel parses a write (its integer sysctl handler) is a kernel rule: model/legacy/capbound.ts.
 * Pure.
 */
import { invalidArg } from '../vocabulary/errors.js';

const ALL32 = 0xffffffffn;

/** The kernel's `%d` of a 32-bit cap-bound: `0xfffffeff` → `'-257'`. CapsError outside 0..2^32-1. */
export function formatCapBound(mask: bigint): string {
  if (typeof mask !== 'bigint' || mask < 0n || mask > ALL32) throw invalidArg('cap-bound mask', mask, 'a bigint from 0n to 0xffffffffn');
  return BigInt.asIntN(32, mask).toString();
}

/** The unsigned mask of what the kernel prints (one signed 32-bit decimal), or undefined for anything else. */
export function readCapBoundText(text: string): bigint | undefined {
  const m = /^\s*(-?\d{1,10})\s*$/.exec(text);
  const value = m ? BigInt(m[1]!) : undefined;
  if (value === undefined || value < -(2n ** 31n) || value > ALL32) return undefined;
  return BigInt.asUintN(32, value);
}
