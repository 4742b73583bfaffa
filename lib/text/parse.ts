/**
 * parseCaps: libcap 2.66 `cap_from_text`, accept for accept and reject for reject
 * (text-formats §2.2), with the position and the reason on every rejection.
 */
import { invalidArg } from '../vocabulary/errors.js';
import { capExpected, parseError } from './error.js';
import { resolveKernelSize, type TextOptions } from './options.js';
import { isAllAt, isDigit, isSpace, isWordChar, loadText, loadedLength, readCap, scanEnd } from './scan.js';
import type { CapSetTriple } from './types.js';
import { joinWords } from './words.js';

const EQUALS = 0x3d;
const PLUS = 0x2b;
const MINUS = 0x2d;
const COMMA = 0x2c;
/** `=+` and `=-`: clear the listed caps first, then raise or lower (§2.2). */
const CLEAR_THEN_RAISE = -1;
const CLEAR_THEN_LOWER = -2;

const FORMAT = 'capability text';
const E = 1;
const P = 2;
const I = 4;

const FLAGS_EXPECTED = 'a flag e, i or p (lower case)';
const CAP_EXPECTED = "a capability name such as cap_chown, a number below 64, or 'all'";
const CLAUSE_EXPECTED = "a capability name such as cap_chown, a number below 64, 'all' or '='";

/**
 * Parses libcap's capability text (`cap_net_raw,cap_net_admin=ep`, `=ep cap_setpcap-e`,
 * `= cap_setuid+eip`) exactly as libcap 2.66 `cap_from_text` does: clauses apply left to
 * right to an empty set; names are the full `cap_` names in any case; numbers below 64 and
 * names beyond the kernel are accepted; `all` and a bare `=` cover the kernel's
 * capabilities (up to `options.lastCap`, default the running kernel's).
 *
 * Throws CapsError `ERR_CAPS_PARSE` (errno -22) with `offset` and `expected` where libcap
 * returns EINVAL. One deliberate difference: a NUL character is an error here, where C would
 * silently stop reading at it.
 *
 * @example parseCaps('cap_net_bind_service=ep').permitted.has('cap_net_bind_service') // true
 */
export function parseCaps(text: string, options?: TextOptions): CapSetTriple {
  if (typeof text !== 'string') {
    throw invalidArg('capability text', text, 'a string such as "cap_net_raw=ep"');
  }
  const kernel = resolveKernelSize(options);

  const bytes = loadText(text);
  const length = loadedLength;
  let e0 = 0, e1 = 0, p0 = 0, p1 = 0, i0 = 0, i1 = 0;
  let pos = 0;
  for (;;) {
    let code = bytes[pos]!;
    while (isSpace(code)) code = bytes[++pos]!;
    if (pos >= length) break;
    // Past the end the buffer reads 0 (C's NUL); a NUL inside the text reaches a throw wherever it is.

    // The capability list: explicit, or implicitly "all" for a clause starting with '='.
    let l0 = 0, l1 = 0;
    let listed = false;
    if (isWordChar(code)) {
      for (;;) {
        if (isAllAt(bytes, pos)) {
          // libcap assigns (not ORs) the kernel's mask: `41,all` forgets 41 (forceall()).
          l0 = kernel.low | 0;
          l1 = kernel.high | 0;
          pos += 3;
        } else {
          const cap = readCap(bytes, pos);
          if (cap < 0) throw parseError(FORMAT, text, pos, isDigit(bytes[pos]!) ? 'a capability number below 64' : capExpected(text, pos, CAP_EXPECTED));
          if (cap < 32) l0 |= 1 << cap;
          else l1 |= 1 << (cap - 32);
          pos = scanEnd;
        }
        if (bytes[pos]! !== COMMA) break;
        if (!isWordChar(bytes[++pos]!)) throw parseError(FORMAT, text, pos, `${CAP_EXPECTED} after ','`);
      }
      listed = true;
    } else if (code === PLUS || code === MINUS) {
      throw parseError(FORMAT, text, pos, "a capability list before '+' or '-' (only '=' may start a clause without one)");
    } else {
      l0 = kernel.low | 0;
      l1 = kernel.high | 0;
    }

    let op = bytes[pos]!;
    if (op === EQUALS) {
      const next = bytes[pos + 1]!;
      if (next === PLUS || next === MINUS) {
        if (!listed) throw parseError(FORMAT, text, pos + 1, "flags e, i or p, whitespace or end of text ('=+' and '=-' need a capability list)");
        op = next === PLUS ? CLEAR_THEN_RAISE : CLEAR_THEN_LOWER;
        pos++;
      }
    } else if (op !== PLUS && op !== MINUS) {
      throw parseError(FORMAT, text, pos, listed ? "',' or an action '=', '+' or '-'" : CLAUSE_EXPECTED);
    }
    pos++;

    // Actions: op, then flags; `+` or `-` after the flags chains another action on the list.
    for (;;) {
      let flags = 0;
      let count = 0;
      for (;; pos++, count++) {
        code = bytes[pos]!;
        if (code === 0x65) flags |= E;
        else if (code === 0x70) flags |= P;
        else if (code === 0x69) flags |= I;
        else break;
      }
      if (count === 0 && op !== EQUALS) throw parseError(FORMAT, text, pos, FLAGS_EXPECTED);
      const chained = code === PLUS || code === MINUS;
      if (!chained && pos < length && !isSpace(code)) {
        throw parseError(FORMAT, text, pos, `${FLAGS_EXPECTED}, ${listed ? "'+', '-', " : ''}whitespace or end of text`);
      }
      if (op === PLUS) {
        if (flags & E) { e0 |= l0; e1 |= l1; }
        if (flags & P) { p0 |= l0; p1 |= l1; }
        if (flags & I) { i0 |= l0; i1 |= l1; }
      } else {
        if (op !== MINUS) {
          e0 &= ~l0; e1 &= ~l1; p0 &= ~l0; p1 &= ~l1; i0 &= ~l0; i1 &= ~l1;
          if (op !== CLEAR_THEN_LOWER) {
            if (flags & E) { e0 |= l0; e1 |= l1; }
            if (flags & P) { p0 |= l0; p1 |= l1; }
            if (flags & I) { i0 |= l0; i1 |= l1; }
          }
        } else {
          if (flags & E) { e0 &= ~l0; e1 &= ~l1; }
          if (flags & P) { p0 &= ~l0; p1 &= ~l1; }
          if (flags & I) { i0 &= ~l0; i1 &= ~l1; }
        }
      }
      if (!chained) break;
      if (!listed) throw parseError(FORMAT, text, pos, `${FLAGS_EXPECTED}, whitespace or end of text ('+' and '-' need a capability list)`);
      op = code;
      pos++;
    }
  }
  return { effective: joinWords(e0, e1), permitted: joinWords(p0, p1), inheritable: joinWords(i0, i1) };
}
