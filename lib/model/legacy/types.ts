/**
 * State of a legacy kernel (2.2 … 2.6.24, kernel-semantics §3) and of its Linux-VServer
 * variant (2.6.22-vs2.3.0.34, §4).
 *
 * Legacy state differs from the modern `Cred` (../modern/types.ts): capability sets are 32 bits wide,
 * there is no per-task bounding set but one global cap-bound `X`, no ambient set, no user
 * namespaces, and the keep-capabilities flag is a plain task flag, not a securebit. Everything
 * here is plain data; every transition returns a new `LegacySystem`.
 */
import { CAPABILITY_VERSION_1 } from '../../vocabulary/abi.js';
export { CAP_DAC_OVERRIDE, CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_SYS_MODULE, CAP_SYS_ADMIN, CAP_SYS_RESOURCE } from '../../vocabulary/abi.js';

/**
 * Which legacy kernel's rules apply (kernel-semantics §3; the spec distinguishes these):
 * - `'2.2'`: 2.2.18+ (cap-bound and keepcaps exist); an unsafe exec that would change ids or
 *   raise P fails with EPERM instead of being downgraded (§3.5 step 5); reading cap-bound
 *   needs CAP_SYS_MODULE.
 * - `'2.4'`: unsafe exec is downgraded; reading cap-bound needs CAP_SYS_MODULE.
 * - `'2.6.20'`: as 2.4 (the last releases whose cap-bound read needs CAP_SYS_MODULE).
 * - `'2.6.22'`: reading cap-bound needs no capability; the Linux-VServer patch's base.
 * - `'2.6.24'`: as 2.6.22; with `fileCapabilities` the CONFIG_SECURITY_FILE_CAPABILITIES rules.
 */
export type LegacyKernel = '2.2' | '2.4' | '2.6.20' | '2.6.22' | '2.6.24';

/** Every LegacyKernel value, oldest first. */
export const LEGACY_KERNELS: readonly LegacyKernel[] = ['2.2', '2.4', '2.6.20', '2.6.22', '2.6.24'];

/** How a VServer kernel masks a task's sets when it enters a context (kernel-semantics §4.2). */
export type VserverMaskPolicy =
  /** vs2.3.0.34 as released: `E, P, I &= v.cap_bset` (the snapshot of the global cap-bound). */
  | 'upstream'
  /** The seed thread's patch (Joe Gooch, 2008): `E, P, I &= v.bcaps` (low 32 bits). */
  | 'bcaps';

/** A Linux-VServer context (kernel-semantics §4.1). Masks are bigints. */
export interface VxContext {
  /** Context id: ≥ 2 for guests. */
  readonly xid: number;
  /** Context flags (u64): STATE_SETUP 1<<32, STATE_INIT 1<<33, STATE_ADMIN 1<<34, … */
  readonly flags: bigint;
  /** Bounding ("system") capabilities, u64. */
  readonly bcaps: bigint;
  /** Context capabilities (VXC_*), u64. */
  readonly ccaps: bigint;
  /** The guest's copy of the global cap-bound, taken when the context was created (32 bits). */
  readonly capBset: bigint;
}

/** One task (single-threaded process) of a legacy kernel (kernel-semantics §3.1). */
export interface LegacyTask {
  /** The task's pid. */
  readonly pid: number;
  /** Process group (for capset with pid < -1). */
  readonly pgrp: number;
  /** A label for explanations (e.g. 'init', 'bash'); no effect on the rules. */
  readonly name?: string;
  /** Real uid. */
  readonly uid: number;
  /** Effective uid. */
  readonly euid: number;
  /** Saved uid. */
  readonly suid: number;
  /** Filesystem uid. */
  readonly fsuid: number;
  /** Real gid. */
  readonly gid: number;
  /** Effective gid. */
  readonly egid: number;
  /** Saved gid. */
  readonly sgid: number;
  /** Filesystem gid. */
  readonly fsgid: number;
  /** Supplementary groups. */
  readonly groups: readonly number[];
  /** 32-bit capability sets as bigint masks (bit n = capability n). */
  readonly effective: bigint;
  /** P. */
  readonly permitted: bigint;
  /** I. */
  readonly inheritable: bigint;
  /** keep_capabilities (PR_SET_KEEPCAPS), cleared by exec. */
  readonly keep: boolean;
  /** VServer context id: 0 = host. Always 0 on a kernel without the VServer patch. */
  readonly xid: number;
}

/** Global securebits of a legacy kernel: compile-time, no syscall changes them (§3.1). */
export interface LegacySecurebits {
  /** SECURE_NOROOT: no superuser emulation at exec. */
  readonly noroot: boolean;
  /** SECURE_NO_SETUID_FIXUP: set*uid never touches the capability sets. */
  readonly noSetuidFixup: boolean;
}

/** A whole legacy machine: the global cap-bound, the tasks, and (VServer) the contexts. */
export interface LegacySystem {
  /** Which legacy kernel: its version decides the rules (2.2, 2.4, 2.6.x). */
  readonly kernel: LegacyKernel;
  /** 2.6.24 with CONFIG_SECURITY_FILE_CAPABILITIES (§3.4, §3.5). */
  readonly fileCapabilities: boolean;
  /** The global cap-bound X (sysctl kernel.cap-bound), an unsigned 32-bit mask. */
  readonly capBound: bigint;
  /** The compile-time securebits (§3.1). */
  readonly securebits: LegacySecurebits;
  /** Tasks by ascending pid; pid 1 is the global init. */
  readonly tasks: readonly LegacyTask[];
  /** The pid the next fork gets. */
  readonly nextPid: number;
  /** Linux-VServer: whether the kernel carries the patch (then contexts exist). */
  readonly vserver: boolean;
  /** VServer contexts by xid. */
  readonly contexts: readonly VxContext[];
  /** VServer masking policy on context entry (default 'upstream'). */
  readonly maskPolicy: VserverMaskPolicy;
}

/** One step of an explanation: the rule that acted and what it did (the modern model's shape). */
export interface RuleStep {
  /** Spec section, e.g. 'kernel-semantics §3.5'. */
  readonly rule: string;
  /** What the rule did, in words. */
  readonly reason: string;
}

/**
 * What every legacy/VServer transition returns — the modern `Transition` shape (../modern/types.ts)
 * plus `steps`, the masking/recomputation steps applied, each naming its rule.
 */
export interface LegacyTransition<R = number> {
  /** The new system (the input, unchanged, on failure). */
  readonly state: LegacySystem;
  /** Negative errno on failure. */
  readonly errno?: number;
  /** The syscall's return value where it has one (a pid, a capget's sets, cap-bound's text). */
  readonly result?: R;
  /** The rule that decided (refusal) or the main rule applied (success). */
  readonly rule: string;
  /** Why it was refused, or what notable happened. */
  readonly reason?: string;
  /** The masking and recomputation steps applied, in order. */
  readonly steps?: readonly RuleStep[];
}

/** ALL32 = CAP_FULL_SET of a 32-bit kernel (§3.1). */
export const ALL32 = 0xffffffffn;
/** NSP = CAP_INIT_EFF_SET: everything but CAP_SETPCAP (§3.1). */
export const NSP = 0xfffffeffn;
/** setfsuid's capability mask on legacy kernels: CHOWN … FSETID (§3.1, §3.6). */
export const FS_LEGACY = 0x1fn;
/** capget/capset header version 1, the only one before 2.6.25 (§3.4). */
export const LEGACY_CAPABILITY_VERSION = CAPABILITY_VERSION_1;

/** Capability numbers the legacy rules name. */
/** Bit 31 in 2.6.22 VServer kernels (SETFCAP in mainline 2.6.24). */
export const CAP_CONTEXT = 31;

/** Context flags (kernel-semantics §4.1). */
export const VXF_STATE_SETUP = 1n << 32n;
/** VXF_STATE_INIT: the context's init has not been chosen yet. */
export const VXF_STATE_INIT = 1n << 33n;
/** VXF_STATE_ADMIN: the context is still being administered from the host. */
export const VXF_STATE_ADMIN = 1n << 34n;
/** VXF_PERSISTENT: the context outlives its last task. */
export const VXF_PERSISTENT = 1n << 38n;
/** The flags a new context starts with: SETUP, INIT and ADMIN. */
export const VXF_INIT_SET = VXF_STATE_SETUP | VXF_STATE_INIT | VXF_STATE_ADMIN;

/** u64 all-ones. */
export const U64 = (1n << 64n) - 1n;

/** Spec section labels used in rules. */
export const SPEC = 'kernel-semantics';
