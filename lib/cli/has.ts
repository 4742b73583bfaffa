/**
 * `linux-caps has [--pid PID] [--set SET] CAP…`: a script check, like `capsh --has-p`: exit 0
 * when the process (default: this one's main thread) holds every CAP in SET (default
 * permitted), 1 when it does not (the missing names on stderr), 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { CapSet } from '../vocabulary/capset.js';
import { capFromName } from '../vocabulary/names.js';
import { readProcessStatus } from '../proc/read.js';
import { type Io, pidArg, refuseRepeats, UsageError } from './common.js';

const SETS = ['permitted', 'effective', 'inheritable', 'bounding', 'ambient'] as const;
type SetName = (typeof SETS)[number];

export function hasCommand(args: string[], io: Io): number {
  const { values, positionals, tokens } = parseArgs({
    tokens: true, args, allowPositionals: true, strict: true,
    options: { pid: { type: 'string' }, set: { type: 'string' } },
  });
  refuseRepeats('has', tokens);
  const set = (values.set ?? 'permitted') as SetName;
  if (!SETS.includes(set)) throw new UsageError(`has: --set takes ${SETS.join(', ')}, not ${JSON.stringify(values.set)}`);
  if (positionals.length === 0) throw new UsageError('has: name the capabilities to check, e.g. linux-caps has cap_net_bind_service');
  let wanted: CapSet;
  try {
    wanted = CapSet.of(...positionals.flatMap((p) => p.split(',')).filter(Boolean).map((c) => capFromName(c)));
  } catch (err) {
    throw new UsageError(`has: ${(err as Error).message}`);
  }
  const pid = values.pid === undefined ? 'self' : pidArg('--pid', values.pid);
  let status;
  try {
    status = readProcessStatus(pid);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw new Error(`has: no process with pid ${String(pid)}`);
    throw err;
  }
  const missing = wanted.minus(status[set]);
  if (missing.isEmpty) return 0;
  io.err(`linux-caps: has: ${pid === 'self' ? 'this process' : `pid ${pid}`} lacks ${missing.names().join(',')} in its ${set} set`);
  return 1;
}
