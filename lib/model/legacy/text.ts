/**
 * Printing legacy capability sets the way the era's tools did: libcap's text (through
 * `formatCaps`) over a 32-bit kernel, in the pre-2.41 form (`= cap_x+ep`, text-formats §2.3
 * step 4), and libcap-1 getpcaps' line `Capabilities for \`PID': TEXT`.
 */
import { invalidArg } from '../../vocabulary/errors.js';
import { formatCaps } from '../../text/index.js';
import type { CapTripleInput } from '../../text/types.js';

/** Options of {@link formatLegacyCaps}. */
export interface LegacyTextOptions {
  /** The highest capability number the kernel knows; 31 for every legacy kernel (32 capabilities). */
  lastCap?: number;
  /**
   * 'pre-2.41' (default; libcap-1 and libcap 2 before 2.41): an output whose base is `=` keeps
   * it: `= cap_setuid+eip`. '2.41+': today's compact `cap_setuid=eip`.
   */
  style?: 'pre-2.41' | '2.41+';
}

/**
 * libcap text of three sets as a legacy system's tools printed it: `formatCaps` with
 * `lastCap: 31`, then (pre-2.41) the compact first clause `names=flags` spelled out again
 * as `= names+flags`.
 */
export function formatLegacyCaps(caps: CapTripleInput, options: LegacyTextOptions = {}): string {
  const style = options.style ?? 'pre-2.41';
  if (style !== 'pre-2.41' && style !== '2.41+') throw invalidArg('style', style, "'pre-2.41' or '2.41+'");
  const text = formatCaps(caps, { lastCap: options.lastCap ?? 31 });
  if (style === '2.41+') return text;
  const eq = text.indexOf('=');
  // A compact first clause starts with a name; the base clause starts with '='.
  return eq > 0 ? `= ${text.slice(0, eq)}+${text.slice(eq + 1)}` : text;
}

/** libcap-1 getpcaps' line for one argument: ``Capabilities for `=': = cap_setuid+eip``. */
export function getpcapsLine(argument: string, caps: CapTripleInput, options: LegacyTextOptions = {}): string {
  return `Capabilities for \`${argument}': ${formatLegacyCaps(caps, options)}`;
}
