/**
 * The shapes the libcap text functions take and return.
 */
import type { CapSet, CapSetInput } from '../vocabulary/capset.js';
import type { CapTriple } from '../vocabulary/types.js';

/**
 * A process's (or a file's) three capability sets, as cap_from_text returns them.
 * @example
 * const sets: CapSetTriple = parseCaps('cap_net_raw=ep cap_chown+i');
 * sets.inheritable.names();   // ['cap_chown']
 */
export interface CapSetTriple {
  /** E. */
  effective: CapSet;
  /** P. */
  permitted: CapSet;
  /** I. */
  inheritable: CapSet;
}

/**
 * What formatCaps (and launch's `caps`) take: `CapTriple` with each set optional; an omitted set is empty.
 * @example
 * const partial: CapTripleInput = { permitted: ['cap_kill'] };   // E and I empty
 * formatCaps(partial);   // 'cap_kill=p'
 */
export type CapTripleInput = Partial<CapTriple>;

/**
 * libcap's IAB tuple: the Inheritable set, the Ambient set, and the capabilities Not in the
 * Bounding set (the ones `!` drops from the bounding set).
  * @example
  * const iab: IAB = parseIAB('cap_chown,^cap_net_raw,!cap_sys_admin');
  * iab.ambient.names();       // ['cap_net_raw']
  * iab.notBounding.names();   // ['cap_sys_admin']
 */
export interface IAB {
  /** I: the inheritable set. */
  inheritable: CapSet;
  /** A: the ambient set. */
  ambient: CapSet;
  /** The capabilities missing from the bounding set. */
  notBounding: CapSet;
}

/**
 * What formatIAB takes: each vector as a CapSet, a bigint mask or names/numbers; omitted = empty.
 * @example
 * const input: IABInput = { inheritable: ['cap_net_raw'], ambient: ['cap_net_raw'] };
 * formatIAB(input);   // '^cap_net_raw'
 */
export interface IABInput {
  /** I: the inheritable set. */
  inheritable?: CapSetInput;
  /** A: the ambient set. */
  ambient?: CapSetInput;
  /** The capabilities missing from the bounding set. */
  notBounding?: CapSetInput;
}
