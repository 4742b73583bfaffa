/**
 * Building and querying a legacy machine (kernel-semantics §3.1): boot, fork, task lookup,
 * and the small helpers every legacy transition shares.
 */
import { CapSet, type CapSetInput } from '../../vocabulary/capset.js';
import { invalidArg } from '../../vocabulary/errors.js';
import {
  ALL32, LEGACY_KERNELS, NSP, SPEC,
  type RuleStep, type LegacyKernel, type LegacySecurebits, type LegacySystem, type LegacyTask,
  type LegacyTransition, type VserverMaskPolicy,
} from './types.js';

/** Options of {@link bootLegacy}. */
export interface LegacyBootOptions {
  /** Default '2.6.22' (the VServer patch's base). */
  kernel?: LegacyKernel;
  /** 2.6.24 only: CONFIG_SECURITY_FILE_CAPABILITIES=y (initial X = ALL32, capset on others EPERM). */
  fileCapabilities?: boolean;
  /** Compile-time securebits (default both off). */
  securebits?: Partial<LegacySecurebits>;
  /** Carry the Linux-VServer patch (2.6.22 only). */
  vserver?: boolean;
  /** VServer masking policy on context entry (default 'upstream'). */
  maskPolicy?: VserverMaskPolicy;
}

/**
 * A freshly booted legacy kernel (kernel-semantics §3.1): `X = NSP` (`ALL32` with file
 * capabilities), init (pid 1) and the kernel thread pid 2 with `E = NSP, P = ALL32, I = {}`,
 * all ids 0. Throws CapsError on bad options.
 */
export function bootLegacy(options: LegacyBootOptions = {}): LegacySystem {
  if (options === null || typeof options !== 'object') throw invalidArg('legacy boot options', options, 'an object');
  const kernel = options.kernel ?? '2.6.22';
  if (!LEGACY_KERNELS.includes(kernel)) {
    throw invalidArg('legacy kernel', kernel, `${LEGACY_KERNELS.map((k) => `'${k}'`).join(', ')} (2.6.25, the first kernel with a per-task bounding set, and its Linux-VServer patch are not modelled: lib/model/README.md says why)`);
  }
  const fileCapabilities = options.fileCapabilities ?? false;
  if (fileCapabilities && kernel !== '2.6.24') {
    throw invalidArg('fileCapabilities', fileCapabilities, "false unless kernel is '2.6.24' (file capabilities first appeared there)");
  }
  const vserver = options.vserver ?? false;
  if (vserver && kernel !== '2.6.22') {
    throw invalidArg('vserver', vserver, "false unless kernel is '2.6.22' (the modelled patch is 2.6.22.19-vs2.3.0.34)");
  }
  const maskPolicy = options.maskPolicy ?? 'upstream';
  if (maskPolicy !== 'upstream' && maskPolicy !== 'bcaps') throw invalidArg('maskPolicy', maskPolicy, "'upstream' or 'bcaps'");
  const boot = (pid: number, name: string): LegacyTask => ({
    pid, pgrp: pid === 2 ? 0 : 1, name,
    uid: 0, euid: 0, suid: 0, fsuid: 0, gid: 0, egid: 0, sgid: 0, fsgid: 0, groups: [],
    effective: NSP, permitted: ALL32, inheritable: 0n, keep: false, xid: 0,
  });
  return {
    kernel,
    fileCapabilities,
    capBound: fileCapabilities ? ALL32 : NSP,
    securebits: { noroot: options.securebits?.noroot ?? false, noSetuidFixup: options.securebits?.noSetuidFixup ?? false },
    tasks: [boot(1, 'init'), boot(2, 'kthreadd')],
    nextPid: 3,
    vserver,
    contexts: [],
    maskPolicy,
  };
}

/** The task with this pid, or undefined. */
export function findTask(system: LegacySystem, pid: number): LegacyTask | undefined {
  return system.tasks.find((t) => t.pid === pid);
}

/** The task with this pid; CapsError (bad input) when there is none. */
export function taskOf(system: LegacySystem, pid: number): LegacyTask {
  const task = Number.isInteger(pid) ? findTask(system, pid) : undefined;
  if (task === undefined) throw invalidArg('pid', pid, `the pid of a task of this system (${system.tasks.map((t) => t.pid).join(', ')})`);
  return task;
}

/** The system with `task` replacing the task of the same pid. */
export function withTask(system: LegacySystem, task: LegacyTask): LegacySystem {
  return { ...system, tasks: system.tasks.map((t) => (t.pid === task.pid ? task : t)) };
}

/** A failed transition: the state unchanged, the errno negative. */
export function refuse<R = number>(system: LegacySystem, errno: number, rule: string, reason: string, steps?: RuleStep[]): LegacyTransition<R> {
  return steps ? { state: system, errno: -Math.abs(errno), rule, reason, steps } : { state: system, errno: -Math.abs(errno), rule, reason };
}

/** A successful transition. */
export function done<R = number>(state: LegacySystem, rule: string, result?: R, reason?: string, steps?: RuleStep[]): LegacyTransition<R> {
  const t: { -readonly [K in keyof LegacyTransition<R>]: LegacyTransition<R>[K] } = { state, rule };
  if (result !== undefined) t.result = result;
  if (reason !== undefined) t.reason = reason;
  if (steps !== undefined && steps.length > 0) t.steps = steps;
  return t;
}

/**
 * A 32-bit capability set from any CapSetInput; CapsError if it holds a capability above 31
 * (legacy sets are one 32-bit word, kernel-semantics §3.1).
 */
export function toMask32(input: CapSetInput, what: string): bigint {
  const mask = CapSet.from(input).toMask();
  if (mask > ALL32) throw invalidArg(what, input, 'capabilities 0..31 only (legacy sets are 32 bits)');
  return mask;
}

/**
 * fork(): the child copies the parent's credentials and keep flag, context and process group
 * (kernel-semantics §3.1). `result` is the child's pid.
 */
export function forkTask(system: LegacySystem, parentPid: number, name?: string): LegacyTransition<number> {
  const parent = taskOf(system, parentPid);
  const pid = system.nextPid;
  const child: LegacyTask = { ...parent, pid, name: name ?? parent.name };
  return done({ ...system, tasks: [...system.tasks, child], nextPid: pid + 1 }, `${SPEC} §3.1`, pid, `pid ${pid} copies the credentials of pid ${parentPid}`);
}

/** setpgid(pid, pgrp) without permission checks (the model's bookkeeping for capset -pgrp). */
export function setProcessGroup(system: LegacySystem, pid: number, pgrp: number): LegacySystem {
  if (!Number.isInteger(pgrp) || pgrp < 0) throw invalidArg('process group', pgrp, 'a non-negative integer');
  return withTask(system, { ...taskOf(system, pid), pgrp });
}

/** Hex mask for reasons: `0xfffffeff`. */
export function hex32(mask: bigint): string {
  return `0x${mask.toString(16)}`;
}
