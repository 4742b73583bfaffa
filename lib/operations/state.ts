/**
 * A thread's whole capability state as one value: the program that takes a thread from its
 * current state to a target (`caps.setState`, `thread.setState`) and the difference between
 * two states (`diff`). Pure: no I/O.
 */
import { CapSet } from '../vocabulary/capset.js';
import { capFromName } from '../vocabulary/names.js';
import { CapsError, invalidArg } from '../vocabulary/errors.js';
import { EPERM, SECBIT_KEEP_CAPS } from '../vocabulary/abi.js';
import type { CapState, CredOp, CredProgram, Ids } from '../vocabulary/types.js';
import type { CredState } from './explain-errno.js';

/**
 * One attribute in which two states (or a thread and the reference) differ.
 * @example
 * const d: ThreadDifference[] = diff(thread.get(), { ...thread.get(), ambient: ['cap_net_raw'] });
 * d[0]?.field;   // 'ambient'
 */
export interface ThreadDifference {
  /** Which attribute differs. */
  field: 'effective' | 'permitted' | 'inheritable' | 'bounding' | 'ambient' | 'noNewPrivs' | 'securebits' | 'keepCaps' | 'uid' | 'gid' | 'groups';
  /** The value expected (the first state's), as text: libcap names for sets. */
  expected: string;
  /** The value found (the second state's), as text. */
  actual: string;
  /** Capability sets only: the names expected but absent, and present but not expected (issue 23). */
  missing?: string[];
  /** Capability sets only: the names present but not expected. */
  extra?: string[];
}

/**
 * What diff() compares: a CapState and, where both sides carry them (a ThreadState, a ProcStatus), the ids.
 * @example
 * const expected: ComparableState = { effective: [], permitted: ['cap_net_raw'], inheritable: [], uid: thread.get().uid };
 * diff(expected, thread.get());
 */
export interface ComparableState extends CapState {
  /** User ids, compared where given. */
  uid?: Ids;
  /** Group ids, compared where given. */
  gid?: Ids;
  /** Supplementary groups, compared where given. */
  groups?: readonly number[];
}

const SET_FIELDS = ['effective', 'permitted', 'inheritable', 'bounding', 'ambient'] as const;
const STATE_KEYS = new Set<string>([...SET_FIELDS, 'securebits', 'keepCaps', 'noNewPrivs']);
const ids = (i: Ids): string => `${i.real},${i.effective},${i.saved},${i.fs}`;
const sameIds = (x: Ids, y: Ids): boolean => x.real === y.real && x.effective === y.effective && x.saved === y.saved && x.fs === y.fs;
const sameList = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((v, k) => v === y[k]);
const set = (v: unknown, what: string): CapSet => {
  try {
    return CapSet.from(v as CapSet);
  } catch (err) {
    throw invalidArg(what, v, (err as CapsError).message);
  }
};

/**
 * What differs between two states, attribute by attribute: `a` is the reference (`expected`),
 * `b` the state compared with it (`actual`). An attribute absent from either side is not
 * compared (securebits are not in /proc; ids are not in a CapState). Empty when they agree.
 * Like libcap's cap_compare and Go's Set.Cf, with the names of what is missing or extra.
  * @example
  * const before = caps.get();
  * caps.ambient.clear();
  * diff(before, caps.get());   // [] unless the ambient set held something
 */
export function diff(a: ComparableState, b: ComparableState): ThreadDifference[] {
  if (a === null || typeof a !== 'object') throw invalidArg('state', a, 'a capability state such as thread.get() returns');
  if (b === null || typeof b !== 'object') throw invalidArg('state', b, 'a capability state such as thread.get() returns');
  const out: ThreadDifference[] = [];
  for (const field of SET_FIELDS) {
    if (a[field] === undefined || b[field] === undefined || a[field] === b[field]) continue;
    const expected = set(a[field], field);
    const actual = set(b[field], field);
    if (!expected.equals(actual)) {
      out.push({ field, expected: expected.toHex(), actual: actual.toHex(), missing: expected.minus(actual).names(), extra: actual.minus(expected).names() });
    }
  }
  for (const field of ['noNewPrivs', 'keepCaps'] as const) {
    if (typeof a[field] === 'boolean' && typeof b[field] === 'boolean' && a[field] !== b[field]) {
      out.push({ field, expected: String(a[field]), actual: String(b[field]) });
    }
  }
  if (typeof a.securebits === 'number' && typeof b.securebits === 'number' && a.securebits !== b.securebits) {
    out.push({ field: 'securebits', expected: `0x${a.securebits.toString(16)}`, actual: `0x${b.securebits.toString(16)}` });
  }
  for (const field of ['uid', 'gid'] as const) {
    const x = a[field];
    const y = b[field];
    if (x && y && !sameIds(x, y)) out.push({ field, expected: ids(x), actual: ids(y) });
  }
  if (a.groups && b.groups && !sameList(a.groups, b.groups)) {
    out.push({ field: 'groups', expected: a.groups.join(','), actual: b.groups.join(',') });
  }
  return out;
}

/** The attributes a target names, checked and coerced; what it leaves out stays as `current` has it. */
export function resolveTarget(current: CredState, target: CapState): CredState {
  if (target === null || typeof target !== 'object' || Array.isArray(target)) {
    throw invalidArg('capability state', target, '{ effective, permitted, inheritable, bounding?, ambient?, securebits?, keepCaps?, noNewPrivs? }');
  }
  for (const field of ['effective', 'permitted', 'inheritable'] as const) {
    if (target[field] === undefined) throw invalidArg(`capability state ${field}`, undefined, 'a set (the whole state is absolute: E, P and I are required)');
  }
  let securebits = current.securebits;
  if (target.securebits !== undefined) {
    if (!Number.isInteger(target.securebits) || target.securebits < 0 || target.securebits > 0xffffffff) {
      throw invalidArg('securebits', target.securebits, 'an integer from 0 to 0xffffffff');
    }
    securebits = target.securebits;
  }
  if (target.keepCaps !== undefined) {
    if (typeof target.keepCaps !== 'boolean') throw invalidArg('keepCaps', target.keepCaps, 'true or false');
    const bit = (securebits & SECBIT_KEEP_CAPS) !== 0;
    if (target.securebits !== undefined && bit !== target.keepCaps) {
      throw invalidArg('keepCaps', target.keepCaps, `the keep_caps bit of securebits (${bit})`);
    }
    securebits = target.keepCaps ? securebits | SECBIT_KEEP_CAPS : securebits & ~SECBIT_KEEP_CAPS;
  }
  if (target.noNewPrivs !== undefined && typeof target.noNewPrivs !== 'boolean') throw invalidArg('noNewPrivs', target.noNewPrivs, 'true or false');
  return {
    effective: set(target.effective, 'effective'),
    permitted: set(target.permitted, 'permitted'),
    inheritable: set(target.inheritable, 'inheritable'),
    bounding: target.bounding === undefined ? current.bounding : set(target.bounding, 'bounding'),
    ambient: target.ambient === undefined ? current.ambient : set(target.ambient, 'ambient'),
    securebits,
    noNewPrivs: target.noNewPrivs ?? current.noNewPrivs,
  };
}

const SETPCAP = capFromName('cap_setpcap');

/**
 * The program that takes a thread from `current` to `target`, in the order the kernel's rules
 * require (kernel-semantics §2.3, §2.5):
 *   0. cap_setpcap raised from P into E, where a later step needs it and E lacks it;
 *   1. bounding drops, while E holds cap_setpcap (§2.5.1);
 *   2. capset to the target's P and I, keeping cap_setpcap in P and E while securebits must still change;
 *   3. ambient: cleared, then raised to the target (each cap must be in the new P and I, §2.5.2),
 *      before securebits may forbid raising (SECBIT_NO_CAP_AMBIENT_RAISE);
 *   4. securebits (needs cap_setpcap in E, §2.5.3);
 *   5. capset to the target E/P/I (the ambient set, ⊆ P ∩ I, survives it);
 *   6. no_new_privs, last (irreversible).
 * What the kernel cannot do is refused before anything runs: the bounding set and no_new_privs
 * only shrink or stay. Everything else is the kernel's to refuse, with the model's reason.
 */
export function statePlan(current: CredState, target: CredState): CredProgram {
  const cannot = (what: string) => new CapsError({ code: 'ERR_CAPS_INVALID_ARG', errno: -EPERM, syscall: 'prctl', message: `cannot reach the requested state: ${what}; nothing was changed` });
  const added = target.bounding.minus(current.bounding);
  if (!added.isEmpty) throw cannot(`the bounding set only shrinks, and ${added.toString()} is not in it`);
  if (current.noNewPrivs && !target.noNewPrivs) throw cannot('no_new_privs is set and cannot be cleared');
  const strayAmbient = target.ambient.minus(target.permitted.intersect(target.inheritable));
  if (!strayAmbient.isEmpty) throw cannot(`the ambient set must lie in P ∩ I, and ${strayAmbient.toString()} does not (kernel-semantics §2.5.2)`);

  const program: CredOp[] = [];
  // cap_setpcap in E is needed for bounding drops, securebits, and I beyond I ∪ P (§2.3 rule a);
  // as libcap does, raise it from P for the duration, and let the last capset set E as asked.
  const drops = current.bounding.minus(target.bounding);
  const securebitsChange = target.securebits !== current.securebits;
  const inheritableBeyond = !target.inheritable.isSubsetOf(current.inheritable.union(current.permitted));
  const needsSetpcap = !drops.isEmpty || securebitsChange || inheritableBeyond;
  const holdSetpcap = needsSetpcap && current.permitted.has(SETPCAP) ? CapSet.of(SETPCAP) : CapSet.EMPTY;
  if (!holdSetpcap.isEmpty && !current.effective.has(SETPCAP)) {
    program.push({ op: 'capset', effective: current.effective.union(holdSetpcap), permitted: current.permitted, inheritable: current.inheritable });
  }
  for (const cap of drops) program.push({ op: 'bounding.drop', cap });
  const ambientChange = !target.ambient.equals(current.ambient);
  if (securebitsChange || ambientChange) {
    const permitted = target.permitted.union(holdSetpcap);
    program.push({ op: 'capset', effective: target.effective.intersect(permitted).union(holdSetpcap), permitted, inheritable: target.inheritable });
  }
  if (ambientChange) {
    program.push({ op: 'ambient.clear' });
    for (const cap of target.ambient) program.push({ op: 'ambient.raise', cap });
  }
  if (securebitsChange) program.push({ op: 'securebits.set', bits: target.securebits });
  program.push({ op: 'capset', effective: target.effective, permitted: target.permitted, inheritable: target.inheritable });
  if (target.noNewPrivs && !current.noNewPrivs) program.push({ op: 'noNewPrivs.set' });
  return program;
}

/** Whether an object is a state snapshot (it names its thread), whose other attributes `set()` ignores. */
export function isSnapshot(x: object): boolean {
  return 'tid' in x || 'pid' in x;
}

/** The keys of a CapState beyond E/P/I. */
export function isStateKey(key: string): boolean {
  return STATE_KEYS.has(key);
}
