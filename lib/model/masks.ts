/**
 * Small bigint helpers shared by the model's transitions, and the words its reasons use.
 */
import { capToName } from '../vocabulary/names.js';

/** VALID = {0..last} as a mask (kernel-semantics §1). Cached per `last`. */
const validMasks: bigint[] = [];
export function validMask(last: number): bigint {
  return validMasks[last] ??= (1n << BigInt(last + 1)) - 1n;
}

/** Whether `cap` is a valid capability number for this kernel (`cap_valid`): prctl args are unsigned. */
export function capValid(cap: number, last: number): boolean {
  return Number.isInteger(cap) && cap >= 0 && cap <= last;
}

/** Bit mask of one capability. */
export function bit(cap: number): bigint {
  return 1n << BigInt(cap);
}

/** `cap_chown, cap_kill` — names of the caps in a mask (decimal beyond libcap's table). */
export function capNames(mask: bigint, limit = 6): string {
  if (mask === 0n) return '(none)';
  let names = '';
  let shown = 0;
  let more = 0;
  for (let rest = mask; rest !== 0n; rest &= rest - 1n) {
    if (shown === limit) { more++; continue; }
    const low = rest & -rest;
    const name = capToName(low.toString(2).length - 1);
    names = shown === 0 ? name : `${names}, ${name}`;
    shown++;
  }
  return more > 0 ? `${names} and ${more} more` : names;
}

/** "cap_x is" / "cap_x, cap_y are" for reasons. */
export function capNamesVerb(mask: bigint): string {
  const names = capNames(mask);
  return (mask & (mask - 1n)) === 0n ? `${names} is` : `${names} are`;
}
