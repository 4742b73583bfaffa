/** `linux-caps decode [--json] HEX…`: a capability mask as names, as `capsh --decode` prints it. */
import { parseArgs } from 'node:util';
import { CapSet } from '../vocabulary/capset.js';
import { type Io, refuseRepeats, toJson, UsageError } from './common.js';

function maskOf(hex: string): CapSet {
  const digits = hex.replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{1,16}$/.test(digits)) throw new UsageError(`decode: ${JSON.stringify(hex)} is not a hex mask of up to 16 digits`);
  return CapSet.fromHex(digits);
}

export function decodeLine(hex: string): string {
  const set = maskOf(hex);
  return `0x${set.toHex()}=${set.toString()}`;
}

export function decodeCommand(args: string[], io: Io): number {
  const { values, positionals, tokens } = parseArgs({ tokens: true, args, allowPositionals: true, strict: true, options: { json: { type: 'boolean' } } });
  refuseRepeats('decode', tokens);
  if (positionals.length === 0) throw new UsageError('decode: give one or more hex masks, e.g. linux-caps decode 0x3000');
  if (values.json) {
    io.out(toJson(positionals.map((hex) => { const set = maskOf(hex); return { mask: `0x${set.toHex()}`, caps: set.names() }; })));
    return 0;
  }
  for (const hex of positionals) io.out(decodeLine(hex));
  return 0;
}
