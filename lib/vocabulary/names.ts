/**
 * Capability numbers and names, as libcap 2.66 knows them (caps 0..40).
 * Pure: the only I/O is lastCap(), which reads /proc/sys/kernel/cap_last_cap once.
 */
import { readFileSync } from 'node:fs';
import { CapsError } from './errors.js';
import { EINVAL } from './abi.js';

/**
 * libcap's name table, index = capability number.
 * @example
 * CAP_NAMES[13];   // 'cap_net_raw'
 */
export const CAP_NAMES = Object.freeze([
  'cap_chown', 'cap_dac_override', 'cap_dac_read_search', 'cap_fowner', 'cap_fsetid',
  'cap_kill', 'cap_setgid', 'cap_setuid', 'cap_setpcap', 'cap_linux_immutable',
  'cap_net_bind_service', 'cap_net_broadcast', 'cap_net_admin', 'cap_net_raw', 'cap_ipc_lock',
  'cap_ipc_owner', 'cap_sys_module', 'cap_sys_rawio', 'cap_sys_chroot', 'cap_sys_ptrace',
  'cap_sys_pacct', 'cap_sys_admin', 'cap_sys_boot', 'cap_sys_nice', 'cap_sys_resource',
  'cap_sys_time', 'cap_sys_tty_config', 'cap_mknod', 'cap_lease', 'cap_audit_write',
  'cap_audit_control', 'cap_setfcap', 'cap_mac_override', 'cap_mac_admin', 'cap_syslog',
  'cap_wake_alarm', 'cap_block_suspend', 'cap_audit_read', 'cap_perfmon', 'cap_bpf',
  'cap_checkpoint_restore',
] as const);

/**
 * A capability's libcap name, as CAP_NAMES spells it: `'cap_net_raw'`.
 * @example
 * const name: LibcapCapName = 'cap_net_bind_service';
 */
export type LibcapCapName = (typeof CAP_NAMES)[number];

/**
 * The short form setpriv, Docker and OCI use: `'net_raw'`.
 * @example
 * const short: ShortCapName = 'net_bind_service';   // as Docker's --cap-add takes it
 */
export type ShortCapName = LibcapCapName extends `cap_${infer Short}` ? Short : never;

/**
 * A capability name as the typed API takes it: libcap's (`'cap_net_raw'`), the short form
 * (`'net_raw'`), either in upper case (`'CAP_NET_RAW'`, `'NET_RAW'`), or a number as a string
 * (`'13'`). A misspelt name is a type error. `capFromName` and `tryCapFromName` take any string
 * (the text parsers' input) and decide at run time.
  * @example
  * const names: CapName[] = ['cap_chown', 'CAP_KILL', 'net_raw', '21'];
  * CapSet.of(...names).names();   // ['cap_chown', 'cap_kill', 'cap_net_raw', 'cap_sys_admin']
 */
export type CapName = LibcapCapName | Uppercase<LibcapCapName> | ShortCapName | Uppercase<ShortCapName> | `${number}`;

/**
 * Number of named capabilities (libcap's `__CAP_BITS` for 2.66).
 * @example
 * NAMED_COUNT;   // 41: cap_chown (0) … cap_checkpoint_restore (40)
 */
export const NAMED_COUNT = CAP_NAMES.length;
/**
 * Highest capability number a 64-bit set can hold.
 * @example
 * CapSet.full(MAX_CAP).size;   // 64
 */
export const MAX_CAP = 63;

/**
 * A capability given by number (0..63) or by name (see CapName).
 * @example
 * const caps: CapLike[] = [13, 'cap_chown', 'NET_ADMIN'];
 * CapSet.of(...caps).toString();   // 'cap_chown,cap_net_admin,cap_net_raw'
 */
export type CapLike = number | CapName;

const byLowerName = new Map<string, number>(CAP_NAMES.map((n, i) => [n, i]));

/**
 * libcap's strict name lookup (what cap_from_text and cap_iab_from_text accept):
 * the full `cap_` name, case-insensitive. Returns undefined when unknown.
 */
export function lookupLibcapName(name: string): number | undefined {
  return byLowerName.get(name.toLowerCase());
}

/**
 * Parses a C integer literal the way strtoul(…, 0) reads a whole token: decimal,
 * `0x` hex or leading-0 octal. Returns undefined if the token is not entirely a number.
 */
export function parseCNumber(token: string): number | undefined {
  let digits: string;
  let radix: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(token)) { digits = token.slice(2); radix = 16; }
  else if (/^0[0-7]*$/.test(token)) { digits = token; radix = 8; }
  else if (/^[1-9][0-9]*$/.test(token)) { digits = token; radix = 10; }
  else return undefined;
  const value = parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER;
}

/**
 * Capability number for a name or number, or undefined.
 * Accepts what libcap accepts (`cap_chown`, `CAP_CHOWN`, `0`, `0x15`, `010`; numbers < 64)
 * plus the short forms of setpriv, Docker and OCI (`chown`, `NET_RAW`, `Net_Raw`).
  * @example
  * tryCapFromName('NET_RAW');   // 13
  * tryCapFromName('cap_nope');  // undefined
 */
export function tryCapFromName(name: number | string): number | undefined {
  if (typeof name === 'number') {
    return Number.isInteger(name) && name >= 0 && name <= MAX_CAP ? name : undefined;
  }
  if (typeof name !== 'string') return undefined;
  const num = parseCNumber(name);
  if (num !== undefined) return num <= MAX_CAP ? num : undefined;
  const lower = name.toLowerCase();
  return byLowerName.get(lower) ?? byLowerName.get(`cap_${lower}`);
}

/**
 * Capability number for a name or number. Throws a CapsError (ERR_CAPS_UNKNOWN_CAP,
 * errno -22) naming the input when it is not a capability.
  * @example
  * capFromName('cap_sys_admin');   // 21
  * capFromName('0x15');            // 21 (libcap accepts numbers too)
 */
export function capFromName(name: number | string): number {
  const cap = tryCapFromName(name);
  if (cap === undefined) throw unknownCap(name);
  return cap;
}

/**
 * libcap's name for a capability number; the decimal number beyond the name table.
 * @example
 * capToName(13);   // 'cap_net_raw'
 * capToName(50);   // '50' (beyond the name table)
 */
export function capToName(cap: number): string {
  if (!Number.isInteger(cap) || cap < 0 || cap > MAX_CAP) throw unknownCap(cap);
  return cap < NAMED_COUNT ? CAP_NAMES[cap]! : String(cap);
}

let cachedLastCap: number | undefined;

/**
 * The running kernel's highest capability number (`/proc/sys/kernel/cap_last_cap`);
 * the name table's maximum (40) where that file cannot be read (non-Linux, no /proc).
  * @example
  * CapSet.full(lastCap()).has('cap_checkpoint_restore');   // true on kernels since 5.9
 */
export function lastCap(): number {
  if (cachedLastCap === undefined) {
    try {
      const n = Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'ascii'), 10);
      cachedLastCap = Number.isInteger(n) && n >= 0 && n <= MAX_CAP ? n : NAMED_COUNT - 1;
    } catch {
      cachedLastCap = NAMED_COUNT - 1;
    }
  }
  return cachedLastCap;
}

function unknownCap(name: unknown): CapsError {
  let shown = JSON.stringify(typeof name === 'bigint' ? String(name) : name) ?? String(name);
  if (shown.length > 120) shown = `${shown.slice(0, 100)}… (${shown.length} characters)`;
  return new CapsError({
    code: 'ERR_CAPS_UNKNOWN_CAP',
    errno: -EINVAL,
    message: `unknown capability ${shown}: expected a name such as cap_chown or chown, or a number from 0 to ${MAX_CAP}`,
  });
}
