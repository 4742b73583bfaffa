/**
 * capget(2) / capset(2) in the model (kernel-semantics §2.3).
 */
import type { Cred, KernelConfig, Transition } from './types.js';
import { CAPABILITY_VERSION_1, CAPABILITY_VERSION_2, CAPABILITY_VERSION_3, EINVAL, EPERM, ESRCH } from './types.js';
import { capNamesVerb, validMask } from '../masks.js';

const LOW32 = 0xffffffffn;
const SETPCAP_BIT = 1n << 8n;

/** What capget returns (V1: the low 32 bits only). */
export interface CapgetData {
  /** E, as a mask. */
  readonly effective: bigint;
  /** P, as a mask. */
  readonly permitted: bigint;
  /** I, as a mask. */
  readonly inheritable: bigint;
}

/** capget's and capset's header (kernel-semantics §2.3). */
export interface CapHeader {
  /** Default V3 (0x20080522). */
  readonly version?: number;
  /** Default 0 (the caller). */
  readonly pid?: number;
}

/** The number of 32-bit data elements a header version carries, or 0 if the version is unknown. */
export function capVersionWords(version: number): 0 | 1 | 2 {
  if (version === CAPABILITY_VERSION_1) return 1;
  if (version === CAPABILITY_VERSION_2 || version === CAPABILITY_VERSION_3) return 2;
  return 0;
}

/**
 * capget(header, data). `probe` models `data == NULL`: the kernel only writes the version
 * it prefers into the header and returns 0, whatever version was asked (kernel-semantics §2.3).
 * `resolve(pid)` looks other threads up (undefined → ESRCH); `selfTid` is the caller's tid.
 * On an unknown version, `result` is undefined and `headerVersion` says what the kernel wrote.
 */
export function capget(
  cred: Cred,
  header: CapHeader & { probe?: boolean; selfTid?: number },
  resolve?: (pid: number) => Cred | undefined,
): Transition<Cred, CapgetData> & {
  /** A probe with an unknown version: the version the kernel writes back into the header. */
  headerVersion?: number;
} {
  const rule = 'kernel-semantics §2.3';
  const version = header.version ?? CAPABILITY_VERSION_3;
  const words = capVersionWords(version);
  if (header.probe) {
    return words === 0 ? { state: cred, rule, headerVersion: CAPABILITY_VERSION_3 } : { state: cred, rule };
  }
  if (words === 0) {
    return { state: cred, errno: -EINVAL, rule, headerVersion: CAPABILITY_VERSION_3, reason: `unknown capability header version 0x${(version >>> 0).toString(16)}` };
  }
  const pid = header.pid ?? 0;
  if (pid < 0) return { state: cred, errno: -EINVAL, rule, reason: 'capget of a negative pid' };
  let target = cred;
  if (pid !== 0 && pid !== header.selfTid) {
    const found = resolve?.(pid);
    if (found === undefined) return { state: cred, errno: -ESRCH, rule, reason: `no task ${pid}` };
    target = found;
  }
  const mask = words === 1 ? LOW32 : -1n;
  return {
    state: cred,
    rule,
    result: { effective: target.effective & mask, permitted: target.permitted & mask, inheritable: target.inheritable & mask },
  };
}

const REASONS: Record<string, (caps: bigint) => string> = {
  'kernel-semantics §2.3.3a': (c) => `I' ⊄ I ∪ P without cap_setpcap in E: ${capNamesVerb(c)} in neither I nor P`,
  'kernel-semantics §2.3.3b': (c) => `I' ⊄ I ∪ B: ${capNamesVerb(c)} not in the bounding set`,
  'kernel-semantics §2.3.3c': (c) => `P' ⊄ P: ${capNamesVerb(c)} not in the permitted set`,
  'kernel-semantics §2.3.3d': (c) => `E' ⊄ P': ${capNamesVerb(c)} not in the new permitted set`,
};

/** An EPERM from the capset checks; `reason` (which names the offending caps) is computed on first read. */
class CapsetRefusal implements Transition<Cred> {
  readonly errno = -EPERM;
  #reason: string | undefined;
  constructor(readonly state: Cred, readonly rule: string, readonly offending: bigint) {}
  get reason(): string {
    return (this.#reason ??= REASONS[this.rule]!(this.offending));
  }
  toJSON(): object {
    return { state: this.state, errno: this.errno, rule: this.rule, reason: this.reason };
  }
}

/**
 * capset(header, {E', P', I'}) on the calling thread (kernel-semantics §2.3): version check
 * (EINVAL), another pid (EPERM), then the four subset checks in the kernel's order (EPERM),
 * then commit with `A := A ∩ P' ∩ I'`. V1 supplies only caps 0–31; bits above LAST are dropped.
 * A refusal's `reason` is built only when read (CapsetRefusal), so the hot path stays cheap.
 */
export function capset(
  kernel: KernelConfig,
  cred: Cred,
  header: CapHeader & { selfTid?: number },
  effective: bigint,
  permitted: bigint,
  inheritable: bigint,
): Transition<Cred> {
  const version = header.version ?? CAPABILITY_VERSION_3;
  const words = capVersionWords(version);
  if (words === 0) {
    return { state: cred, errno: -EINVAL, rule: 'kernel-semantics §2.3', reason: `unknown capability header version 0x${(version >>> 0).toString(16)}` };
  }
  const pid = header.pid ?? 0;
  if (pid !== 0 && pid !== header.selfTid) {
    return { state: cred, errno: -EPERM, rule: 'kernel-semantics §2.3.1', reason: 'capset can only change the calling thread' };
  }
  const keep = words === 1 ? LOW32 & validMask(kernel.lastCap) : validMask(kernel.lastCap);
  const e = effective & keep;
  const p = permitted & keep;
  const i = inheritable & keep;
  if ((cred.effective & SETPCAP_BIT) === 0n) {
    const extra = i & ~(cred.inheritable | cred.permitted);
    if (extra !== 0n) {
      return new CapsetRefusal(cred, 'kernel-semantics §2.3.3a', extra);
    }
  }
  const outside = i & ~(cred.inheritable | cred.bounding);
  if (outside !== 0n) {
    return new CapsetRefusal(cred, 'kernel-semantics §2.3.3b', outside);
  }
  const gained = p & ~cred.permitted;
  if (gained !== 0n) {
    return new CapsetRefusal(cred, 'kernel-semantics §2.3.3c', gained);
  }
  const unbacked = e & ~p;
  if (unbacked !== 0n) {
    return new CapsetRefusal(cred, 'kernel-semantics §2.3.3d', unbacked);
  }
  return {
    state: { ...cred, effective: e, permitted: p, inheritable: i, ambient: cred.ambient & p & i },
    result: 0,
    rule: 'kernel-semantics §2.3.4',
  };
}
