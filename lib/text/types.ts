/**
 * The shapes the libcap text functions take and return.
 */
import type { CapSet, CapSetInput } from '../vocabulary/capset.js';
import type { CapTriple } from '../vocabulary/types.js';

/** A process's (or a file's) three capability sets, as cap_from_text returns them. */
export interface CapSetTriple {
  /** E. */
  effective: CapSet;
  /** P. */
  permitted: CapSet;
  /** I. */
  inheritable: CapSet;
}

/** What formatCaps (and launch's `caps`) take: `CapTriple` with each set optional; an omitted set is empty. */
export type CapTripleInput = Partial<CapTriple>;

/**
 * libcap's IAB tuple: the Inheritable set, the Ambient set, and the capabilities Not in the
 * Bounding set (the ones `!` drops from the bounding set).
 */
export interface IAB {
  /** I: the inheritable set. */
  inheritable: CapSet;
  /** A: the ambient set. */
  ambient: CapSet;
  /** The capabilities missing from the bounding set. */
  notBounding: CapSet;
}

/** What formatIAB takes: each vector as a CapSet, a bigint mask or names/numbers; omitted = empty. */
export interface IABInput {
  /** I: the inheritable set. */
  inheritable?: CapSetInput;
  /** A: the ambient set. */
  ambient?: CapSetInput;
  /** The capabilities missing from the bounding set. */
  notBounding?: CapSetInput;
}
