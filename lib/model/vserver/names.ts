/**
 * Names of VServer context capabilities (ccaps, kernel-semantics §4.7) and of the system
 * capabilities util-vserver's `bcapabilities` accepts (§4.8), per util-vserver era.
 */

/**
 * util-vserver eras whose defaults and name tables differ (kernel-semantics §4.8):
 * - `'0.30.215'`: the seed's era (up to 2008-10): secure bcaps grant SETPCAP; bcap names
 *   CHOWN … AUDIT_CONTROL; ccaps default SET_UTSNAME | RAW_ICMP.
 * - `'2008-10'`: 2008-10-27 … 2011-05: explicit allow-list without SETPCAP; bcap names gain
 *   SETFCAP, MAC_OVERRIDE, MAC_ADMIN; ccaps default adds AUDIT_CONTROL.
 * - `'head'`: 2011-06 → HEAD: allow-list + SETFCAP, and (sign-extension quirk) every bit ≥ 32.
 */
export type UtilVserverEra = '0.30.215' | '2008-10' | 'head';

/** Every UtilVserverEra value, oldest first. */
export const UTIL_VSERVER_ERAS: readonly UtilVserverEra[] = ['0.30.215', '2008-10', 'head'];

/** Context capability bits (VXC_*), kernel-semantics §4.7. */
export const VXC = Object.freeze({
  /** VXC_SET_UTSNAME: the guest may change the host and domain name. */
  SET_UTSNAME: 0x1n,
  /** VXC_SET_RLIMIT: the guest may raise resource limits. */
  SET_RLIMIT: 0x2n,
  /** VXC_FS_SECURITY: the guest may set security xattrs. */
  FS_SECURITY: 0x4n,
  /** VXC_FS_TRUSTED: the guest may set trusted xattrs. */
  FS_TRUSTED: 0x8n,
  /** VXC_TIOCSTI: the guest may push input into a terminal. */
  TIOCSTI: 0x10n,
  /** VXC_RAW_ICMP: the guest may open raw ICMP sockets. */
  RAW_ICMP: 0x100n,
  /** VXC_SYSLOG: the guest may read and clear the kernel log. */
  SYSLOG: 0x1000n,
  /** VXC_OOM_ADJUST: the guest may change the OOM score. */
  OOM_ADJUST: 0x2000n,
  /** VXC_AUDIT_CONTROL: the guest may control auditing. */
  AUDIT_CONTROL: 0x4000n,
  /** VXC_SECURE_MOUNT: the guest may mount (nodev, nosuid). */
  SECURE_MOUNT: 0x10000n,
  /** VXC_SECURE_REMOUNT: the guest may remount (nodev, nosuid). */
  SECURE_REMOUNT: 0x20000n,
  /** VXC_BINARY_MOUNT: the guest may mount with binary data. */
  BINARY_MOUNT: 0x40000n,
  /** VXC_DEV_MOUNT: the guest may mount devices. */
  DEV_MOUNT: 0x80000n,
  /** VXC_QUOTA_CTL: the guest may control quotas. */
  QUOTA_CTL: 0x100000n,
  /** VXC_ADMIN_MAPPER: the guest may administer the device mapper. */
  ADMIN_MAPPER: 0x200000n,
  /** VXC_ADMIN_CLOOP: the guest may administer cloop devices. */
  ADMIN_CLOOP: 0x400000n,
  /** VXC_KTHREAD: the guest may create kernel threads. */
  KTHREAD: 0x1000000n,
  /** VXC_NAMESPACE: the guest may create namespaces. */
  NAMESPACE: 0x2000000n,
});

/** A context capability's name (a key of VXC). */
export type VxcName = keyof typeof VXC;

/** strncasecmp folds ASCII letters only (C locale); so must we ('ı'.toUpperCase() is 'I'). */
export function asciiUpper(text: string): string {
  return text.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}

const CCAP_ALIASES: Record<string, VxcName> = {
  mount: 'SECURE_MOUNT', remount: 'SECURE_REMOUNT', icmp: 'RAW_ICMP', ping: 'RAW_ICMP',
  utsname: 'SET_UTSNAME', rlimit: 'SET_RLIMIT',
};

const CCAPS_2008: readonly VxcName[] = [
  'SET_UTSNAME', 'SET_RLIMIT', 'RAW_ICMP', 'SYSLOG', 'SECURE_MOUNT', 'SECURE_REMOUNT',
  'BINARY_MOUNT', 'QUOTA_CTL', 'ADMIN_MAPPER', 'ADMIN_CLOOP', 'KTHREAD',
];

/**
 * util-vserver's ccap name lookup (after the optional `vxc_` prefix was removed): exact,
 * case-insensitive; the 2008-06 tree knows fewer names (§4.7). 0n when unknown.
 */
export function ccapFromWord(word: string, era: UtilVserverEra): bigint {
  const upper = asciiUpper(word);
  const lower = upper.toLowerCase();
  const known = era === '0.30.215' ? CCAPS_2008 : (Object.keys(VXC) as VxcName[]);
  const name = (Object.hasOwn(CCAP_ALIASES, lower) ? CCAP_ALIASES[lower] : undefined) ?? (known.includes(upper as VxcName) ? (upper as VxcName) : undefined);
  return name === undefined ? 0n : VXC[name];
}

/** util-vserver's bcap name table: CHOWN (0) … AUDIT_CONTROL (30); since 2008-10 also 31–33. */
const BCAP_NAMES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID',
  'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW',
  'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT',
  'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD',
  'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN',
];

/** util-vserver's bcap lookup (after the optional `cap_` prefix): exact, case-insensitive. 0n when unknown. */
export function bcapFromWord(word: string, era: UtilVserverEra): bigint {
  const index = BCAP_NAMES.indexOf(asciiUpper(word));
  const last = era === '0.30.215' ? 30 : 33;
  return index >= 0 && index <= last ? 1n << BigInt(index) : 0n;
}
