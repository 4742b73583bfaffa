/**
 * The capability sets container engines give by default: reference data that containerProfile()
 * compares with and users check against. Built from the name table, not parsed, so that the
 * package's constants load without the text parser (issue 14, start-up).
 */
import { CapSet } from '../vocabulary/capset.js';
import { CAP_NAMES, type LibcapCapName } from '../vocabulary/names.js';

/** The mask of libcap names, by their place in the name table (no parsing when the package loads: issue 14). */
function maskOf(...names: LibcapCapName[]): bigint {
  return names.reduce((mask, name) => mask | (1n << BigInt(CAP_NAMES.indexOf(name))), 0n);
}

/**
 * Docker's default capability set (14): moby/moby `oci/caps/defaults.go`, DefaultCapabilities
 * (CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP, SETPCAP,
 * NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE).
  * @example
  * DOCKER_DEFAULT_CAPS.has('cap_net_raw');   // true (Podman's default drops it)
 */
export const DOCKER_DEFAULT_CAPS: CapSet = CapSet.fromMask(maskOf(
  'cap_chown', 'cap_dac_override', 'cap_fsetid', 'cap_fowner', 'cap_mknod', 'cap_net_raw', 'cap_setgid',
  'cap_setuid', 'cap_setfcap', 'cap_setpcap', 'cap_net_bind_service', 'cap_sys_chroot', 'cap_kill', 'cap_audit_write',
));

/**
 * Podman's default capability set (11): Docker's without MKNOD, NET_RAW and AUDIT_WRITE.
 * Source: containers/common `pkg/config/containers.conf`, `default_capabilities` (CHOWN,
 * DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID,
 * SYS_CHROOT). History: Red Hat distributions shipped this list in their containers.conf
 * (containers/common issue #1234); containers/common PR #1240 (2022-11) made a minimal list the
 * built-in default, picked up by Podman 4.4.0 — without SYS_CHROOT (10 caps, podman issue
 * #17504) — and Podman 4.4.3 put SYS_CHROOT back (podman PR #17891), giving these 11 for
 * Podman ≥ 4.4.3 where no containers.conf overrides them.
  * @example
  * DOCKER_DEFAULT_CAPS.minus(PODMAN_DEFAULT_CAPS).toString();   // 'cap_mknod,cap_net_raw,cap_audit_write'
 */
export const PODMAN_DEFAULT_CAPS: CapSet = CapSet.fromMask(DOCKER_DEFAULT_CAPS.mask & ~maskOf('cap_mknod', 'cap_net_raw', 'cap_audit_write'));
