/**
 * Parse errors of the libcap text formats. libcap itself only says EINVAL; these say where
 * the text went wrong and what would have been accepted there.
 */
import { CapsError } from '../vocabulary/errors.js';
import { lookupLibcapName } from '../vocabulary/names.js';
import { EINVAL } from '../vocabulary/abi.js';

function describeAt(text: string, offset: number, nameExpected: boolean): string {
  if (offset >= text.length) return 'end of text';
  // Where a name was expected, a whole word is a capability name libcap does not know (issue 23:
  // say so, not just its first letter).
  const word = nameExpected ? /^[A-Za-z_][A-Za-z0-9_]+(?=$|[=+\-,\s])/.exec(text.slice(offset, offset + 65))?.[0] : undefined;
  if (word !== undefined) return `the unknown capability name '${word}'`;
  const code = text.codePointAt(offset)!;
  if (code === 0) return 'a NUL character';
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).padStart(4, '0')}`;
  return `'${String.fromCodePoint(code)}'`;
}

/** Characters of the input quoted on each side of the offset; longer input is cut with an ellipsis. */
const QUOTE_CONTEXT = 40;

/** The input as the message quotes it: whole when short, else a window around `offset`. */
export function quoteAround(text: string, offset: number): string {
  if (text.length <= 2 * QUOTE_CONTEXT + 20) return JSON.stringify(text);
  const from = Math.max(0, offset - QUOTE_CONTEXT);
  const to = Math.min(text.length, offset + QUOTE_CONTEXT);
  const head = from > 0 ? '…' : '';
  const tail = to < text.length ? '…' : '';
  return `${head}${JSON.stringify(text.slice(from, to))}${tail} (${text.length} characters)`;
}

/**
 * A CapsError (code ERR_CAPS_PARSE, errno -22) for `text`, failing at `offset`, where
 * `expected` would have been accepted.
 */
export function parseError(format: 'capability text' | 'IAB text', text: string, offset: number, expected: string): CapsError {
  // C would stop reading at a NUL; here it is an error wherever the parser meets it.
  if (offset < text.length && text.charCodeAt(offset) === 0) expected = 'text without NUL characters';
  return new CapsError({
    code: 'ERR_CAPS_PARSE',
    errno: -EINVAL,
    message: `invalid ${format} ${quoteAround(text, offset)}: at offset ${offset} found ${describeAt(text, offset, expected.includes('capability name'))}, expected ${expected}`,
    offset,
    expected,
  });
}

/**
 * What an unknown capability word at `offset` should have been: `base`, plus the full name
 * when the word is a short form libcap does not take (`chown` → `cap_chown`).
 */
export function capExpected(text: string, offset: number, base: string): string {
  const word = /^[A-Za-z_]+/.exec(text.slice(offset))?.[0];
  if (word === undefined || lookupLibcapName(`cap_${word}`) === undefined) return base;
  return `${base} (libcap takes full names: cap_${word.toLowerCase()})`;
}
