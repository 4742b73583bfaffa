/** `linux-caps decode HEX…`: a capability mask as names, as `capsh --decode` prints it. */
import { CapSet } from '../capset.js';
import { UsageError, type Io } from './common.js';

export function decodeLine(hex: string): string {
  const digits = hex.replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{1,16}$/.test(digits)) throw new UsageError(`decode: ${JSON.stringify(hex)} is not a hex mask of up to 16 digits`);
  const set = CapSet.fromHex(digits);
  return `0x${set.toHex()}=${set.toString()}`;
}

export function decodeCommand(args: string[], io: Io): number {
  if (args.length === 0) throw new UsageError('decode: give one or more hex masks, e.g. linux-caps decode 0x3000');
  for (const hex of args) io.out(decodeLine(hex));
  return 0;
}
