/**
 * `linux-caps describe [--json] CAP…`: one plain line per capability, what holding it allows
 * (as `capsh --explain` gives a paragraph). Names as capsh takes them, short forms and numbers.
 */
import { parseArgs } from 'node:util';
import { CAP_DESCRIPTIONS } from '../vocabulary/descriptions.js';
import { capFromName, capToName } from '../vocabulary/names.js';
import { type Io, refuseRepeats, toJson, UsageError } from './common.js';

export interface CapDescription {
  name: string;
  number: number;
  /** The bit as /proc/PID/status shows it in CapEff and the others. */
  mask: string;
  description: string;
}

export function describeCap(word: string): CapDescription {
  let cap: number;
  try {
    cap = capFromName(word);
  } catch {
    throw new UsageError(`describe: ${JSON.stringify(word)} is not a capability name or number (0 to 63), e.g. cap_net_raw`);
  }
  return {
    name: capToName(cap),
    number: cap,
    mask: `0x${(1n << BigInt(cap)).toString(16).padStart(16, '0')}`,
    description: CAP_DESCRIPTIONS[cap] ?? 'a capability this library has no name for (a kernel newer than libcap 2.66)',
  };
}

export function describeCommand(args: string[], io: Io): number {
  const { values, positionals, tokens } = parseArgs({ tokens: true, args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
  refuseRepeats('describe', tokens);
  if (positionals.length === 0) throw new UsageError('describe: name one or more capabilities, e.g. linux-caps describe cap_net_raw');
  const all = positionals.flatMap((p) => p.split(',')).filter(Boolean).map(describeCap);
  if (values.json) { io.out(toJson(all)); return 0; }
  for (const d of all) io.out(`${d.name} (${d.number}) ${d.mask}: ${d.description}`);
  return 0;
}
