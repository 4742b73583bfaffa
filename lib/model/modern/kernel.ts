/**
 * The modern kernel model (kernel-semantics §2), entry point: kernel configurations, building
 * credentials, and one dispatcher that applies any ModelStep. Every transition is a pure
 * function `(kernel, cred, …) → { state, errno?, result?, rule, reason? }`.
 */
import type { CredOp } from '../../vocabulary/types.js';
import { CapSet, type CapSetInput } from '../../vocabulary/capset.js';
import { invalidArg } from '../../vocabulary/errors.js';
import { MAX_CAP } from '../../vocabulary/names.js';
import type { Cred, KernelConfig, KernelVersion, ModelStep, Transition, UserNamespace } from './types.js';
import {
  CAPABILITY_VERSION_3, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, PR_CAP_AMBIENT_LOWER,
  PR_CAP_AMBIENT_RAISE, PR_SET_KEEPCAPS, PR_SET_NO_NEW_PRIVS, PR_SET_SECUREBITS,
} from './types.js';
import { capget, capset } from './capset.js';
import { prctl } from './prctl.js';
import { setfsgid, setfsuid, setgid, setgroups, setregid, setresgid, setresuid, setreuid, setuid } from './setid.js';
import { execve } from './exec.js';
import { INITIAL_USER_NS, makeKgid, makeKuid, setnsUserNs, unshareUserNs, writeIdMap } from './userns.js';
import { procSelfWriteDenied, writeSetgroups } from './proc-self.js';
import { committed } from './dumpable.js';
import { validMask } from '../masks.js';

export { capget, capset, capVersionWords } from './capset.js';
export type { CapgetData, CapHeader } from './capset.js';
export { prctl, capbsetRead, capbsetDrop, setSecurebits, setKeepCaps, capAmbient, setNoNewPrivs } from './prctl.js';
export { setuid, setreuid, setresuid, setfsuid, setgid, setregid, setresgid, setfsgid, setgroups } from './setid.js';
export { execve } from './exec.js';
export {
  INITIAL_USER_NS, capable, makeKuid, makeKgid, fromKuid, fromKgid, uidSeenFrom, gidSeenFrom, rootKuid,
  isSameOrAncestor, unshareUserNs, setnsUserNs, writeIdMap, setgroupsAllowed,
} from './userns.js';
export { procSelfWriteDenied, writeSetgroups } from './proc-self.js';
export { committed, dumpableOf, getDumpable, setDumpable, procFileOwner } from './dumpable.js';
export type { ProcFileOwner } from './dumpable.js';
export { decodeFileCaps, encodeFileCaps, fileCapsApply, convertFileCapsWrite, viewFileCaps } from './xattr-rules.js';

/** Options of createKernel(). */
export interface KernelOptions {
  /** '6.18' (default) or 'pre-2025' (the old exec rule, kernel-semantics §2.6 history note). */
  version?: KernelVersion;
  /** CAP_LAST_CAP, default 40. */
  lastCap?: number;
  /** Default true (6.14+): PR_SET_SECUREBITS may change only the exec bits without CAP_SETPCAP. */
  execBitsWithoutSetpcap?: boolean;
  /** Default 0xfff (6.14+); 0xff models 4.3–6.13. */
  securebitsMask?: number;
  /** fs.suid_dumpable: 0 (default), 1 or 2 — what dumpable becomes after a privilege change. */
  suidDumpable?: 0 | 1 | 2;
  /** The deepest user namespace level (default 33: create_user_ns refuses a parent above level 32). */
  maxUserNamespaceLevel?: number;
}

/**
 * A KernelConfig as given (every field present), else one made from createKernel() options;
 * the default kernel when absent. What explain() and the simulated backend take.
 */
export function resolveKernel(k: KernelConfig | KernelOptions | undefined): KernelConfig {
  if (k === undefined) return KERNEL_6_18;
  const full = 'execBitsWithoutSetpcap' in k && 'securebitsMask' in k && 'suidDumpable' in k && 'maxUserNamespaceLevel' in k;
  return full ? (k as KernelConfig) : createKernel(k as KernelOptions);
}

/**
 * A kernel to model. Validates its options (CapsError ERR_CAPS_INVALID_ARG).
 * @example createKernel({ version: 'pre-2025' })
 */
export function createKernel(options: KernelOptions = {}): KernelConfig {
  const version = options.version ?? '6.18';
  if (version !== '6.18' && version !== 'pre-2025') throw invalidArg('kernel version', version, "'6.18' or 'pre-2025'");
  const lastCap = options.lastCap ?? 40;
  if (!Number.isInteger(lastCap) || lastCap < 0 || lastCap > MAX_CAP) throw invalidArg('lastCap', lastCap, `an integer from 0 to ${MAX_CAP}`);
  const securebitsMask = options.securebitsMask ?? 0xfff;
  if (!Number.isInteger(securebitsMask) || securebitsMask < 0 || securebitsMask > 0xfff) throw invalidArg('securebitsMask', securebitsMask, 'an integer from 0 to 0xfff');
  const suidDumpable = options.suidDumpable ?? 0;
  if (suidDumpable !== 0 && suidDumpable !== 1 && suidDumpable !== 2) throw invalidArg('suidDumpable', suidDumpable, '0, 1 or 2 (fs.suid_dumpable)');
  const maxUserNamespaceLevel = options.maxUserNamespaceLevel ?? 33;
  if (!Number.isInteger(maxUserNamespaceLevel) || maxUserNamespaceLevel < 0) throw invalidArg('maxUserNamespaceLevel', maxUserNamespaceLevel, 'a non-negative integer');
  return Object.freeze({ version, lastCap, securebitsMask, execBitsWithoutSetpcap: options.execBitsWithoutSetpcap ?? true, suidDumpable, maxUserNamespaceLevel });
}

/** Linux 6.18 with 41 capabilities (the default kernel). */
export const KERNEL_6_18: KernelConfig = createKernel();
/** The same kernel with the pre-2025 exec rule (kernel-semantics §2.6 history note). */
export const KERNEL_PRE_2025: KernelConfig = createKernel({ version: 'pre-2025' });

/** Fields of createCred(): ids as the namespace sees them, sets as CapSet/bigint/names. */
export interface CredInit {
  /** Real uid (default 0). */
  uid?: number;
  /** Effective uid (default: uid). */
  euid?: number;
  /** Saved uid (default: euid). */
  suid?: number;
  /** Filesystem uid (default: euid). */
  fsuid?: number;
  /** Real gid (default 0). */
  gid?: number;
  /** Effective gid (default: gid). */
  egid?: number;
  /** Saved gid (default: egid). */
  sgid?: number;
  /** Filesystem gid (default: egid). */
  fsgid?: number;
  /** Supplementary groups (default none). */
  groups?: readonly number[];
  /** E (default: P when P is given; else every capability for euid 0, none otherwise). */
  effective?: CapSetInput;
  /** P (default: every capability for euid 0, none otherwise). */
  permitted?: CapSetInput;
  /** I (default: empty). */
  inheritable?: CapSetInput;
  /** The bounding set (default: every capability). */
  bounding?: CapSetInput;
  /** The ambient set (default: empty). */
  ambient?: CapSetInput;
  /** The securebits word (default 0). */
  securebits?: number;
  /** no_new_privs (default false). */
  noNewPrivs?: boolean;
  /** Default: the initial user namespace. */
  ns?: UserNamespace;
  /** The dumpable flag, 0, 1 or 2 (default 1). */
  dumpable?: 0 | 1 | 2;
  /** The namespace the process last exec'd in (default: `ns`). */
  mmUserNs?: UserNamespace;
}

function mask(input: CapSetInput | undefined, fallback: bigint, last: number, what: string): bigint {
  if (input === undefined) return fallback;
  const m = typeof input === 'bigint' ? input : CapSet.from(input).toMask();
  if (m < 0n || (m & ~validMask(last)) !== 0n) throw invalidArg(`${what} set`, input, `capabilities 0..${last}`);
  return m;
}

function id(value: number | undefined, fallback: number, ns: UserNamespace, gid: boolean, what: string): number {
  const v = value ?? fallback;
  const k = gid ? makeKgid(ns, v) : makeKuid(ns, v);
  if (k < 0) throw invalidArg(what, v, 'an id mapped in the namespace (0..4294967294)');
  return k;
}

/**
 * A credential. Defaults: uid/gid 0, no groups; for root (euid 0) P = E = B = FULL, for anyone
 * else P = E = {} and B = FULL; I = A = {}; securebits 0; nnp off; the initial namespace.
 * Throws ERR_CAPS_INVALID_ARG for sets beyond lastCap, unmapped ids, E ⊄ P or A ⊄ P ∩ I
 * (states the kernel never holds).
 */
export function createCred(kernel: KernelConfig = KERNEL_6_18, init: CredInit = {}): Cred {
  const ns = init.ns ?? INITIAL_USER_NS;
  const full = validMask(kernel.lastCap);
  const uid = id(init.uid, 0, ns, false, 'uid');
  const euid = id(init.euid, init.uid ?? 0, ns, false, 'euid');
  const suid = id(init.suid, init.euid ?? init.uid ?? 0, ns, false, 'suid');
  const fsuid = id(init.fsuid, init.euid ?? init.uid ?? 0, ns, false, 'fsuid');
  const gid = id(init.gid, 0, ns, true, 'gid');
  const egid = id(init.egid, init.gid ?? 0, ns, true, 'egid');
  const sgid = id(init.sgid, init.egid ?? init.gid ?? 0, ns, true, 'sgid');
  const fsgid = id(init.fsgid, init.egid ?? init.gid ?? 0, ns, true, 'fsgid');
  const groups = (init.groups ?? []).map((g) => id(g, g, ns, true, 'group')).sort((a, b) => a - b);
  const isRoot = (init.euid ?? init.uid ?? 0) === 0;
  const permitted = mask(init.permitted, isRoot ? full : 0n, kernel.lastCap, 'permitted');
  const effective = mask(init.effective, isRoot && init.permitted === undefined ? full : init.permitted === undefined ? 0n : permitted, kernel.lastCap, 'effective');
  const inheritable = mask(init.inheritable, 0n, kernel.lastCap, 'inheritable');
  const bounding = mask(init.bounding, full, kernel.lastCap, 'bounding');
  const ambient = mask(init.ambient, 0n, kernel.lastCap, 'ambient');
  if ((effective & ~permitted) !== 0n) throw invalidArg('credential', 'effective ⊄ permitted', 'E ⊆ P (kernel-semantics §2.1)');
  if ((ambient & ~(permitted & inheritable)) !== 0n) throw invalidArg('credential', 'ambient ⊄ permitted ∩ inheritable', 'A ⊆ P ∩ I (kernel-semantics §2.1)');
  const securebits = init.securebits ?? 0;
  if (!Number.isInteger(securebits) || securebits < 0 || (securebits & ~kernel.securebitsMask) !== 0) {
    throw invalidArg('securebits', securebits, `bits within 0x${kernel.securebitsMask.toString(16)}`);
  }
  const dumpable = init.dumpable ?? 1;
  if (dumpable !== 0 && dumpable !== 1 && dumpable !== 2) throw invalidArg('dumpable', dumpable, '0, 1 or 2');
  return {
    uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups,
    inheritable, permitted, effective, bounding, ambient,
    securebits, noNewPrivs: init.noNewPrivs ?? false, ns,
    dumpable, mmUserNs: init.mmUserNs ?? ns,
  };
}

/** Whether a value is a complete Cred (every field present), as opposed to createCred() fields. */
export function isCred(value: unknown): value is Cred {
  const c = value as Cred;
  return c !== null && typeof c === 'object'
    && typeof c.uid === 'number' && typeof c.euid === 'number' && typeof c.suid === 'number' && typeof c.fsuid === 'number'
    && typeof c.gid === 'number' && typeof c.egid === 'number' && typeof c.sgid === 'number' && typeof c.fsgid === 'number'
    && Array.isArray(c.groups) && typeof c.securebits === 'number' && typeof c.noNewPrivs === 'boolean'
    && typeof c.effective === 'bigint' && typeof c.permitted === 'bigint' && typeof c.inheritable === 'bigint'
    && typeof c.bounding === 'bigint' && typeof c.ambient === 'bigint' && c.ns !== null && typeof c.ns === 'object';
}

/** What a step may need from around the thread (other threads, its tid). */
export interface StepEnvironment {
  /** The calling thread's tid (capget/capset with this pid mean "self"). */
  selfTid?: number;
  /** Other tasks for capget(pid). */
  resolve?: (pid: number) => Cred | undefined;
  /** unshare(CLONE_NEWUSER) fails with EINVAL in a multi-threaded process. */
  multithreaded?: boolean;
}

/**
 * Applies one ModelStep to a credential. Never throws for a refused syscall: the errno is in
 * the result. Throws ERR_CAPS_INVALID_ARG for a step that is not a ModelStep.
 */
export function applyStep(kernel: KernelConfig, cred: Cred, step: ModelStep, env: StepEnvironment = {}): Transition<Cred, unknown> {
  const t = transition(kernel, cred, step, env);
  // Every credential change passes commit_creds, which may clear dumpable (kernel-semantics §2.9);
  // exec decides dumpable itself.
  if (step.op === 'execve' || t.errno !== undefined || t.state === cred) return t;
  const state = committed(kernel, cred, t.state);
  return state === t.state ? t : { ...t, state };
}

function transition(kernel: KernelConfig, cred: Cred, step: ModelStep, env: StepEnvironment = {}): Transition<Cred, unknown> {
  switch (step.op) {
    case 'capget': return capget(cred, { version: step.version, pid: step.pid, probe: step.probe, selfTid: env.selfTid }, env.resolve);
    case 'capset': return capset(kernel, cred, { version: step.version, pid: step.pid, selfTid: env.selfTid }, step.effective, step.permitted, step.inheritable);
    case 'prctl': return prctl(kernel, cred, step.option, step.arg2, step.arg3, step.arg4, step.arg5);
    case 'setuid': return setuid(cred, step.uid);
    case 'setreuid': return setreuid(cred, step.ruid, step.euid);
    case 'setresuid': return setresuid(cred, step.ruid, step.euid, step.suid);
    case 'setfsuid': return setfsuid(cred, step.fsuid);
    case 'setgid': return setgid(cred, step.gid);
    case 'setregid': return setregid(cred, step.rgid, step.egid);
    case 'setresgid': return setresgid(cred, step.rgid, step.egid, step.sgid);
    case 'setfsgid': return setfsgid(cred, step.fsgid);
    case 'setgroups': return setgroups(cred, step.groups);
    case 'execve': return execve(kernel, cred, step.file, step.context);
    case 'unshare-user': return unshareUserNs(kernel, cred, { multithreaded: env.multithreaded });
    case 'setns-user': return setnsUserNs(kernel, cred, step.ns, { multithreaded: env.multithreaded });
    case 'write-uid-map': return procSelfWriteDenied(cred, 'uid_map') ?? writeIdMap(cred, cred.ns, step.extents, 'uid');
    case 'write-gid-map': return procSelfWriteDenied(cred, 'gid_map') ?? writeIdMap(cred, cred.ns, step.extents, 'gid');
    case 'write-setgroups': return writeSetgroups(cred, step.value);
    default:
      throw invalidArg('model step', step, "an object with op 'capset', 'prctl', 'setuid', 'execve', … (see lib/model/README.md)");
  }
}

/** The ModelStep that performs one library CredOp (the syscall the native backend makes). */
export function credOpToStep(op: CredOp): ModelStep {
  switch (op.op) {
    case 'capset':
      return { op: 'capset', version: CAPABILITY_VERSION_3, pid: 0, effective: toMask(op.effective), permitted: toMask(op.permitted), inheritable: toMask(op.inheritable) };
    case 'bounding.drop': return { op: 'prctl', option: PR_CAPBSET_DROP, arg2: op.cap };
    case 'ambient.raise': return { op: 'prctl', option: PR_CAP_AMBIENT, arg2: PR_CAP_AMBIENT_RAISE, arg3: op.cap };
    case 'ambient.lower': return { op: 'prctl', option: PR_CAP_AMBIENT, arg2: PR_CAP_AMBIENT_LOWER, arg3: op.cap };
    case 'ambient.clear': return { op: 'prctl', option: PR_CAP_AMBIENT, arg2: PR_CAP_AMBIENT_CLEAR_ALL };
    case 'securebits.set': return { op: 'prctl', option: PR_SET_SECUREBITS, arg2: op.bits };
    case 'keepCaps.set': return { op: 'prctl', option: PR_SET_KEEPCAPS, arg2: op.on ? 1 : 0 };
    case 'noNewPrivs.set': return { op: 'prctl', option: PR_SET_NO_NEW_PRIVS, arg2: 1 };
    default:
      throw invalidArg('credential operation', op, "one of 'capset', 'bounding.drop', 'ambient.raise', 'ambient.lower', 'ambient.clear', 'securebits.set', 'keepCaps.set', 'noNewPrivs.set'");
  }
}

function toMask(input: CapSetInput | undefined): bigint {
  if (input === undefined) return 0n;
  return typeof input === 'bigint' ? input : CapSet.from(input).toMask();
}

/** Whether a value looks like a library CredOp rather than a ModelStep. */
export function isCredOp(step: { op: string }): step is CredOp {
  return step.op === 'bounding.drop' || step.op === 'noNewPrivs.set' || step.op.startsWith('ambient.') || step.op === 'securebits.set' || step.op === 'keepCaps.set'
    || (step.op === 'capset' && !(typeof (step as { effective?: unknown }).effective === 'bigint'));
}
