/**
 * toProfile(): a capability state as the fragment each tool reads — a systemd unit's [Service]
 * lines, docker/podman flags, compose and Kubernetes YAML, an OCI runtime-spec `process` block,
 * Podman's image label, a capsh command line (issue 17). Pure functions: the state in, text out.
 *
 * Two shapes, as the tools run programs:
 * - as root (no user, or uid 0), like a container: the bounding, permitted and effective sets
 *   are the needed capabilities; nothing is ambient.
 * - as another user, like a daemon after dropPrivileges: the same bounding set, and the needed
 *   capabilities also inheritable and ambient, so that they survive the exec of a non-root program
 *   (kernel-semantics §2.6: a non-root exec keeps only the ambient set).
 */
import { CapSet, type CapSetInput } from '../vocabulary/capset.js';
import { PROFILE_FORMATS, type ProfileFormat, type ProfileInput, type ProfileSource } from './types.js';
import { toProfileInput } from './input.js';
import { CAP_NAMES, lastCap as runningLastCap } from '../vocabulary/names.js';
import { invalidArg } from '../vocabulary/errors.js';
import {
  SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED,
} from '../vocabulary/abi.js';

/** systemd's SecureBits= words (systemd.exec(5)); it names no other bit. */
const SECURE_BIT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [SECBIT_KEEP_CAPS, 'keep-caps'], [SECBIT_KEEP_CAPS_LOCKED, 'keep-caps-locked'],
  [SECBIT_NO_SETUID_FIXUP, 'no-setuid-fixup'], [SECBIT_NO_SETUID_FIXUP_LOCKED, 'no-setuid-fixup-locked'],
  [SECBIT_NOROOT, 'noroot'], [SECBIT_NOROOT_LOCKED, 'noroot-locked'],
];

/** The state a profile describes, resolved once for every format. */
interface Resolved {
  caps: CapSet;
  user: string | number | undefined;
  asRoot: boolean;
  noNewPrivs: boolean;
  securebits: number;
  last: number;
}

function resolve(input: ProfileInput, last: number): Resolved {
  if (input === null || typeof input !== 'object') throw invalidArg('profile input', input, '{ caps, user?, noNewPrivs?, securebits? }');
  const caps = CapSet.from(input.caps as CapSetInput);
  for (const cap of caps) {
    if (cap >= CAP_NAMES.length) throw invalidArg('profile capabilities', caps.toString(), `named capabilities (0..${CAP_NAMES.length - 1}): the tools know capabilities by name`);
  }
  const user = input.user;
  if (user !== undefined && !(typeof user === 'string' && /^[a-z_][a-z0-9_.-]*\$?$/i.test(user)) && !(Number.isInteger(user) && (user as number) >= 0 && (user as number) < 2 ** 32 - 1)) {
    throw invalidArg('user', user, 'a user name or a uid');
  }
  const noNewPrivs = input.noNewPrivs ?? true;
  if (typeof noNewPrivs !== 'boolean') throw invalidArg('noNewPrivs', noNewPrivs, 'true or false');
  const securebits = input.securebits ?? 0;
  if (!Number.isInteger(securebits) || securebits < 0 || securebits > 0xfff) throw invalidArg('securebits', securebits, 'a securebits word (0..0xfff)');
  const asRoot = user === undefined || user === 0 || user === 'root';
  return { caps, user: asRoot ? undefined : user, asRoot, noNewPrivs, securebits, last };
}

/** CAP_CHOWN, as systemd, OCI and runc spell it. */
const upper = (cap: number): string => CAP_NAMES[cap]!.toUpperCase();
/** CHOWN, as docker, compose, Kubernetes and Podman's label spell it. */
const bare = (cap: number): string => upper(cap).slice('CAP_'.length);

function systemd(r: Resolved): string {
  const lines = ['[Service]'];
  if (r.user !== undefined) lines.push(`User=${r.user}`);
  // An empty assignment empties the bounding set (systemd.exec(5)).
  lines.push(`CapabilityBoundingSet=${[...r.caps].map(upper).join(' ')}`);
  if (!r.asRoot && !r.caps.isEmpty) lines.push(`AmbientCapabilities=${[...r.caps].map(upper).join(' ')}`);
  if (r.noNewPrivs) lines.push('NoNewPrivileges=yes');
  if (r.securebits !== 0) {
    const names = SECURE_BIT_NAMES.filter(([bit]) => (r.securebits & bit) !== 0).map(([, name]) => name);
    const known = SECURE_BIT_NAMES.reduce((m, [bit]) => m | bit, 0);
    if ((r.securebits & ~known) !== 0) throw invalidArg('securebits', `0x${r.securebits.toString(16)}`, "bits systemd's SecureBits= names (0x3f)");
    lines.push(`SecureBits=${names.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function dockerFlags(r: Resolved): string {
  const flags = ['--cap-drop', 'ALL', ...[...r.caps].flatMap((cap) => ['--cap-add', bare(cap)])];
  if (r.noNewPrivs) flags.push('--security-opt', 'no-new-privileges');
  if (r.user !== undefined) flags.push('--user', String(r.user));
  return `${flags.join(' ')}\n`;
}

/** A YAML scalar: plain where YAML reads it as this string, double-quoted otherwise. */
function yamlString(value: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(value) ? value : JSON.stringify(value);
}

function compose(r: Resolved): string {
  const lines = ['cap_drop:', '  - ALL'];
  lines.push(r.caps.isEmpty ? 'cap_add: []' : 'cap_add:', ...[...r.caps].map((cap) => `  - ${bare(cap)}`));
  if (r.noNewPrivs) lines.push('security_opt:', '  - no-new-privileges:true');
  if (r.user !== undefined) lines.push(`user: ${JSON.stringify(String(r.user))}`);
  return `${lines.join('\n')}\n`;
}

function k8s(r: Resolved): string {
  const lines = ['securityContext:'];
  if (r.noNewPrivs) lines.push('  allowPrivilegeEscalation: false');
  lines.push('  capabilities:', '    drop:', '      - ALL');
  lines.push(r.caps.isEmpty ? '    add: []' : '    add:', ...[...r.caps].map((cap) => `      - ${bare(cap)}`));
  if (typeof r.user === 'number') lines.push(`  runAsUser: ${r.user}`, '  runAsNonRoot: true');
  else if (r.user !== undefined) lines.push(`  # runAsUser: the uid of ${yamlString(r.user)} (Kubernetes takes a number)`, '  runAsNonRoot: true');
  return `${lines.join('\n')}\n`;
}

/** The OCI process block. The spec's `user` needs a gid too: a numeric user's gid is taken to be its uid (a name is left out: OCI takes numbers). */
function oci(r: Resolved): string {
  const names = [...r.caps].map(upper);
  const process: Record<string, unknown> = {};
  if (typeof r.user === 'number') process.user = { uid: r.user, gid: r.user };
  process.noNewPrivileges = r.noNewPrivs;
  process.capabilities = {
    bounding: names,
    effective: names,
    inheritable: r.asRoot ? [] : names,
    permitted: names,
    ambient: r.asRoot ? [] : names,
  };
  return `${JSON.stringify({ process }, null, 2)}\n`;
}

function label(r: Resolved): string {
  return `io.containers.capabilities=${[...r.caps].map(bare).join(',')}\n`;
}

/** A word for a POSIX shell: bare where safe, single-quoted otherwise. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

function capsh(r: Resolved): string {
  const names = [...r.caps].map((cap) => CAP_NAMES[cap]!);
  const others: string[] = [];
  for (let cap = 0; cap <= r.last; cap++) if (!r.caps.has(cap) && cap < CAP_NAMES.length) others.push(CAP_NAMES[cap]!);
  // The bounding set first, while cap_setpcap is still effective; then the user and the sets.
  const args = ['capsh'];
  if (others.length > 0) args.push(`--drop=${others.join(',')}`);
  if (r.securebits !== 0) args.push(`--secbits=${r.securebits}`);
  if (r.asRoot) {
    args.push(names.length > 0 ? `--caps=${names.join(',')}=eip` : '--caps=');
  } else {
    args.push('--keep=1', `--user=${r.user}`);
    if (names.length > 0) args.push(`--inh=${names.join(',')}`, `--addamb=${names.join(',')}`);
  }
  if (r.noNewPrivs) args.push('--no-new-privs');
  args.push('--');
  return `${args.map(shellWord).join(' ')}\n`;
}

const WRITERS: Record<ProfileFormat, (r: Resolved) => string> = {
  systemd, docker: dockerFlags, podman: dockerFlags, compose, k8s, oci, label, capsh,
};

/**
 * The fragment `format`'s tool reads to run a program with exactly `source`'s capabilities:
 * a ProfileInput, a capability state (caps.get(), thread.get(), readProcessStatus(pid)) or a
 * `linux-caps need --json` result.
 * `lastCap` (default: the running kernel's) decides what capsh drops from the bounding set.
 * Throws ERR_CAPS_INVALID_ARG for an unknown format or a malformed input.
 * @example
 * toProfile({ caps: ['cap_net_bind_service'] }, 'docker');
 * // '--cap-drop ALL --cap-add NET_BIND_SERVICE --security-opt no-new-privileges\n'
 */
export function toProfile(source: ProfileSource, format: ProfileFormat, options: { lastCap?: number } = {}): string {
  const writer = (PROFILE_FORMATS as readonly string[]).includes(format) ? WRITERS[format] : undefined;
  if (writer === undefined) throw invalidArg('profile format', format, PROFILE_FORMATS.join(', '));
  const last = options.lastCap ?? runningLastCap();
  if (!Number.isInteger(last) || last < 0 || last > 63) throw invalidArg('lastCap', last, 'an integer from 0 to 63');
  return writer(resolve(toProfileInput(source), last));
}
