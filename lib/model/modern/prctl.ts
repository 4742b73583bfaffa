/**
 * The capability prctl(2) operations in the model (kernel-semantics §2.5), with the kernel's
 * errno precedence. Arguments are what prctl receives (unsigned long: a negative number is
 * a huge value, hence never a valid capability).
 */
import type { Cred, KernelConfig, Transition } from './types.js';
import {
  EINVAL, EPERM,
  PR_CAPBSET_DROP, PR_CAPBSET_READ, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, PR_CAP_AMBIENT_IS_SET,
  PR_CAP_AMBIENT_LOWER, PR_CAP_AMBIENT_RAISE, PR_GET_KEEPCAPS, PR_GET_NO_NEW_PRIVS, PR_GET_SECUREBITS,
  PR_SET_KEEPCAPS, PR_SET_NO_NEW_PRIVS, PR_SET_SECUREBITS, PR_GET_DUMPABLE, PR_SET_DUMPABLE,
  SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE,
} from './types.js';
import { capValid } from '../masks.js';
import { getDumpable, setDumpable } from './dumpable.js';
import { capToName } from '../../vocabulary/names.js';

const SETPCAP_BIT = 1n << 8n;
/** Securebits whose change needs no CAP_SETPCAP on 6.14+ (the exec bits and their locks). */
const EXEC_BITS = 0xf00;
const ALL_LOCKS = 0xaaa;

const R_BSET = 'kernel-semantics §2.5 PR_CAPBSET';
const R_SB = 'kernel-semantics §2.5 PR_SET_SECUREBITS';
const R_KEEP = 'kernel-semantics §2.5 PR_SET_KEEPCAPS';
const R_AMB = 'kernel-semantics §2.5 PR_CAP_AMBIENT';
const R_NNP = 'kernel-semantics §2.5 PR_SET_NO_NEW_PRIVS';

function capName(cap: number): string {
  return Number.isInteger(cap) && cap >= 0 && cap <= 63 ? capToName(cap) : String(cap);
}

function isZero(v: number | undefined): boolean {
  return v === undefined || v === 0;
}

/** PR_CAPBSET_READ: 1 if `cap` is in B, EINVAL for an invalid cap. */
export function capbsetRead(kernel: KernelConfig, cred: Cred, cap: number): Transition<Cred> {
  if (!capValid(cap, kernel.lastCap)) return { state: cred, errno: -EINVAL, rule: R_BSET, reason: `${capName(cap)} is not a valid capability (last is ${kernel.lastCap})` };
  return { state: cred, result: Number((cred.bounding >> BigInt(cap)) & 1n), rule: R_BSET };
}

/** PR_CAPBSET_DROP: needs CAP_SETPCAP in E (checked before validity); removes `cap` from B only. */
export function capbsetDrop(kernel: KernelConfig, cred: Cred, cap: number): Transition<Cred> {
  if ((cred.effective & SETPCAP_BIT) === 0n) {
    return { state: cred, errno: -EPERM, rule: R_BSET, reason: `dropping ${capName(cap)} from the bounding set needs cap_setpcap in E` };
  }
  if (!capValid(cap, kernel.lastCap)) return { state: cred, errno: -EINVAL, rule: R_BSET, reason: `${capName(cap)} is not a valid capability (last is ${kernel.lastCap})` };
  const bounding = cred.bounding & ~(1n << BigInt(cap));
  return { state: bounding === cred.bounding ? cred : { ...cred, bounding }, result: 0, rule: R_BSET };
}

/**
 * PR_SET_SECUREBITS (kernel-semantics §2.5): all failures are EPERM — a locked bit changing,
 * a lock being cleared, unknown bits, or no CAP_SETPCAP (except a non-empty change of the
 * exec bits only on 6.14+).
 */
export function setSecurebits(kernel: KernelConfig, cred: Cred, value: number): Transition<Cred> {
  const sb = cred.securebits;
  const v = value;
  if (!Number.isInteger(v) || v < 0) return { state: cred, errno: -EPERM, rule: R_SB, reason: `0x${v.toString(16)} has bits outside the securebits word` };
  const changed = sb ^ v;
  const lockedChanging = ((sb & ALL_LOCKS) >>> 1) & changed;
  if (lockedChanging !== 0) {
    return { state: cred, errno: -EPERM, rule: R_SB, reason: `locked securebits would change (0x${lockedChanging.toString(16)})` };
  }
  const locksCleared = sb & ALL_LOCKS & ~v;
  if (locksCleared !== 0) {
    return { state: cred, errno: -EPERM, rule: R_SB, reason: `securebits locks cannot be cleared (0x${locksCleared.toString(16)})` };
  }
  const unknown = v > 0x7fffffff ? v : v & ~kernel.securebitsMask;
  if (unknown !== 0) {
    return { state: cred, errno: -EPERM, rule: R_SB, reason: `unknown securebits 0x${unknown.toString(16)} (valid: 0x${kernel.securebitsMask.toString(16)})` };
  }
  if ((cred.effective & SETPCAP_BIT) === 0n) {
    const execOnly = kernel.execBitsWithoutSetpcap && changed !== 0 && (changed & ~EXEC_BITS) === 0;
    if (!execOnly) {
      return {
        state: cred, errno: -EPERM, rule: R_SB,
        reason: kernel.execBitsWithoutSetpcap
          ? 'changing securebits other than the exec bits (0xf00), or changing nothing, needs cap_setpcap in E'
          : 'changing securebits needs cap_setpcap in E',
      };
    }
  }
  return { state: v === sb ? cred : { ...cred, securebits: v }, result: 0, rule: R_SB };
}

/** PR_SET_KEEPCAPS: EINVAL for values > 1, EPERM when KEEP_CAPS is locked; no capability needed. */
export function setKeepCaps(cred: Cred, value: number): Transition<Cred> {
  if (!(value === 0 || value === 1)) return { state: cred, errno: -EINVAL, rule: R_KEEP, reason: `keepcaps takes 0 or 1, not ${value}` };
  if (cred.securebits & SECBIT_KEEP_CAPS_LOCKED) return { state: cred, errno: -EPERM, rule: R_KEEP, reason: 'SECBIT_KEEP_CAPS_LOCKED is set' };
  const securebits = value ? cred.securebits | SECBIT_KEEP_CAPS : cred.securebits & ~SECBIT_KEEP_CAPS;
  return { state: securebits === cred.securebits ? cred : { ...cred, securebits }, result: 0, rule: R_KEEP };
}

/**
 * PR_CAP_AMBIENT (kernel-semantics §2.5): CLEAR_ALL with stray args → EINVAL; otherwise an
 * invalid cap or stray args → EINVAL before the op is looked at; RAISE needs cap ∈ P ∩ I and
 * no SECBIT_NO_CAP_AMBIENT_RAISE (EPERM); LOWER always succeeds.
 */
export function capAmbient(kernel: KernelConfig, cred: Cred, op: number, cap: number, arg4 = 0, arg5 = 0): Transition<Cred> {
  if (op === PR_CAP_AMBIENT_CLEAR_ALL) {
    if (!isZero(cap) || !isZero(arg4) || !isZero(arg5)) return { state: cred, errno: -EINVAL, rule: R_AMB, reason: 'PR_CAP_AMBIENT_CLEAR_ALL takes no further arguments' };
    return { state: cred.ambient === 0n ? cred : { ...cred, ambient: 0n }, result: 0, rule: R_AMB };
  }
  if (!capValid(cap, kernel.lastCap)) return { state: cred, errno: -EINVAL, rule: R_AMB, reason: `${capName(cap)} is not a valid capability (last is ${kernel.lastCap})` };
  if (!isZero(arg4) || !isZero(arg5)) return { state: cred, errno: -EINVAL, rule: R_AMB, reason: 'PR_CAP_AMBIENT takes no 4th or 5th argument' };
  const b = 1n << BigInt(cap);
  if (op === PR_CAP_AMBIENT_IS_SET) return { state: cred, result: (cred.ambient & b) === 0n ? 0 : 1, rule: R_AMB };
  if (op === PR_CAP_AMBIENT_RAISE) {
    if ((cred.permitted & b) === 0n || (cred.inheritable & b) === 0n || (cred.securebits & SECBIT_NO_CAP_AMBIENT_RAISE) !== 0) {
      const why = (cred.securebits & SECBIT_NO_CAP_AMBIENT_RAISE) !== 0 && (cred.permitted & b) !== 0n && (cred.inheritable & b) !== 0n
        ? 'SECBIT_NO_CAP_AMBIENT_RAISE is set'
        : `${capToName(cap)} is ${(cred.permitted & b) === 0n ? ((cred.inheritable & b) === 0n ? 'in neither P nor I' : 'not in P') : 'not in I'}`;
      return { state: cred, errno: -EPERM, rule: R_AMB, reason: `ambient raise needs the cap in P and I: ${why}` };
    }
    const ambient = cred.ambient | b;
    return { state: ambient === cred.ambient ? cred : { ...cred, ambient }, result: 0, rule: R_AMB };
  }
  if (op === PR_CAP_AMBIENT_LOWER) {
    const ambient = cred.ambient & ~b;
    return { state: ambient === cred.ambient ? cred : { ...cred, ambient }, result: 0, rule: R_AMB };
  }
  return { state: cred, errno: -EINVAL, rule: R_AMB, reason: `unknown PR_CAP_AMBIENT operation ${op}` };
}

/** PR_SET_NO_NEW_PRIVS: exactly (1, 0, 0, 0), else EINVAL; the flag is never cleared. */
export function setNoNewPrivs(cred: Cred, arg2: number, arg3 = 0, arg4 = 0, arg5 = 0): Transition<Cred> {
  if (arg2 !== 1 || !isZero(arg3) || !isZero(arg4) || !isZero(arg5)) {
    return { state: cred, errno: -EINVAL, rule: R_NNP, reason: 'PR_SET_NO_NEW_PRIVS takes exactly (1, 0, 0, 0)' };
  }
  return { state: cred.noNewPrivs ? cred : { ...cred, noNewPrivs: true }, result: 0, rule: R_NNP };
}

/**
 * prctl(option, arg2, arg3, arg4, arg5) for the options of kernel-semantics §2.5 and the
 * dumpable flag (§2.9); any other
 * option is outside the model (EINVAL, as the kernel answers for unknown options).
 */
export function prctl(kernel: KernelConfig, cred: Cred, option: number, arg2 = 0, arg3 = 0, arg4 = 0, arg5 = 0): Transition<Cred> {
  switch (option) {
    case PR_CAPBSET_READ: return capbsetRead(kernel, cred, arg2);
    case PR_CAPBSET_DROP: return capbsetDrop(kernel, cred, arg2);
    case PR_GET_SECUREBITS: return { state: cred, result: cred.securebits, rule: 'kernel-semantics §2.5 PR_GET_SECUREBITS' };
    case PR_SET_SECUREBITS: return setSecurebits(kernel, cred, arg2);
    case PR_GET_KEEPCAPS: return { state: cred, result: cred.securebits & SECBIT_KEEP_CAPS ? 1 : 0, rule: 'kernel-semantics §2.5 PR_GET_KEEPCAPS' };
    case PR_SET_KEEPCAPS: return setKeepCaps(cred, arg2);
    case PR_CAP_AMBIENT: return capAmbient(kernel, cred, arg2, arg3, arg4, arg5);
    case PR_GET_DUMPABLE: return getDumpable(cred);
    case PR_SET_DUMPABLE: return setDumpable(cred, arg2);
    case PR_SET_NO_NEW_PRIVS: return setNoNewPrivs(cred, arg2, arg3, arg4, arg5);
    case PR_GET_NO_NEW_PRIVS:
      if (!isZero(arg2) || !isZero(arg3) || !isZero(arg4) || !isZero(arg5)) {
        return { state: cred, errno: -EINVAL, rule: 'kernel-semantics §2.5 PR_GET_NO_NEW_PRIVS', reason: 'PR_GET_NO_NEW_PRIVS takes no arguments' };
      }
      return { state: cred, result: cred.noNewPrivs ? 1 : 0, rule: 'kernel-semantics §2.5 PR_GET_NO_NEW_PRIVS' };
    default:
      return { state: cred, errno: -EINVAL, rule: 'kernel-semantics §2.5', reason: `prctl option ${option} is not modelled` };
  }
}
