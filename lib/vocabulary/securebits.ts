/**
 * Securebits by name (kernel-semantics §2.5.3): the names, the words they make, and libcap's
 * locked set. Vocabulary, so that the package's constants load without the operations.
 */
import { invalidArg } from './errors.js';
import { SECBIT_EXEC_DENY_INTERACTIVE, SECBIT_EXEC_DENY_INTERACTIVE_LOCKED, SECBIT_EXEC_RESTRICT_FILE, SECBIT_EXEC_RESTRICT_FILE_LOCKED, SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED } from './abi.js';

/**
 * libcap's secured bits for its PURE1E/NOPRIV modes: NOROOT, NO_SETUID_FIXUP, KEEP_CAPS_LOCKED, NO_CAP_AMBIENT_RAISE, with their locks.
 * @example
 * securebitNames(LOCKED_SECUREBITS);   // ['noroot', 'noroot_locked', 'no_setuid_fixup', …]
 */
export const LOCKED_SECUREBITS = 0xef; // a literal type for users; test/native/abi.test.ts checks it is those bits of abi.ts

/**
 * Securebits by name (kernel-semantics §2.5.3); bit n's lock is bit n+1.
 * @example
 * SECUREBITS.keep_caps;   // 0x10
 */
export const SECUREBITS = Object.freeze({
  /** SECBIT_NOROOT: uid 0 gains no capabilities at exec, nor from a setuid-root file. */
  noroot: SECBIT_NOROOT,
  /** Locks noroot: it can never change again in this process or its children. */
  noroot_locked: SECBIT_NOROOT_LOCKED,
  /** SECBIT_NO_SETUID_FIXUP: changing uids to or from 0 leaves the capability sets alone. */
  no_setuid_fixup: SECBIT_NO_SETUID_FIXUP,
  /** Locks no_setuid_fixup: it can never change again in this process or its children. */
  no_setuid_fixup_locked: SECBIT_NO_SETUID_FIXUP_LOCKED,
  /** SECBIT_KEEP_CAPS: P survives the change of every uid away from 0 (cleared at exec). */
  keep_caps: SECBIT_KEEP_CAPS,
  /** Locks keep_caps: it can never change again in this process or its children. */
  keep_caps_locked: SECBIT_KEEP_CAPS_LOCKED,
  /** SECBIT_NO_CAP_AMBIENT_RAISE: the ambient set cannot be raised. */
  no_cap_ambient_raise: SECBIT_NO_CAP_AMBIENT_RAISE,
  /** Locks no_cap_ambient_raise: it can never change again in this process or its children. */
  no_cap_ambient_raise_locked: SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED,
  /** SECBIT_EXEC_RESTRICT_FILE (6.14+): script interpreters are asked to check files before running them. */
  exec_restrict_file: SECBIT_EXEC_RESTRICT_FILE,
  /** Locks exec_restrict_file: it can never change again in this process or its children. */
  exec_restrict_file_locked: SECBIT_EXEC_RESTRICT_FILE_LOCKED,
  /** SECBIT_EXEC_DENY_INTERACTIVE (6.14+): script interpreters are asked to refuse interactive input. */
  exec_deny_interactive: SECBIT_EXEC_DENY_INTERACTIVE,
  /** Locks exec_deny_interactive: it can never change again in this process or its children. */
  exec_deny_interactive_locked: SECBIT_EXEC_DENY_INTERACTIVE_LOCKED,
});

/** Securebits by name without `_`, made by the first name looked up (not at load: issue 14). */
let byLooseName: Map<string, number> | undefined;

/**
 * A securebit's name as SECUREBITS spells it (`'noroot'`, `'keep_caps_locked'`), or in upper case with or without `SECBIT_`.
 * @example
 * const names: SecurebitName[] = ['noroot', 'NOROOT_LOCKED', 'SECBIT_KEEP_CAPS'];
 * toSecurebits(names);   // 0x13
 */
export type SecurebitName = keyof typeof SECUREBITS | Uppercase<keyof typeof SECUREBITS> | `SECBIT_${Uppercase<keyof typeof SECUREBITS>}`;

/**
 * Securebits as a number, one name, a list of names, or `{ noroot: true, … }` (absolute: a bit
 * not named is cleared). Names are typed: `{ norot: true }` does not compile.
  * @example
  * const bits: SecurebitsInput = { noroot: true, noroot_locked: true };
  * thread.securebits.set(bits);
 */
export type SecurebitsInput = number | SecurebitName | readonly SecurebitName[] | { readonly [name in keyof typeof SECUREBITS]?: boolean };

function securebitFromName(name: string): number {
  const loose = name.toLowerCase().replace(/^secbit_/, '').replace(/[_-]/g, '');
  byLooseName ??= new Map(Object.entries(SECUREBITS).map(([name, bit]) => [name.replace(/_/g, ''), bit]));
  const bit = byLooseName.get(loose);
  if (bit === undefined) throw invalidArg('securebit name', name, `one of ${Object.keys(SECUREBITS).join(', ')}`);
  return bit;
}

/**
 * The securebits word for any SecurebitsInput (unknown numeric bits pass: the kernel refuses them).
 * @example
 * toSecurebits(['noroot', 'noroot_locked']);   // 3
 */
export function toSecurebits(input: SecurebitsInput): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0 || input > 0xffffffff) {
      throw invalidArg('securebits', input, 'an integer from 0 to 0xffffffff, names, or { noroot: true, … }');
    }
    return input;
  }
  if (typeof input === 'string') return securebitFromName(input);
  if (Array.isArray(input)) return (input as readonly string[]).reduce((bits, n) => bits | securebitFromName(String(n)), 0);
  if (input !== null && typeof input === 'object') {
    let bits = 0;
    for (const [name, on] of Object.entries(input)) {
      if (typeof on !== 'boolean') throw invalidArg(`securebit ${name}`, on, 'true or false');
      if (on) bits |= securebitFromName(name);
    }
    return bits;
  }
  throw invalidArg('securebits', input, 'an integer, names, or { noroot: true, … }');
}

/**
 * Securebits word → the names of the bits set, e.g. ['keep_caps', 'noroot'].
 * @example
 * securebitNames(thread.securebits.get());   // [] for a fresh root process
 */
export function securebitNames(bits: number): string[] {
  return Object.entries(SECUREBITS).filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
}
