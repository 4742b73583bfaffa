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

/** Where the last successful readCap stopped (one past the capability). */
export let scanEnd = 0;

// Names are looked up by a hash of their lower-cased letters, then compared char by char.
const TABLE_BITS = 9;
const TABLE_SIZE = 1 << TABLE_BITS;
const table = new Int16Array(TABLE_SIZE).fill(-1);
const nameCodes: Uint8Array[] = CAP_NAMES.map((name) => Uint8Array.from(name, (ch) => ch.charCodeAt(0)));

function hashStep(hash: number, lowerCode: number): number {
  return Math.imul(hash ^ lowerCode, 0x01000193);
}

function slotOf(hash: number): number {
  return (hash ^ (hash >>> 15)) & (TABLE_SIZE - 1);
}

for (let cap = 0; cap < nameCodes.length; cap++) {
  let hash = 0x811c9dc5 | 0;
  for (const code of nameCodes[cap]!) hash = hashStep(hash, code);
  let slot = slotOf(hash);
  while (table[slot] !== -1) slot = (slot + 1) & (TABLE_SIZE - 1);
  table[slot] = cap;
}

/**
 * The capability named by the letters and `_` from `start` to `end` (case-insensitive), or -1.
 * The caller guarantees every char in the range is a letter or `_`.
 */
function lookupName(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) hash = hashStep(hash, text.charCodeAt(i) | (isAlpha(text.charCodeAt(i)) ? 0x20 : 0));
  const length = end - start;
  for (let slot = slotOf(hash); ; slot = (slot + 1) & (TABLE_SIZE - 1)) {
    const cap = table[slot]!;
    if (cap === -1) return -1;
    const codes = nameCodes[cap]!;
    if (codes.length !== length) continue;
    let i = 0;
    while (i < length) {
      const code = text.charCodeAt(start + i);
      if ((isAlpha(code) ? code | 0x20 : code) !== codes[i]) break;
      i++;
    }
    if (i === length) return cap;
  }
}

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
  let code = text.charCodeAt(pos);
  if (isDigit(code)) {
    let value = 0;
    let i = pos;
    let radix = 10;
    if (code === 0x30) {
      radix = 8;
      const next = text.charCodeAt(pos + 1) | 0x20;
      if (next === 0x78 && hexValue(text.charCodeAt(pos + 2)) >= 0) { radix = 16; i = pos + 2; }
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
  let end = pos;
  while (end < length && ((code = text.charCodeAt(end)), isAlpha(code) || code === 0x5f)) end++;
  if (end === pos) return -1;
  const cap = lookupName(text, pos, end);
  if (cap >= 0) scanEnd = end;
  return cap;
}

/** C's namcmp(str, "all"): `all` in any case, not followed by a letter, digit or `_`. */
export function isAllAt(text: string, pos: number): boolean {
  return (text.charCodeAt(pos) | 0x20) === 0x61 && (text.charCodeAt(pos + 1) | 0x20) === 0x6c
    && (text.charCodeAt(pos + 2) | 0x20) === 0x6c && !isWordChar(text.charCodeAt(pos + 3));
}
