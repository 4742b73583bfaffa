/**
 * `linux-caps exec [options] -- COMMAND [ARGS…]`: run a command with an exact capability state,
 * set in the child between fork and exec. Flags that capsh and setpriv users know:
 *   --user=NAME|UID  --group=NAME|GID  --groups=a,b|none  --iab=TEXT  --caps=TEXT
 *   --inh=a,b  --addamb=a,b  --drop=a,b  --secbits=N  --nnp  --cwd=DIR
 * This process becomes the command (the same pid). Exit status: the command's; 126 when it
 * cannot be executed, 127 when it is not found or a credential step is refused; 2 usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CapSet } from '../vocabulary/capset.js';
import { CapsError } from '../vocabulary/errors.js';
import { parseCaps } from '../text/index.js';
import { execInPlace, type LaunchOptions } from '../operations/launch/launch.js';
import type { OciProcess } from '../operations/launch/oci.js';
import { toSecurebits } from '../vocabulary/securebits.js';
import { capFromName } from '../vocabulary/names.js';
import { type Io, refuseRepeats, securebitsArg, UsageError } from './common.js';
import { EXIT_CODES, USAGE } from './usage.js';

/** Errors that mean an option value was wrong, not that the command could not start. */
const USAGE_CODES = new Set(['ERR_CAPS_INVALID_ARG', 'ERR_CAPS_UNKNOWN_CAP', 'ERR_CAPS_PARSE', 'ERR_CAPS_UNKNOWN_USER', 'ERR_CAPS_UNKNOWN_GROUP']);

const list = (v: string | undefined) => (v === undefined || v === '' || v === 'none' ? [] : v.split(','));

/** --oci FILE: a runtime-spec config.json (its `process`) or a bare process block. */
function ociOption(file: string, values: Record<string, string | boolean | undefined>): LaunchOptions {
  const beside = ['user', 'group', 'groups', 'iab', 'caps', 'inh', 'addamb', 'drop', 'secbits', 'nnp'].filter((k) => values[k] !== undefined);
  if (beside.length > 0) throw new UsageError(`exec: --oci sets the ids and capabilities; not with --${beside[0]}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`exec: --oci ${file}: ${(err as Error).message}`);
  }
  const block = parsed !== null && typeof parsed === 'object' && 'process' in parsed ? (parsed as { process: unknown }).process : parsed;
  return { stdio: 'inherit', oci: block as OciProcess, ...(typeof values.cwd === 'string' ? { cwd: values.cwd } : {}) };
}

export function execOptions(values: Record<string, string | boolean | undefined>): LaunchOptions {
  if (typeof values.oci === 'string') return ociOption(values.oci, values);
  const options: LaunchOptions = { stdio: 'inherit' };
  if (typeof values.user === 'string') options.user = values.user;
  if (typeof values.group === 'string') options.group = values.group;
  if (typeof values.groups === 'string') options.groups = list(values.groups);
  if (typeof values.caps === 'string') options.caps = values.caps;
  if (typeof values.cwd === 'string') options.cwd = values.cwd;
  if (values.nnp) options.noNewPrivs = true;
  if (typeof values.secbits === 'string') options.securebits = toSecurebits(securebitsArg(values.secbits));
  const inh = list(values.inh as string | undefined).map((c) => capFromName(c));
  const amb = list(values.addamb as string | undefined).map((c) => capFromName(c));
  const drop = list(values.drop as string | undefined).map((c) => capFromName(c));
  if (typeof values.iab === 'string') {
    if (inh.length || amb.length || drop.length) throw new UsageError('exec: give either --iab or --inh/--addamb/--drop, not both');
    options.iab = values.iab;
  } else if (inh.length || amb.length || drop.length) {
    options.iab = { inheritable: CapSet.of(...inh), ambient: CapSet.of(...amb), notBounding: CapSet.of(...drop) };
  } else if (typeof values.caps === 'string') {
    // --caps is the exact state: the parent's ambient set would add to it at exec, so clear it.
    options.iab = { inheritable: parseCaps(values.caps).inheritable, ambient: CapSet.EMPTY, notBounding: CapSet.EMPTY };
  }
  return options;
}

/** exec's options, once: parseArgs reads them, and splitAtCommand needs to know which take a value. */
const EXEC_OPTIONS = {
  user: { type: 'string' }, group: { type: 'string' }, groups: { type: 'string' }, iab: { type: 'string' },
  caps: { type: 'string' }, inh: { type: 'string' }, addamb: { type: 'string' }, drop: { type: 'string' },
  secbits: { type: 'string' }, cwd: { type: 'string' }, oci: { type: 'string' },
  nnp: { type: 'boolean' }, 'no-new-privs': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;
const STRING_OPTIONS: readonly string[] = Object.entries(EXEC_OPTIONS).filter(([, o]) => o.type === 'string').map(([name]) => name);

/**
 * Splits `exec`'s arguments at the command: options stop at the first operand (or after `--`),
 * as setpriv's do, so `exec id -u` keeps `-u` for id.
 */
export function splitAtCommand(args: readonly string[]): { options: string[]; command: string[] } {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return { options: args.slice(0, i), command: args.slice(i + 1) };
    if (!a.startsWith('-') || a === '-') return { options: args.slice(0, i), command: args.slice(i) };
    const name = a.replace(/^--?/, '').split('=')[0]!;
    if (STRING_OPTIONS.includes(name) && !a.includes('=')) i++; // its value
  }
  return { options: [...args], command: [] };
}

export async function execCommand(args: string[], io: Io): Promise<number> {
  const split = splitAtCommand(args);
  const parsed = parseArgs({ tokens: true,
    args: split.options, allowPositionals: false, strict: true, options: EXEC_OPTIONS,
  });
  refuseRepeats('exec', parsed.tokens);
  const values: Record<string, string | boolean | undefined> = { ...parsed.values };
  if (values.help) { io.out(`${USAGE.exec!}\n\n${EXIT_CODES}`); return 0; }
  if (values['no-new-privs']) values.nnp = true;
  const [command, ...rest] = split.command;
  if (command === undefined) throw new UsageError('exec: give the command after the options, e.g. linux-caps exec --user=nobody --iab=^cap_net_raw ping host');
  // A bad option value is a usage error (exit 2); 126/127 are kept for a command that cannot run.
  let options: LaunchOptions;
  try {
    options = execOptions(values);
    refuseUnlistedAmbient(values as Record<string, string | undefined>);
  } catch (err) {
    throw new UsageError(`exec: ${(err as Error).message.replace(/^exec: /, '')}`);
  }
  const { stdio: _inherit, ...inPlace } = options;
  try {
    execInPlace(command, rest, inPlace, (warning) => io.err(`linux-caps: warning: ${warning}`));
  } catch (err) {
    if (err instanceof CapsError && USAGE_CODES.has(err.code)) throw new UsageError(`exec: ${err.message}`);
    io.err(`linux-caps: exec: ${(err as Error).message}`);
    const code = (err as CapsError).code;
    return (err as CapsError).syscall === 'execve' && (code === 'EACCES' || code === 'ENOEXEC' || code === 'EISDIR') ? 126 : 127;
  }
  return 127; // not reached: execInPlace returns only by throwing
}

/** As capsh: an ambient cap must be inheritable too, and --addamb does not add it to I silently. */
function refuseUnlistedAmbient(values: Record<string, string | undefined>): void {
  const inh = new Set(list(values.inh).map((c) => capFromName(c)));
  const missing = list(values.addamb).filter((c) => !inh.has(capFromName(c)));
  if (missing.length > 0) throw new UsageError(`--addamb ${missing.join(',')} needs the same caps in --inh (the kernel keeps ambient ⊆ inheritable); add --inh ${missing.join(',')}`);
}
