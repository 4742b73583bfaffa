/**
 * libcap's capability modes (cap_get_mode / cap_set_mode, Go's cap.Mode): names for the
 * well-known ways a process can hold privilege, how to tell which one a state is in, and the
 * state each mode leaves. Pure. Facts from libcap 2.66, checked against libcap itself
 * (test/operations/mode.test.ts links a C oracle with -lcap).
 */
import { CapSet } from '../vocabulary/capset.js';
import { invalidArg } from '../vocabulary/errors.js';
import {
  SECBIT_KEEP_CAPS_LOCKED, SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE,
  SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED,
} from '../vocabulary/abi.js';
import type { CapSetInput } from '../vocabulary/capset.js';
import type { IAB, IABInput } from '../text/types.js';
import { parseIAB } from '../text/index.js';
import type { CredState } from './explain-errno.js';
import { getBackend } from './backend.js';
import { readProcessStatus, type ProcPid } from '../proc/read.js';

/**
 * libcap's modes, weakest lock first. `UNCERTAIN`: none of the others. `HYBRID`: no securebits
 * (root is privileged: the traditional mix). `PURE1E`: root is not special and nothing is
 * ambient, all locked (securebits 0xef). `PURE1E_INIT`: the same with an empty inheritable set.
 * `NOPRIV`: the same with no capability anywhere, an empty bounding set and no_new_privs.
  * @example
  * const mode: CapMode = getMode();   // 'HYBRID' for root with every capability
  * mode;
 */
export type CapMode = 'UNCERTAIN' | 'NOPRIV' | 'PURE1E_INIT' | 'PURE1E' | 'HYBRID';

/** libcap's numbers for the modes (cap_mode_t), as capsh prints them: `Guessed mode: PURE1E (3)`. */
export const CAP_MODE_NUMBERS: Readonly<Record<CapMode, number>> = Object.freeze({ UNCERTAIN: 0, NOPRIV: 1, PURE1E_INIT: 2, PURE1E: 3, HYBRID: 4 });

const MODES = Object.keys(CAP_MODE_NUMBERS) as CapMode[];

/** NOROOT, NO_SETUID_FIXUP and their locks, and KEEP_CAPS_LOCKED (0x2f). */
const SECURED_BASIC = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
/** The basic bits plus NO_CAP_AMBIENT_RAISE and its lock (0xef): what cap_set_mode sets. */
const SECURED_AMBIENT = SECURED_BASIC | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

/**
 * What getMode reads: a state with its securebits (a /proc reading has none: the mode is then unknown).
 * @example
 * const state: ModeInput = { effective: [], permitted: [], inheritable: [], bounding: [], ambient: [], securebits: LOCKED_SECUREBITS };
 * getMode(state);   // 'NOPRIV'
 */
export interface ModeInput {
  /** E. */
  effective: CapSetInput;
  /** P. */
  permitted: CapSetInput;
  /** I. */
  inheritable: CapSetInput;
  /** The bounding set. */
  bounding: CapSetInput;
  /** The ambient set. */
  ambient: CapSetInput;
  /** The securebits word; where absent, a mode that depends on it is UNCERTAIN. */
  securebits?: number;
}

/**
 * The libcap mode of a state, as libcap 2.66's cap_get_mode and capsh's "Guessed mode" tell it;
 * undefined where the securebits are unknown (a state read from /proc).
 */
export function modeOf(state: ModeInput): CapMode | undefined {
  if (state === null || typeof state !== 'object') throw invalidArg('state', state, 'a capability state with securebits, such as thread.get() returns');
  const bits = state.securebits;
  if (bits === undefined) return undefined;
  if (bits === 0) return 'HYBRID';
  if ((bits & SECURED_BASIC) !== SECURED_BASIC) return 'UNCERTAIN';
  if (!CapSet.from(state.ambient).isEmpty || bits !== SECURED_AMBIENT) return 'UNCERTAIN';
  if (!CapSet.from(state.inheritable).isEmpty) return 'PURE1E';
  if (!CapSet.from(state.permitted).isEmpty || !CapSet.from(state.effective).isEmpty || !CapSet.from(state.bounding).isEmpty) return 'PURE1E_INIT';
  return 'NOPRIV';
}

/** Checks a mode name (any case); UNCERTAIN is a reading, not a mode one can set. */
export function toSettableMode(mode: unknown): Exclude<CapMode, 'UNCERTAIN'> {
  const upper = typeof mode === 'string' ? mode.toUpperCase() : mode;
  if (typeof upper !== 'string' || !MODES.includes(upper as CapMode) || upper === 'UNCERTAIN') {
    throw invalidArg('mode', mode, "'NOPRIV', 'PURE1E_INIT', 'PURE1E' or 'HYBRID'");
  }
  return upper as Exclude<CapMode, 'UNCERTAIN'>;
}

/**
 * The state cap_set_mode leaves (libcap 2.66, checked against it): E is emptied in every mode.
 * HYBRID: securebits 0, nothing else. PURE1E: the ambient set emptied, securebits 0xef.
 * PURE1E_INIT: also I emptied. NOPRIV: also P and the bounding set emptied, and no_new_privs.
 */
export function modeTarget(mode: Exclude<CapMode, 'UNCERTAIN'>, current: CredState): CredState {
  const target: CredState = { ...current, effective: CapSet.EMPTY };
  if (mode === 'HYBRID') return { ...target, securebits: 0 };
  target.ambient = CapSet.EMPTY;
  target.securebits = SECURED_AMBIENT;
  if (mode === 'PURE1E') return target;
  target.inheritable = CapSet.EMPTY;
  if (mode === 'PURE1E_INIT') return target;
  return { ...target, permitted: CapSet.EMPTY, bounding: CapSet.EMPTY, noNewPrivs: true };
}

/**
 * The libcap mode of `state` (default: the calling thread's), as libcap's cap_get_mode and
 * capsh's "Guessed mode" tell it. A state without securebits (read from /proc) is UNCERTAIN.
 *
 * @example getMode() // 'HYBRID' for an ordinary root process
 */
export function getMode(state?: ModeInput): CapMode {
  return modeOf(state ?? getBackend().threadState()) ?? 'UNCERTAIN';
}

/** A state's IAB: its inheritable and ambient sets, and the capabilities up to `last` not in its bounding set. */
export function iabOf(state: { inheritable: CapSetInput; ambient: CapSetInput; bounding: CapSetInput }, last: number): IAB {
  return {
    inheritable: CapSet.from(state.inheritable),
    ambient: CapSet.from(state.ambient),
    notBounding: CapSet.full(last).minus(state.bounding),
  };
}

/**
 * The state cap_iab_set_proc leaves (libcap 2.66): I as the IAB says (an ambient capability is
 * inheritable too, as `^` means), the ambient set exactly the IAB's, the `!` capabilities dropped
 * from the bounding set (never added back); E and P unchanged.
 */
export function iabTarget(iab: IAB, current: CredState): CredState {
  return {
    ...current,
    inheritable: iab.inheritable.union(iab.ambient),
    ambient: iab.ambient,
    bounding: current.bounding.minus(iab.notBounding),
  };
}

/** An IAB given as libcap text (`'^cap_net_raw,!cap_sys_admin'`) or as sets; an omitted set is empty. */
export function resolveIAB(input: string | IABInput): IAB {
  if (typeof input === 'string') return parseIAB(input);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidArg('IAB', input, "libcap IAB text such as '^cap_net_raw,!cap_sys_admin', or { inheritable, ambient, notBounding }");
  }
  return {
    inheritable: CapSet.from(input.inheritable ?? []),
    ambient: CapSet.from(input.ambient ?? []),
    notBounding: CapSet.from(input.notBounding ?? []),
  };
}

/**
 * The IAB of another process (its main thread, from /proc/<pid>/status), as libcap's
 * cap_iab_get_pid and Go's IABGetPID read it.
 *
 * @example formatIAB(readProcessIAB(1)) // '' for an init holding every capability, nothing ambient
 */
export function readProcessIAB(pid: ProcPid): IAB {
  return iabOf(readProcessStatus(pid), getBackend().lastCap());
}
