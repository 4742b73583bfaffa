/**
 * `linux-caps ps`: who holds what, like libcap-ng's pscap: `ppid pid name command capabilities`,
 * only processes holding capabilities (pid 1 with -a), `full` for every capability, ` @` when the
 * ambient set is not empty, ` +` when the bounding set is not empty, and ` *` after the command of a
 * process in another user namespace (checked against pscap 0.8.3).
 */
import { parseArgs } from 'node:util';
import { CapSet } from '../vocabulary/capset.js';
import { lastCap } from '../vocabulary/names.js';
import { listProcesses, type ProcessInfo } from '../proc/read.js';
import { type Io, refuseRepeats, toJson } from './common.js';

function capsColumn(p: ProcessInfo, full: CapSet): string {
  const list = p.permitted.equals(full) ? 'full' : p.permitted.names().map((n) => n.replace(/^cap_/, '')).join(', ');
  return `${list}${p.ambient.isEmpty ? '' : ' @'}${p.bounding.isEmpty ? '' : ' +'}`;
}

export function psRows(all: boolean): ProcessInfo[] {
  return listProcesses().processes
    .filter((p) => !p.kernelThread && !p.permitted.isEmpty && p.pid !== process.pid && (all || p.pid !== 1))
    .sort((a, b) => a.pid - b.pid);
}

export function psCommand(args: string[], io: Io): number {
  const { values, tokens } = parseArgs({ tokens: true, args, options: { all: { type: 'boolean', short: 'a' }, json: { type: 'boolean' } }, strict: true });
  refuseRepeats('ps', tokens);
  const rows = psRows(Boolean(values.all));
  if (values.json) {
    io.out(toJson(rows.map(({ status: _s, ...p }) => p)));
    return 0;
  }
  const full = CapSet.full(lastCap());
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  io.out(`${pad('ppid', 5)} ${pad('pid', 5)} ${pad('name', 10)}  ${pad('command', 18)}  capabilities`);
  for (const p of rows) {
    io.out(`${pad(p.ppid, 5)} ${pad(p.pid, 5)} ${pad(p.user ?? p.uid, 10)}  ${pad(p.inChildUserNamespace ? `${p.command} *` : p.command, 18)}  ${capsColumn(p, full)}`);
  }
  return 0;
}
