/**
 * util-vserver's `bcapabilities` / `ccapabilities` files (kernel-semantics §4.8): from file
 * text to the guest's bcaps and ccaps, as `vattribute --set --secure --flag default …` computes
 * them at `vserver NAME start`.
 */
import { CapsError, invalidArg } from '../../vocabulary/errors.js';
import { parseList, type ValueMask } from './listparser.js';
import { asciiUpper, bcapFromWord, ccapFromWord, UTIL_VSERVER_ERAS, VXC, type UtilVserverEra } from './names.js';
import { evalDoubleQuoted, readLines } from './shell.js';
import type { RuleStep } from '../legacy/types.js';
import { EINVAL } from '../../vocabulary/abi.js';

const U64 = (1n << 64n) - 1n;
const RULE = 'kernel-semantics §4.8';

/** A config error that names the file, the line and the item: `Unknown bcap 'X'`. */
export class VserverConfigError extends CapsError {
  /** 1-based line of the file. */
  readonly line: number;
  /** The item util-vserver quotes. */
  readonly item: string;

  /** An error naming the file, line, item and offset util-vserver would refuse. */
  constructor(init: { file: string; line: number; item: string; offset: number; kind: 'bcap' | 'ccap'; value: string }) {
    super({
      code: 'ERR_CAPS_VSERVER_CONFIG',
      errno: -EINVAL,
      path: init.file,
      offset: init.offset,
      expected: init.kind === 'bcap'
        ? 'capability names (optional CAP_ prefix), ^N, a C integer, all/any/none, each optionally negated with ! or ~, comma-separated without blanks'
        : 'context capability names (optional VXC_ prefix), ^N, a C integer, all/any/none, each optionally negated with ! or ~',
      rule: RULE,
      reason: 'vattribute rejects the item, exits non-zero, and the guest does not start',
      message: `Unknown ${init.kind} '${init.item}' (${init.file} line ${init.line}, offset ${init.offset} in ${JSON.stringify(init.value)})`,
    });
    this.name = 'VserverConfigError';
    this.line = init.line;
    this.item = init.item;
  }
}

/** Options that select util-vserver's behaviour. */
export interface UtilVserverOptions {
  /** Default '0.30.215' (the seed's era). */
  era?: UtilVserverEra;
  /** Built with VC_ENABLE_API_COMPAT (default true; the conditions on SYS_BOOT / AUDIT_WRITE exist only then). */
  apiCompat?: boolean;
  /** The kernel supports vshelper (default true): SYS_BOOT is secure. */
  vshelper?: boolean;
  /** The kernel supports migrate (default true): AUDIT_WRITE (bit 29) is secure. */
  migrate?: boolean;
}

interface ResolvedOptions { era: UtilVserverEra; apiCompat: boolean; vshelper: boolean; migrate: boolean }

function resolve(options: UtilVserverOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw invalidArg('util-vserver options', options, 'an object');
  const era = options.era ?? '0.30.215';
  if (!UTIL_VSERVER_ERAS.includes(era)) throw invalidArg('util-vserver era', era, UTIL_VSERVER_ERAS.map((e) => `'${e}'`).join(', '));
  return { era, apiCompat: options.apiCompat ?? true, vshelper: options.vshelper ?? true, migrate: options.migrate ?? true };
}

/** A C `int` expression's value converted to `uint_least64_t` (sign-extended). */
function intToU64(int32: number): bigint {
  return BigInt.asUintN(64, BigInt(int32 | 0));
}

const SYS_BOOT = 22;
const AUDIT_WRITE = 29;

/**
 * `~vc_get_insecurebcaps()`: the bcaps `--secure` grants (kernel-semantics §4.8 table).
 * 0.30.215: 0x344c05ff (SYS_BOOT / AUDIT_WRITE lost only with API compat on a kernel without
 * vshelper / migrate). Later eras build an `int` allow-list and complement it; in 'head' the
 * list holds `1<<31`, the complement is non-negative and the upper 32 bits end up granted.
 */
export function secureBcaps(options: UtilVserverOptions = {}): bigint {
  const o = resolve(options);
  if (o.era === '0.30.215') {
    let granted = 0x344c05ffn;
    if (o.apiCompat && !o.vshelper) granted &= ~(1n << BigInt(SYS_BOOT));
    if (o.apiCompat && !o.migrate) granted &= ~(1n << BigInt(AUDIT_WRITE));
    return granted;
  }
  // CHOWN … SETUID, NET_BIND_SERVICE, SYS_CHROOT, SYS_PTRACE, SYS_TTY_CONFIG, LEASE (+ SETFCAP in head).
  let allow = 0;
  for (const cap of [0, 1, 2, 3, 4, 5, 6, 7, 10, 18, 19, 26, 28]) allow |= 1 << cap;
  if (o.era === 'head') allow |= 1 << 31;
  if (o.apiCompat && o.vshelper) allow |= 1 << SYS_BOOT;
  if (o.apiCompat && o.migrate) allow |= 1 << AUDIT_WRITE;
  const insecure = intToU64(~allow);
  return ~insecure & U64;
}

/** `~vc_get_insecureccaps()`: SET_UTSNAME | RAW_ICMP (0x101), since 2008-10 also AUDIT_CONTROL (0x4101). */
export function secureCcaps(options: UtilVserverOptions = {}): bigint {
  const o = resolve(options);
  const base = VXC.SET_UTSNAME | VXC.RAW_ICMP;
  return o.era === '0.30.215' ? base : base | VXC.AUDIT_CONTROL;
}

/** Strips util-vserver's optional prefix (`cap_` / `vxc_`, case-insensitive, only if more follows). */
function withoutPrefix(word: string, prefix: string): string {
  return word.length > 4 && asciiUpper(word.slice(0, 4)) === asciiUpper(prefix) ? word.slice(4) : word;
}

/** Config files' text; an absent file is `undefined`. */
export interface GuestCapabilityFiles {
  /** /etc/vservers/<guest>/bcapabilities: one capability per line, `!` to remove. */
  bcapabilities?: string;
  /** /etc/vservers/<guest>/ccapabilities: one context capability per line. */
  ccapabilities?: string;
}

/** The guest's attributes after `vattribute --set --secure --flag default …`. */
export interface GuestCapabilities {
  /** The bounding capabilities set. */
  readonly bcaps: bigint;
  /** Which bounding capability bits were given. */
  readonly bmask: bigint;
  /** The context capabilities set. */
  readonly ccaps: bigint;
  /** Which context capability bits were given. */
  readonly cmask: bigint;
  /** vattribute's arguments, as the start script builds them. */
  readonly args: readonly string[];
  /** What each source line did, and lines that were skipped. */
  readonly steps: readonly RuleStep[];
}

function applyFile(kind: 'bcap' | 'ccap', file: string, text: string, acc: ValueMask, era: UtilVserverEra, args: string[], steps: RuleStep[]): void {
  if (typeof text !== 'string') throw invalidArg(`${file} text`, text, 'a string (the file content) or undefined (no file)');
  const lookup = kind === 'bcap'
    ? (w: string) => bcapFromWord(withoutPrefix(w, 'cap_'), era)
    : (w: string) => ccapFromWord(withoutPrefix(w, 'vxc_'), era);
  for (const line of readLines(text)) {
    if (line.skipped) {
      if (line.skipped === 'no-newline') steps.push({ rule: RULE, reason: `${file} line ${line.line}: ${JSON.stringify(line.value)} has no final newline, so \`while read\` never hands it on — ignored` });
      continue;
    }
    const value = evalDoubleQuoted(line.value, line.line, file);
    args.push(`--${kind}`, value);
    const before = { ...acc };
    const error = parseList(value, acc, lookup);
    if (error) throw new VserverConfigError({ file, line: line.line, item: error.item, offset: error.offset, kind, value });
    steps.push({ rule: RULE, reason: `${file} line ${line.line}: ${JSON.stringify(value)}: ${kind}s 0x${before.value.toString(16)} → 0x${acc.value.toString(16)}` });
  }
}

/**
 * The guest's bcaps and ccaps from the two config files, exactly as util-vserver computes them
 * (kernel-semantics §4.8): `--secure` first assigns the era's secure defaults with full masks,
 * then every line (bash `read`, blanks trimmed, backslashes interpreted, empty and `#` lines
 * skipped) is parsed as a comma list that adds (`NAME`) or removes (`!NAME`) bits. Errors throw
 * a {@link VserverConfigError} naming the file, line and item: `Unknown bcap 'X'`.
 */
export function guestCapabilities(files: GuestCapabilityFiles, options: UtilVserverOptions = {}): GuestCapabilities {
  if (files === null || typeof files !== 'object') throw invalidArg('config files', files, '{ bcapabilities?: string, ccapabilities?: string }');
  const o = resolve(options);
  const b: ValueMask = { value: secureBcaps(o), mask: U64 };
  const c: ValueMask = { value: secureCcaps(o), mask: U64 };
  const args = ['--set', '--secure', '--flag', 'default'];
  const steps: RuleStep[] = [
    { rule: RULE, reason: `--secure: bcaps := 0x${b.value.toString(16)}, ccaps := 0x${c.value.toString(16)} (util-vserver ${o.era}), masks all ones` },
  ];
  if (files.bcapabilities !== undefined) applyFile('bcap', 'bcapabilities', files.bcapabilities, b, o.era, args, steps);
  if (files.ccapabilities !== undefined) applyFile('ccap', 'ccapabilities', files.ccapabilities, c, o.era, args, steps);
  return { bcaps: b.value, bmask: b.mask, ccaps: c.value, cmask: c.mask, args, steps };
}

/**
 * Parses one `--bcap`/`--ccap` argument on its own (what `vattribute --bcap ARG` does to
 * zeroed value/mask). Throws VserverConfigError (line 1) on an unknown item.
 */
export function parseCapabilityList(kind: 'bcap' | 'ccap', arg: string, options: UtilVserverOptions = {}): {
  /** The bits the list sets. */
  value: bigint;
  /** The bits the list names (set or cleared). */
  mask: bigint;
} {
  if (kind !== 'bcap' && kind !== 'ccap') throw invalidArg('kind', kind, "'bcap' or 'ccap'");
  if (typeof arg !== 'string') throw invalidArg(`${kind} list`, arg, 'a string');
  const { era } = resolve(options);
  const acc: ValueMask = { value: 0n, mask: 0n };
  const lookup = kind === 'bcap'
    ? (w: string) => bcapFromWord(withoutPrefix(w, 'cap_'), era)
    : (w: string) => ccapFromWord(withoutPrefix(w, 'vxc_'), era);
  // vattribute passes len 0, so the C parser measures the argument with strlen: an empty one parses nothing.
  const error = parseList(arg, acc, lookup);
  if (error) throw new VserverConfigError({ file: `--${kind}`, line: 1, item: error.item, offset: error.offset, kind, value: arg });
  return { value: acc.value, mask: acc.mask };
}
