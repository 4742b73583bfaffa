/**
 * libcap's text formats: capability text (`cap_from_text`/`cap_to_text`) and IAB text
 * (`cap_iab_from_text`/`cap_iab_to_text`), byte-compatible with libcap 2.66
 * (spec/text-formats.md §2). Pure: the only I/O is the default kernel size (lastCap()).
 */
export { parseCaps } from './parse.js';
export { formatCaps } from './format.js';
export { parseIAB, formatIAB } from './iab.js';
export type { TextOptions } from './options.js';
export type { CapSetTriple, CapTripleInput, IAB, IABInput } from './types.js';
