/**
 * The shapes the libcap text functions take and return.
 */
import type { CapSet, CapSetInput } from '../vocabulary/capset.js';
import type { CapTriple } from '../vocabulary/types.js';

/** A process's (or a file's) three capability sets, as cap_from_text returns them. */
export interface CapSetTriple {
  effective: CapSet;
  permitted: CapSet;
  inheritable: CapSet;
}

/** What formatCaps (and launch's `caps`) take: `CapTriple` with each set optional; an omitted set is empty. */
export type CapTripleInput = Partial<CapTriple>;

/**
 * libcap's IAB tuple: the Inheritable set, the Ambient set, and the capabilities Not in the
 * Bounding set (the ones `!` drops from the bounding set).
 */
export interface IAB {
  inheritable: CapSet;
  ambient: CapSet;
  notBounding: CapSet;
}

/** What formatIAB takes: each vector as a CapSet, a bigint mask or names/numbers; omitted = empty. */
export interface IABInput {
  inheritable?: CapSetInput;
  ambient?: CapSetInput;
  notBounding?: CapSetInput;
}
