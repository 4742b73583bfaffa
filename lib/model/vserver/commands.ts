/**
 * sys_vserver's capability and flag commands (kernel-semantics §4.6) with their permission
 * pipeline and errnos.
 */
import { invalidArg } from '../../vocabulary/errors.js';
import { capableAnswer } from '../legacy/capable.js';
import { done, refuse, taskOf, withTask } from '../legacy/system.js';
import { findContext, gateAnswer, maskTask } from './context.js';
import {
  CAP_SYS_RESOURCE, SPEC, U64, VXF_STATE_ADMIN, VXF_STATE_INIT, VXF_STATE_SETUP,
  type LegacySystem, type LegacyTransition, type VserverMaskPolicy, type VxContext,
} from '../legacy/types.js';
import { EACCES, ENOSYS, EPERM, ESRCH } from '../../vocabulary/abi.js';

const RULE = `${SPEC} §4.6`;

/** `VC_CMD(cat, id, version)`: `(cat & 0x3f) << 24 | (id & 0xff) << 16 | (version & 0xfff)`. */
export function vcCmd(category: number, id: number, version: number): number {
  return (((category & 0x3f) << 24) | ((id & 0xff) << 16) | (version & 0xfff)) >>> 0;
}

/** The FLAGS category (52). */
export const VC_CAT_FLAGS = 52;
/** Command numbers (kernel-semantics §4.6; get/set_cflags from the vserver headers [UNV here]). */
export const VCMD = Object.freeze({
  /** VCMD_get_cflags: read the context flags. */
  get_cflags: vcCmd(VC_CAT_FLAGS, 1, 0),
  /** VCMD_set_cflags: change the context flags (under a mask). */
  set_cflags: vcCmd(VC_CAT_FLAGS, 2, 0),
  /** VCMD_get_ccaps: read the context capabilities (and bcaps). */
  get_ccaps: vcCmd(VC_CAT_FLAGS, 3, 1),
  /** VCMD_set_ccaps: change the context capabilities (under a mask). */
  set_ccaps: vcCmd(VC_CAT_FLAGS, 4, 1),
  /** VCMD_set_ccaps version 0 (vs1.9 and older trees): bcaps and ccaps together. */
  set_ccaps_v0: vcCmd(VC_CAT_FLAGS, 4, 0),
  /** VCMD_get_bcaps: read the bounding capabilities. */
  get_bcaps: vcCmd(VC_CAT_FLAGS, 9, 0),
  /** VCMD_set_bcaps: lower the bounding capabilities (under a mask). */
  set_bcaps: vcCmd(VC_CAT_FLAGS, 10, 0),
});

/** The syscall number on x86_64 (273 on i386). */
export const NR_VSERVER_X86_64 = 236;

/** Data of the commands (u64 fields as bigints). */
export type VserverCommandData =
  | {
    /** get/set_bcaps: the bounding capabilities. */
    readonly bcaps: bigint;
    /** set_bcaps: which bits to change. */
    readonly bmask: bigint;
  }
  | {
    /** get/set_ccaps: the context capabilities (VXC_*). */
    readonly ccaps: bigint;
    /** set_ccaps: which bits to change. */
    readonly cmask: bigint;
  }
  | {
    /** set_ccaps v0: the bounding capabilities. */
    readonly bcaps: bigint;
    /** set_ccaps v0: the context capabilities. */
    readonly ccaps: bigint;
    /** set_ccaps v0: which context capability bits to change. */
    readonly cmask: bigint;
  }
  | {
    /** get/set_cflags: the context flags (VXF_*). */
    readonly flagword: bigint;
    /** set_cflags: which flags to change. */
    readonly mask: bigint;
  };

/** Options of {@link sysVserver}. */
export interface SysVserverOptions {
  /** Whether the kernel still has the v0 set_ccaps (vs1.9 / older 2.6.22 trees); default false (vs2.3.0.34). */
  readonly v0SetCcaps?: boolean;
  /** Masking policy when set_cflags ends the caller's own STATE_SETUP (default: the system's). */
  readonly policy?: VserverMaskPolicy;
}

/** One-time context flags: once cleared they cannot be set again. */
const ONE_TIME = VXF_STATE_SETUP | VXF_STATE_INIT | VXF_STATE_ADMIN;

function u64(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64) throw invalidArg(what, value, 'a bigint from 0n to 2n**64n - 1n');
  return value;
}

/**
 * `sys_vserver(cmd, xid, data)` by task `callerPid` for the FLAGS-category commands of
 * kernel-semantics §4.6. Gate: capable(CAP_CONTEXT) → else ENOSYS; CAP_SYS_ADMIN → else EPERM.
 * Setters also need CAP_SYS_RESOURCE (EPERM) and a caller in the host or in its own context's
 * STATE_SETUP (EPERM); then target xid missing or 0/1 → ESRCH; target without STATE_ADMIN →
 * EACCES. `result` is the data a getter returns.
 */
export function sysVserver(system: LegacySystem, callerPid: number, cmd: number, xid: number, data?: VserverCommandData, options: SysVserverOptions = {}): LegacyTransition<VserverCommandData> {
  const caller = taskOf(system, callerPid);
  if (!Number.isInteger(xid) || xid < 0) throw invalidArg('xid', xid, 'a non-negative integer');
  const known = Object.values(VCMD) as number[];
  if (!system.vserver) return refuse(system, ENOSYS, RULE, 'the kernel has no VServer patch');
  if (!known.includes(cmd) || (cmd === VCMD.set_ccaps_v0 && !options.v0SetCcaps)) {
    return refuse(system, ENOSYS, RULE, `command 0x${(cmd >>> 0).toString(16)} is not implemented by this kernel`);
  }
  const gate = gateAnswer(system, caller);
  if (gate) return refuse(system, gate.errno, gate.rule, gate.reason);
  const setter = cmd === VCMD.set_bcaps || cmd === VCMD.set_ccaps || cmd === VCMD.set_ccaps_v0 || cmd === VCMD.set_cflags;
  if (setter) {
    const resource = capableAnswer(system, caller, CAP_SYS_RESOURCE);
    if (!resource.ok) return refuse(system, EPERM, RULE, `setting context attributes needs cap_sys_resource: ${resource.reason}`);
    const own = caller.xid === 0 ? undefined : findContext(system, caller.xid);
    if (caller.xid !== 0 && (own === undefined || (own.flags & VXF_STATE_SETUP) === 0n)) {
      return refuse(system, EPERM, RULE, `pid ${caller.pid} is in context ${caller.xid}, which is no longer in STATE_SETUP: bcaps/ccaps/flags can only be set from the host`);
    }
  }
  const v = xid <= 1 ? undefined : findContext(system, xid);
  if (v === undefined) return refuse(system, ESRCH, RULE, `no context ${xid}${xid <= 1 ? ' (0 and 1 are not contexts)' : ''}`);
  if (setter && (v.flags & VXF_STATE_ADMIN) === 0n) return refuse(system, EACCES, RULE, `context ${xid} lacks STATE_ADMIN`);

  const replace = (next: VxContext, reason: string): LegacyTransition<VserverCommandData> =>
    done<VserverCommandData>({ ...system, contexts: system.contexts.map((c) => (c.xid === xid ? next : c)) }, RULE, undefined, reason);
  const d = (data ?? {}) as Record<string, unknown>;
  switch (cmd) {
    case VCMD.get_bcaps: return done(system, RULE, { bcaps: v.bcaps, bmask: U64 });
    case VCMD.get_ccaps: return done(system, RULE, { ccaps: v.ccaps, cmask: U64 });
    case VCMD.get_cflags: return done(system, RULE, { flagword: v.flags, mask: U64 });
    case VCMD.set_bcaps: {
      const bcaps = u64(d.bcaps, 'bcaps');
      const bmask = u64(d.bmask, 'bmask');
      return replace({ ...v, bcaps: (v.bcaps & ~bmask) | (bcaps & bmask) }, 'bcaps := (bcaps & ~bmask) | (new & bmask) — may raise');
    }
    case VCMD.set_ccaps: {
      const ccaps = u64(d.ccaps, 'ccaps');
      const cmask = u64(d.cmask, 'cmask');
      return replace({ ...v, ccaps: (v.ccaps & ~cmask) | (ccaps & cmask) }, 'ccaps := (ccaps & ~cmask) | (new & cmask)');
    }
    case VCMD.set_ccaps_v0: {
      const bcaps = u64(d.bcaps, 'bcaps');
      const ccaps = u64(d.ccaps, 'ccaps');
      const cmask = u64(d.cmask, 'cmask');
      return replace({ ...v, bcaps: v.bcaps & bcaps, ccaps: (v.ccaps & ~cmask) | (ccaps & cmask) }, 'v0: bcaps &= new (can only lower); ccaps mask-merged');
    }
    default: {
      const flagword = u64(d.flagword, 'flagword');
      // One-time flags already cleared cannot be set again.
      const mask = u64(d.mask, 'mask') & ~(~v.flags & ONE_TIME);
      const flags = (v.flags & ~mask) | (flagword & mask);
      const next = { ...v, flags };
      const trigger = (v.flags ^ flags) & VXF_STATE_SETUP;
      let state: LegacySystem = { ...system, contexts: system.contexts.map((c) => (c.xid === xid ? next : c)) };
      if (trigger !== 0n && caller.xid === xid) {
        const { task, step } = maskTask(caller, next, options.policy ?? system.maskPolicy);
        state = withTask(state, task);
        return done<VserverCommandData>(state, RULE, undefined, 'flags changed; STATE_SETUP of the caller\'s own context toggled', [step]);
      }
      return done<VserverCommandData>(state, RULE, undefined, 'flags := (flags & ~mask) | (new & mask)');
    }
  }
}
