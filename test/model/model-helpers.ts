/** Shared builders for the modern-model tests (kernel-semantics §2). */
import {
  createCred, KERNEL_6_18, type CredInit, type Cred,
} from '../../lib/internal.js';

export const K = KERNEL_6_18;
/** Capability bits by name, for readable tables. */
export const CAP = {
  chown: 0, dac_override: 1, fowner: 3, kill: 5, setgid: 6, setuid: 7, setpcap: 8, net_bind_service: 10,
  net_admin: 12, net_raw: 13, sys_chroot: 18, sys_ptrace: 19, sys_admin: 21, sys_resource: 24, setfcap: 31,
} as const;
export const b = (...caps: number[]): bigint => caps.reduce((m, c) => m | (1n << BigInt(c)), 0n);
export const FULL = (1n << 41n) - 1n;
/** Root on this VM: everything but cap_sys_resource (kernel-semantics §2.1). */
export const VM = FULL & ~b(CAP.sys_resource);
export function root(init: CredInit = {}): Cred {
  return createCred(K, { permitted: VM, effective: VM, bounding: VM, ...init });
}
export function user(uid: number, init: CredInit = {}): Cred {
  return createCred(K, { uid, gid: uid, bounding: VM, ...init });
}
