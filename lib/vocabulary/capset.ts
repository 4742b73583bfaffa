/**
 * CapSet: an immutable set of capability numbers 0..63, stored as a 64-bit mask.
 */
import { capFromName, capToName, MAX_CAP, type CapLike } from './names.js';
import { invalidArg } from './errors.js';

const ALL_BITS = (1n << 64n) - 1n;

/**
 * A set as plain data: what a CapSet becomes after `structuredClone`, `postMessage` or Node's
 * advanced IPC serialization (the v8 serializer keeps own data properties, not the class).
  * @example
  * const clone = structuredClone(CapSet.of('cap_net_raw'));   // { mask: 8192n }: the class is lost
  * const data: CapSetData = clone;
  * CapSet.from(data).names();   // ['cap_net_raw']
 */
export interface CapSetData {
  /** The 64-bit mask: bit n set for capability n. */
  readonly mask: bigint;
}

/**
 * What every call that takes a set accepts: a CapSet, its plain data (`{ mask }`), a bigint
 * mask, or a collection of names/numbers (an array, a Set, any iterable object). A lone string
 * is not a set (it would iterate its characters): pass `['cap_chown']`.
  * @example
  * const inputs: CapSetInput[] = [CapSet.of('cap_chown'), 0x2000n, ['cap_kill', 5], { mask: 1n }];
  * inputs.map((i) => CapSet.from(i).toString());
 */
export type CapSetInput = CapSet | CapSetData | bigint | (Iterable<CapLike> & object);

/**
 * An immutable set of capability numbers 0..63 (bit n = capability n). Every operation returns a
 * new set. Iterates in ascending order; prints as libcap names (`toString`) or /proc hex (`toHex`).
  * @example
  * const web = CapSet.of('cap_net_bind_service', 'cap_setuid');
  * web.has('cap_setuid');                    // true
  * web.without('cap_setuid').toString();     // 'cap_net_bind_service'
  * web.isSubsetOf(thread.permitted.get());   // can this thread keep them?
 */
export class CapSet implements Iterable<number>, CapSetData {
  /** The empty set. */
  static readonly EMPTY: CapSet = new CapSet(0n);

  /**
   * The 64-bit mask (bit n = capability n). An own, frozen data property, so a set survives
   * `structuredClone` as `{ mask }`, which every call that takes a set accepts.
   */
  readonly mask: bigint;

  private constructor(mask: bigint) {
    this.mask = mask;
    Object.freeze(this);
  }

  /** A set of the given capabilities (numbers or names capFromName accepts). */
  static of(...caps: CapLike[]): CapSet {
    let mask = 0n;
    for (const c of caps) mask |= 1n << BigInt(capFromName(c));
    return mask === 0n ? CapSet.EMPTY : new CapSet(mask);
  }

  /** A set from a 64-bit mask (bit n = capability n). */
  static fromMask(mask: bigint): CapSet {
    if (typeof mask !== 'bigint' || mask < 0n || mask > ALL_BITS) {
      throw invalidArg('capability mask', mask, 'a bigint from 0n to 2n**64n - 1n');
    }
    return mask === 0n ? CapSet.EMPTY : new CapSet(mask);
  }

  /** A set from a hex string as /proc prints it (`000001ffffffffff`, `0x3000` also accepted). */
  static fromHex(hex: string): CapSet {
    const digits = hex.trim().replace(/^0x/i, '');
    if (!/^[0-9a-fA-F]{1,16}$/.test(digits)) {
      throw invalidArg('capability hex mask', hex, 'up to 16 hex digits');
    }
    return CapSet.fromMask(BigInt(`0x${digits}`));
  }

  /** Capabilities 0..last (default: every capability a 64-bit set can hold). */
  static full(last: number = MAX_CAP): CapSet {
    if (!Number.isInteger(last) || last < -1 || last > MAX_CAP) {
      throw invalidArg('last capability', last, `an integer from -1 to ${MAX_CAP}`);
    }
    return CapSet.fromMask((1n << BigInt(last + 1)) - 1n);
  }

  /** Coerces any CapSetInput; throws CapsError on anything else. */
  static from(input: CapSetInput): CapSet {
    if (input instanceof CapSet) return input;
    if (typeof input === 'bigint') return CapSet.fromMask(input);
    if (isCapSetData(input)) return CapSet.fromMask(input.mask);
    if (input != null && typeof input !== 'string' && typeof (input as Iterable<CapLike>)[Symbol.iterator] === 'function') {
      return CapSet.of(...(input as Iterable<CapLike>));
    }
    throw invalidArg('capability set', input, 'a CapSet, { mask: bigint }, a bigint mask, or an array of capability names/numbers');
  }

  /** The 64-bit mask: bit n set for capability n. */
  toMask(): bigint {
    return this.mask;
  }

  /** 16 lower-case hex digits, as /proc/<pid>/status prints CapEff and friends. */
  toHex(): string {
    return this.mask.toString(16).padStart(16, '0');
  }

  /** Whether the set holds `cap` (a number or any name capFromName accepts). */
  has(cap: CapLike): boolean {
    return ((this.mask >> BigInt(capFromName(cap))) & 1n) === 1n;
  }

  /** The capabilities in either set. */
  union(other: CapSetInput): CapSet {
    return CapSet.fromMask(this.mask | CapSet.from(other).mask);
  }

  /** The capabilities in both sets. */
  intersect(other: CapSetInput): CapSet {
    return CapSet.fromMask(this.mask & CapSet.from(other).mask);
  }

  /** The capabilities of this set that are not in `other`. */
  minus(other: CapSetInput): CapSet {
    return CapSet.fromMask(this.mask & ~CapSet.from(other).mask);
  }

  /** This set plus the given capabilities. */
  with(...caps: CapLike[]): CapSet {
    return this.union(CapSet.of(...caps));
  }

  /** This set without the given capabilities. */
  without(...caps: CapLike[]): CapSet {
    return this.minus(CapSet.of(...caps));
  }

  /** Whether both sets hold exactly the same capabilities. */
  equals(other: CapSetInput): boolean {
    return this.mask === CapSet.from(other).mask;
  }

  /** Whether every capability of this set is in `other`. */
  isSubsetOf(other: CapSetInput): boolean {
    return (this.mask & ~CapSet.from(other).mask) === 0n;
  }

  /** Whether the set holds no capability. */
  get isEmpty(): boolean {
    return this.mask === 0n;
  }

  /** How many capabilities the set holds. */
  get size(): number {
    let n = 0;
    for (let m = this.mask; m !== 0n; m &= m - 1n) n++;
    return n;
  }

  /** The capability numbers, ascending. */
  *[Symbol.iterator](): IterableIterator<number> {
    let m = this.mask;
    for (let cap = 0; m !== 0n; cap++, m >>= 1n) {
      if (m & 1n) yield cap;
    }
  }

  /** The capability numbers as an array, ascending. */
  toArray(): number[] {
    return [...this];
  }

  /** libcap names (decimal beyond the table), ascending. */
  names(): string[] {
    return this.toArray().map(capToName);
  }

  /** Comma list of names, ascending: `cap_chown,cap_kill`; empty string for the empty set. */
  toString(): string {
    return this.names().join(',');
  }

  /** JSON: the names, ascending (`["cap_chown","41"]`). */
  toJSON(): string[] {
    return this.names();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CapSet(${this.size}) [${this.toString()}]`;
  }
}

/** A CapSet's plain data (e.g. a structured clone of one): an object with a bigint `mask` and nothing to iterate. */
export function isCapSetData(input: unknown): input is CapSetData {
  return input !== null && typeof input === 'object' && typeof (input as CapSetData).mask === 'bigint' &&
    typeof (input as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function';
}
