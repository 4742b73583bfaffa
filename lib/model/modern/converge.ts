/**
 * The whole-process broadcast's prefix, as the model runs it (the kernel backend's codes 9–13,
 * lib/backend/wire.ts encodeConvergence): the steps that bring one thread to the caller's present
 * per-thread state, each only where the two differ. Order: securebits and bounding while
 * cap_setpcap may still be in E, then capset, then ambient (needs P and I), then no_new_privs.
 */
import { CapSet } from '../../vocabulary/capset.js';
import type { CredOp } from '../../vocabulary/types.js';
import type { Cred } from './types.js';

function bits(mask: bigint): number[] {
  const out: number[] = [];
  for (let cap = 0, m = mask; m !== 0n; cap++, m >>= 1n) if (m & 1n) out.push(cap);
  return out;
}

/** The steps that make `from` equal to `to` in securebits, bounding, E/P/I, ambient and nnp. */
export function convergenceOps(from: Cred, to: Cred): CredOp[] {
  const ops: CredOp[] = [];
  if (from.securebits !== to.securebits) ops.push({ op: 'securebits.set', bits: to.securebits });
  for (const cap of bits(from.bounding & ~to.bounding)) ops.push({ op: 'bounding.drop', cap });
  if (from.effective !== to.effective || from.permitted !== to.permitted || from.inheritable !== to.inheritable) {
    ops.push({ op: 'capset', effective: CapSet.fromMask(to.effective), permitted: CapSet.fromMask(to.permitted), inheritable: CapSet.fromMask(to.inheritable) });
  }
  if (from.ambient !== to.ambient) {
    ops.push({ op: 'ambient.clear' });
    for (const cap of bits(to.ambient)) ops.push({ op: 'ambient.raise', cap });
  }
  if (to.noNewPrivs && !from.noNewPrivs) ops.push({ op: 'noNewPrivs.set' });
  return ops;
}
