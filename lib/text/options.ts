/**
 * Options shared by the libcap text functions, and the kernel size they resolve to.
 */
import { invalidArg } from '../vocabulary/errors.js';
import { refuseUnknownKeys } from '../vocabulary/option-keys.js';
import { lastCap } from '../vocabulary/names.js';

/**
 * Options of parseCaps, formatCaps, parseIAB and formatIAB.
 * @example
 * const options: TextOptions = { lastCap: 40 };   // a 6.x kernel's 41 capabilities
 * formatCaps({ effective: CapSet.full(40), permitted: CapSet.full(40) }, options);   // '=ep'
 */
export interface TextOptions {
  /**
   * The highest capability number the kernel knows, 0..63 — the number `lastCap()` returns
   * and `CapSet.full(last)` takes (libcap's `cap_max_bits()` is one more). Default: the running
   * kernel's `lastCap()`. It decides what `all` and a bare `=` cover, which bits the formatter
   * may fold into its base state, and which bits the IAB formatter drops (text-formats §2.1, §2.4).
   */
  lastCap?: number;
}

/** The resolved kernel size: the number, and its mask as two unsigned 32-bit words. */
export interface KernelSize {
  bits: number;
  low: number;
  high: number;
}

/** The size of a kernel with `bits` capabilities, made once per size on first use (not at load: issue 14). */
const sizes: KernelSize[] = [];
function sizeOf(bits: number): KernelSize {
  return sizes[bits] ??= {
    bits,
    low: bits >= 32 ? 0xffffffff : 2 ** bits - 1,
    high: bits >= 64 ? 0xffffffff : bits > 32 ? 2 ** (bits - 32) - 1 : 0,
  };
}

/** Validates options and returns the kernel size they ask for (CapsError on bad input). */
export function resolveKernelSize(options: TextOptions | undefined): KernelSize {
  if (options === undefined) return sizeOf(lastCap() + 1);
  if (options === null || typeof options !== 'object') {
    throw invalidArg('text options', options, 'an object such as { lastCap: 40 }');
  }
  if ('kernelBits' in options) {
    throw invalidArg('kernelBits', (options as { kernelBits: unknown }).kernelBits, 'lastCap, the highest capability number (kernelBits - 1), since issue 24: one count convention');
  }
  refuseUnknownKeys('text options', options, ['lastCap']);
  const last = options.lastCap;
  if (last === undefined) return sizeOf(lastCap() + 1);
  if (typeof last !== 'number' || !Number.isInteger(last) || last < 0 || last > 63) {
    throw invalidArg('lastCap', last, 'an integer from 0 to 63 (the highest capability number the kernel knows)');
  }
  return sizeOf(last + 1);
}
