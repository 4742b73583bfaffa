/**
 * Options shared by the libcap text functions, and the kernel size they resolve to.
 */
import { invalidArg } from '../vocabulary/errors.js';
import { refuseUnknownKeys } from '../vocabulary/option-keys.js';
import { lastCap } from '../vocabulary/names.js';

/** Options of parseCaps, formatCaps, parseIAB and formatIAB. */
export interface TextOptions {
  /**
   * How many capabilities the kernel supports (libcap's `cap_max_bits()`), 1..64.
   * Default: the running kernel's `lastCap() + 1`. It decides what `all` and a bare `=` cover,
   * which bits the formatter may fold into its base state, and which bits the IAB formatter
   * drops (text-formats §2.1, §2.4).
   */
  kernelBits?: number;
}

/** The resolved kernel size: the number, and its mask as two unsigned 32-bit words. */
export interface KernelSize {
  bits: number;
  low: number;
  high: number;
}

const sizes: KernelSize[] = [];
for (let bits = 0; bits <= 64; bits++) {
  sizes.push({
    bits,
    low: bits >= 32 ? 0xffffffff : 2 ** bits - 1,
    high: bits >= 64 ? 0xffffffff : bits > 32 ? 2 ** (bits - 32) - 1 : 0,
  });
}

/** Validates options and returns the kernel size they ask for (CapsError on bad input). */
export function resolveKernelSize(options: TextOptions | undefined): KernelSize {
  if (options === undefined) return sizes[lastCap() + 1]!;
  if (options === null || typeof options !== 'object') {
    throw invalidArg('text options', options, 'an object such as { kernelBits: 41 }');
  }
  refuseUnknownKeys('text options', options, ['kernelBits']);
  const bits = options.kernelBits;
  if (bits === undefined) return sizes[lastCap() + 1]!;
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > 64) {
    throw invalidArg('kernelBits', bits, 'an integer from 1 to 64 (the number of capabilities the kernel supports)');
  }
  return sizes[bits]!;
}
