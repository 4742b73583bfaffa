/**
 * `linux-caps profile --format F [--caps TEXT | --pid PID | --from FILE.json] [--user U]
 * [--no-nnp]`: a capability state as systemd, docker, podman, compose, Kubernetes, OCI, Podman's
 * image label or capsh reads it (lib/profiles/profile.ts). Without --caps, --pid or --from: this
 * process's state.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readProcessStatus } from '../proc/read.js';
import { fromNeedResult, fromState, fromText } from '../profiles/input.js';
import { toProfile } from '../profiles/profile.js';
import { PROFILE_FORMATS, type ProfileFormat, type ProfileInput } from '../profiles/types.js';
import { type Io, decimalArg, pidArg, refuseRepeats, UsageError } from './common.js';

function source(values: { caps?: string; pid?: string; from?: string }): ProfileInput {
  const given = (['caps', 'pid', 'from'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError(`profile: give one of --caps, --pid and --from, not ${given.map((k) => `--${k}`).join(' and ')}`);
  if (values.caps !== undefined) {
    try {
      return fromText(values.caps);
    } catch (err) {
      throw new UsageError(`profile: --caps: ${(err as Error).message}`);
    }
  }
  if (values.from !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(values.from, 'utf8'));
    } catch (err) {
      throw new UsageError(`profile: --from ${values.from}: ${(err as Error).message}`);
    }
    return fromNeedResult(parsed);
  }
  const pid = values.pid === undefined ? 'self' : pidArg('--pid', values.pid);
  try {
    return fromState(readProcessStatus(pid));
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw new Error(`profile: no process with pid ${String(pid)}`);
    throw err;
  }
}

export function profileCommand(args: string[], io: Io): number {
  const { values, positionals, tokens } = parseArgs({
    tokens: true, args, allowPositionals: true, strict: true,
    options: {
      format: { type: 'string' }, caps: { type: 'string' }, pid: { type: 'string' }, from: { type: 'string' },
      user: { type: 'string' }, 'no-nnp': { type: 'boolean' },
    },
  });
  refuseRepeats('profile', tokens);
  if (positionals.length > 0) throw new UsageError(`profile: unexpected ${JSON.stringify(positionals[0])}; the state comes from --caps, --pid or --from`);
  const format = values.format;
  if (format === undefined) throw new UsageError(`profile: --format is required: ${PROFILE_FORMATS.join(', ')}`);
  if (!(PROFILE_FORMATS as readonly string[]).includes(format)) throw new UsageError(`profile: --format takes ${PROFILE_FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
  const input = source(values);
  if (values.user !== undefined) input.user = /^[0-9]+$/.test(values.user) ? decimalArg('--user', values.user, 2 ** 32 - 2) : values.user;
  if (values['no-nnp']) input.noNewPrivs = false;
  io.out(toProfile(input, format as ProfileFormat));
  return 0;
}
