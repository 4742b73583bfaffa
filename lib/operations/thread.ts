/**
 * `thread`: the calling thread only — the visible escape hatch.
 *
 * Capabilities are per thread in Linux: a change made here does NOT reach the libuv
 * threadpool, Workers or any other thread of this process (spec node-engineering §1.2 E1:
 * `fs.readFile` keeps reading with the old capabilities). Use `caps` for the whole process.
 */
import type { CapSet } from '../vocabulary/capset.js';
import { changeRefusal, getBackend } from './backend.js';
import { predictedRefusal, refusalError, type CredState } from './explain-errno.js';
import { adjustOp, capsetOp, keepCapsOp, toCapList, type CapsInput, type CapTriple, type SetName } from './program.js';
import { toSecurebits, type SecurebitsInput } from '../vocabulary/securebits.js';
import type { CapState, CredProgram, ThreadState } from '../vocabulary/types.js';
import { resolveTarget, statePlan } from './state.js';
import { iabOf, iabTarget, modeTarget, resolveIAB, toSettableMode, type CapMode } from './mode.js';
import type { IAB, IABInput } from '../text/types.js';
import { invalidArg } from '../vocabulary/errors.js';

/** The attributes a program changes, from a full snapshot (securebits 0 where unknown). */
export function credStateOf(s: ThreadState): CredState {
  return {
    effective: s.effective,
    permitted: s.permitted,
    inheritable: s.inheritable,
    bounding: s.bounding,
    ambient: s.ambient,
    securebits: s.securebits ?? 0,
    noNewPrivs: s.noNewPrivs,
  };
}

/** Runs a program on the calling thread; a refused step throws the kernel's error, with the reason. */
export function runOnCallingThread(program: CredProgram, composed = false): void {
  if (program.length === 0) return;
  const refused = changeRefusal();
  if (refused) throw refused;
  const backend = getBackend();
  const before = backend.threadState();
  // A program the library composed is refused whole, before any step, where the model predicts it (see caps).
  const predictedError = composed ? predictedRefusal(program, credStateOf(before), backend.lastCap()) : undefined;
  if (predictedError) throw predictedError;
  const failure = backend.runOnThread(program);
  if (failure) throw refusalError(program, failure, credStateOf(before), backend.lastCap());
}

/** Caps from variadic arguments: `drop('cap_net_raw', 13)`, `drop(['a', 'b'])`, `drop(capSet)`. */
export function capsFromArgs(args: readonly CapsInput[]): number[] {
  if (args.length === 0) throw invalidArg('capabilities', [], 'at least one capability');
  return toCapList(args);
}

/** Takes the calling thread to `targetOf(its state)` in one composed program (setState, setMode, iab.set). */
function reachOnThread(targetOf: (current: CredState) => CredState): void {
  const current = credStateOf(getBackend().threadState());
  runOnCallingThread(statePlan(current, targetOf(current)), true);
}

function adjustOnThread(set: SetName, change: 'raise' | 'lower', caps: readonly CapsInput[]): void {
  runOnCallingThread([adjustOp(getBackend().threadState(), set, change, capsFromArgs(caps))]);
}

/**
 * The calling thread's capability state, and changes to it alone.
 * @example
 * thread.effective.lower('cap_sys_admin');   // this thread only
 * thread.get().effective.has('cap_sys_admin');   // false
 */
export const thread = {
  /** Everything the kernel keeps for the calling thread: E, P, I, bounding, ambient, securebits, keepcaps, no_new_privs, ids. */
  get(): ThreadState {
    return getBackend().threadState();
  },

  /**
   * Sets E, P and I of the calling thread, absolutely, like capset(2): all three are required
   * (a snapshot such as `thread.get()` will do). The ambient set loses what is not in both new
   * P and I (kernel-semantics §2.3). To change one set, use `thread.effective.lower(…)` and kin.
   */
  set(sets: CapTriple): void {
    runOnCallingThread([capsetOp(sets)]);
  },

  /** Raises or lowers capabilities in E alone (P and I stay): `thread.effective.lower('cap_net_raw')`. */
  effective: {
    /** The calling thread's effective set. */
    get(): CapSet { return getBackend().threadState().effective; },
    /** Raises caps into E (each must be in P). */
    raise(...caps: CapsInput[]): void { adjustOnThread('effective', 'raise', caps); },
    /** Lowers caps from E (always allowed; P keeps them, so they can be raised again). */
    lower(...caps: CapsInput[]): void { adjustOnThread('effective', 'lower', caps); },
  },

  /** Lowers capabilities in P (and E) alone: P only shrinks, so there is no raise. */
  permitted: {
    /** The calling thread's permitted set. */
    get(): CapSet { return getBackend().threadState().permitted; },
    /** Lowers caps from P, and from E with them (E ⊆ P). Irreversible for this thread. */
    lower(...caps: CapsInput[]): void { adjustOnThread('permitted', 'lower', caps); },
  },

  /** Raises or lowers capabilities in I alone (E and P stay). */
  inheritable: {
    /** The calling thread's inheritable set. */
    get(): CapSet { return getBackend().threadState().inheritable; },
    /** Raises caps into I (within I ∪ P, or I ∪ bounding with cap_setpcap in E). */
    raise(...caps: CapsInput[]): void { adjustOnThread('inheritable', 'raise', caps); },
    /** Lowers caps from I (the ambient set loses them too). */
    lower(...caps: CapsInput[]): void { adjustOnThread('inheritable', 'lower', caps); },
  },

  /**
   * Sets the calling thread's whole capability state in one call: E/P/I and, where given,
   * bounding, ambient, securebits, keepCaps and no_new_privs, in the order the kernel requires
   * (see `caps.setState`). `thread.setState(thread.get())` changes nothing.
   */
  setState(state: CapState): void {
    reachOnThread((current) => resolveTarget(current, state));
  },

  /**
   * Puts the calling thread in one of libcap's modes, as cap_set_mode does (see `caps.setMode`).
   */
  setMode(mode: Exclude<CapMode, 'UNCERTAIN'>): void {
    reachOnThread((current) => modeTarget(toSettableMode(mode), current));
  },

  /** libcap's IAB view of the calling thread: inheritable, ambient, and not-in-bounding. */
  iab: {
    /** The calling thread's IAB, as cap_iab_get_proc reads it; `formatIAB` prints it as libcap does. */
    get(): IAB {
      const backend = getBackend();
      return iabOf(backend.threadState(), backend.lastCap());
    },
    /** Sets the calling thread's IAB as cap_iab_set_proc does (see `caps.iab.set`). */
    set(iab: string | IABInput): void {
      reachOnThread((current) => iabTarget(resolveIAB(iab), current));
    },
  },

  /** The bounding set: readable, and drop-only (nothing can add to it). */
  bounding: {
    /** The calling thread's bounding set. */
    get(): CapSet {
      return getBackend().threadState().bounding;
    },
    /** Drops caps from the calling thread's bounding set (needs cap_setpcap in E). */
    drop(...caps: CapsInput[]): void {
      runOnCallingThread(capsFromArgs(caps).map((cap) => ({ op: 'bounding.drop' as const, cap })));
    },
  },

  /** The ambient set (kept across execve of unprivileged programs). */
  ambient: {
    /** The calling thread's ambient set. */
    get(): CapSet {
      return getBackend().threadState().ambient;
    },
    /** Raises caps into the ambient set: each must be in both P and I, and SECBIT_NO_CAP_AMBIENT_RAISE unset. */
    raise(...caps: CapsInput[]): void {
      runOnCallingThread(capsFromArgs(caps).map((cap) => ({ op: 'ambient.raise' as const, cap })));
    },
    /** Lowers caps from the ambient set (always allowed). */
    lower(...caps: CapsInput[]): void {
      runOnCallingThread(capsFromArgs(caps).map((cap) => ({ op: 'ambient.lower' as const, cap })));
    },
    /** Empties the ambient set. */
    clear(): void {
      runOnCallingThread([{ op: 'ambient.clear' }]);
    },
  },

  /** The securebits word (kernel-semantics §2.5.3). */
  securebits: {
    /** The securebits word of the calling thread (see securebitNames()). */
    get(): number {
      return getBackend().threadState().securebits ?? 0;
    },
    /** Sets the whole word: a number, names ('noroot', ['keep_caps', 'noroot_locked']) or `{ noroot: true }`. */
    set(bits: SecurebitsInput): void {
      runOnCallingThread([{ op: 'securebits.set', bits: toSecurebits(bits) }]);
    },
  },

  /** SECBIT_KEEP_CAPS: keep P across a setuid away from root. */
  keepCaps: {
    /** Whether SECBIT_KEEP_CAPS is set on the calling thread. */
    get(): boolean {
      return getBackend().threadState().keepCaps ?? false;
    },
    /** Sets or clears SECBIT_KEEP_CAPS (EPERM once SECBIT_KEEP_CAPS_LOCKED is set). */
    set(on: boolean): void {
      runOnCallingThread([keepCapsOp(on)]);
    },
  },

  /** no_new_privs: once set it cannot be cleared. */
  noNewPrivs: {
    /** Whether no_new_privs is set on the calling thread. */
    get(): boolean {
      return getBackend().threadState().noNewPrivs;
    },
    /** Sets no_new_privs on the calling thread (irreversible). */
    set(): void {
      runOnCallingThread([{ op: 'noNewPrivs.set' }]);
    },
  },
};
