/**
 * The lexical pieces libcap's text parsers share (text-formats §2.2, §2.5): C `<ctype.h>`
 * classes in the "C" locale, and libcap's `lookupname`: a number read like `strtoul(…, 0)`,
 * or the longest run of letters and `_` looked up case-insensitively among the 41 names.
 * Debian's 2.66 is a gperf build, so every name parses whatever the kernel supports (§2.4).
 * Everything works on char codes of the input string, without allocating.
 */
import { CAP_NAMES, MAX_CAP } from './names.js';

const SPACE = 1;
const DIGIT = 2;
const ALPHA = 4;
const UNDERSCORE = 8;

const CLASS = new Uint8Array(128);
for (const c of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) CLASS[c] = SPACE;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
for (let c = 0x41; c <= 0x5a; c++) { CLASS[c] = ALPHA; CLASS[c + 0x20] = ALPHA; }
CLASS[0x5f] = UNDERSCORE;

/** C isspace: space, \t, \n, \v, \f, \r. Non-ASCII is never a space in the C locale. */
export function isSpace(code: number): boolean {
  return code < 128 && CLASS[code] === SPACE;
}

/** C isalpha. */
export function isAlpha(code: number): boolean {
  return code < 128 && CLASS[code] === ALPHA;
}

/** C `isalnum(c) || c == '_'`: a char that starts (or continues) a capability word. */
export function isWordChar(code: number): boolean {
  return code < 128 && (CLASS[code]! & (DIGIT | ALPHA | UNDERSCORE)) !== 0;
}

/** C isdigit. */
export function isDigit(code: number): boolean {
  return code < 128 && CLASS[code] === DIGIT;
}

/**
 * The char code at `pos`, or 0 past the end: C's NUL terminator. (The parsers refuse NUL
 * characters up front, so 0 always means the end; and never reading out of bounds keeps
 * V8's optimised code on its fast path.)
 */
export function codeAt(text: string, pos: number): number {
  return pos < text.length ? text.charCodeAt(pos) : 0;
}

/** Where the last successful readCap stopped (one past the capability). */
export let scanEnd = 0;

// Names are recognised by a DFA over the lower-cased letters and `_`: one table step per
// char, no substring, no hash. SYMBOL maps a char code to its column (-1: not a name char).
const SYMBOLS = 27;
const SYMBOL = new Int8Array(128).fill(-1);
for (let c = 0; c < 26; c++) { SYMBOL[0x61 + c] = c; SYMBOL[0x41 + c] = c; }
SYMBOL[0x5f] = 26;

const stateCount = 1 + CAP_NAMES.reduce((n, name) => n + name.length, 0);
/** NEXT[state * SYMBOLS + symbol]: the next state, 0 = no name continues this way. */
const NEXT = new Int16Array((stateCount + 1) * SYMBOLS);
/** ACCEPT[state]: the capability whose name ends here, or -1. */
const ACCEPT = new Int8Array(stateCount + 1).fill(-1);
const START = 1;
let states = 2;
CAP_NAMES.forEach((name, cap) => {
  let state = START;
  for (const ch of name) {
    const column = state * SYMBOLS + SYMBOL[ch.charCodeAt(0)]!;
    if (NEXT[column] === 0) NEXT[column] = states++;
    state = NEXT[column]!;
  }
  ACCEPT[state] = cap;
});

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * libcap's lookupname at `pos`: a number (strtoul base 0: decimal, 0x hex, 0 octal; below
 * 64) when the char there is a digit, else a name. Returns the capability and sets scanEnd,
 * or returns -1 (unknown name, empty name, or a number of 64 or more).
 */
export function readCap(text: string, pos: number): number {
  const length = text.length;
  let code = codeAt(text, pos);
  if (isDigit(code)) {
    let value = 0;
    let i = pos;
    let radix = 10;
    if (code === 0x30) {
      radix = 8;
      const next = codeAt(text, pos + 1) | 0x20;
      if (next === 0x78 && hexValue(codeAt(text, pos + 2)) >= 0) { radix = 16; i = pos + 2; }
    }
    for (; i < length; i++) {
      const digit = radix === 16 ? hexValue(text.charCodeAt(i)) : text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit >= radix) break;
      // Saturate: anything above 63 is rejected, however long the number.
      value = value > MAX_CAP ? value : value * radix + digit;
    }
    if (value > MAX_CAP) return -1;
    scanEnd = i;
    return value;
  }
  // A name: the longest run of letters and `_`, matched whole and case-insensitively.
  let state = START;
  let end = pos;
  for (; end < length; end++) {
    code = text.charCodeAt(end);
    const symbol = code < 128 ? SYMBOL[code]! : -1;
    if (symbol < 0) break;
    state = NEXT[state * SYMBOLS + symbol]!;
    if (state === 0) return -1;
  }
  const cap = ACCEPT[state]!;
  if (cap >= 0) scanEnd = end;
  return cap;
}

/** C's namcmp(str, "all"): `all` in any case, not followed by a letter, digit or `_`. */
export function isAllAt(text: string, pos: number): boolean {
  return (codeAt(text, pos) | 0x20) === 0x61 && (codeAt(text, pos + 1) | 0x20) === 0x6c
    && (codeAt(text, pos + 2) | 0x20) === 0x6c && !isWordChar(codeAt(text, pos + 3));
}
