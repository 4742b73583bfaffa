/**
 * `linux-caps exec [options] -- COMMAND [ARGS…]`: run a command with an exact capability state,
 * set in the child between fork and exec. Flags that capsh and setpriv users know:
 *   --user=NAME|UID  --group=NAME|GID  --groups=a,b|none  --iab=TEXT  --caps=TEXT
 *   --inh=a,b  --addamb=a,b  --drop=a,b  --secbits=N  --nnp  --cwd=DIR
 * The exit status is the command's (128+N for a signal), 127 when it could not start.
 */
import { parseArgs } from 'node:util';
import { CapSet } from '../capset.js';
import { CapsError } from '../errors.js';
import { parseCaps } from '../text.js';
import { launch, type LaunchOptions } from '../launch.js';
import { toSecurebits } from '../program.js';
import { capFromName } from '../names.js';
import { constants as osConstants } from 'node:os';
import { type Io, refuseRepeats, securebitsArg, UsageError } from './common.js';

/** Errors that mean an option value was wrong, not that the command could not start. */
const USAGE_CODES = new Set(['ERR_CAPS_INVALID_ARG', 'ERR_CAPS_UNKNOWN_CAP', 'ERR_CAPS_PARSE', 'ERR_CAPS_UNKNOWN_USER', 'ERR_CAPS_UNKNOWN_GROUP']);

const list = (v: string | undefined) => (v === undefined || v === '' || v === 'none' ? [] : v.split(','));

export function execOptions(values: Record<string, string | boolean | undefined>): LaunchOptions {
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
    options.iab = { inheritable: CapSet.of(...inh, ...amb), ambient: CapSet.of(...amb), notBounding: CapSet.of(...drop) };
  } else if (typeof values.caps === 'string') {
    // --caps is the exact state: the parent's ambient set would add to it at exec, so clear it.
    options.iab = { inheritable: parseCaps(values.caps).inheritable, ambient: CapSet.EMPTY, notBounding: CapSet.EMPTY };
  }
  return options;
}

export async function execCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals, tokens } = parseArgs({ tokens: true,
    args, allowPositionals: true, strict: true,
    options: {
      user: { type: 'string' }, group: { type: 'string' }, groups: { type: 'string' }, iab: { type: 'string' },
      caps: { type: 'string' }, inh: { type: 'string' }, addamb: { type: 'string' }, drop: { type: 'string' },
      secbits: { type: 'string' }, nnp: { type: 'boolean' }, 'no-new-privs': { type: 'boolean' }, cwd: { type: 'string' },
    },
  });
  refuseRepeats('exec', tokens);
  if (values['no-new-privs']) values.nnp = true;
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('exec: give the command after the options, e.g. linux-caps exec --user=nobody --iab=^cap_net_raw -- ping host');
  // A bad option value is a usage error (exit 2, as the README says); 127 is kept for a command
  // that could not start.
  let options: LaunchOptions;
  try {
    options = execOptions(values);
  } catch (err) {
    throw new UsageError(`exec: ${(err as Error).message}`);
  }
  let child;
  try {
    child = launch(command, rest, options);
  } catch (err) {
    if (err instanceof CapsError && USAGE_CODES.has(err.code)) throw new UsageError(`exec: ${err.message}`);
    io.err(`linux-caps: exec: ${(err as Error).message}`);
    return 127;
  }
  for (const warning of child.warnings) io.err(`linux-caps: warning: ${warning}`);
  const { code, signal } = await child.exited;
  return code ?? 128 + (osConstants.signals[signal!] ?? 0);
}
