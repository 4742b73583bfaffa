/**
 * The lexical pieces libcap's text parsers share (text-formats §2.2, §2.5): C `<ctype.h>`
 * classes in the "C" locale, and libcap's `lookupname`: a number read like `strtoul(…, 0)`,
 * or the longest run of letters and `_` looked up case-insensitively among the 41 names.
 * Debian's 2.66 is a gperf build, so every name parses whatever the kernel supports (§2.4).
 *
 * The parsers read bytes, as C does: the text is UTF-8 encoded once into a reused buffer
 * that ends in zero bytes (C's NUL terminator), so the hot loops index a Uint8Array, never
 * read out of bounds, and allocate nothing. Every byte ≥ 0x80 is invalid wherever it appears,
 * so every error is met at or before the first non-ASCII char, where byte offset = char offset.
 */
import { CAP_NAMES, MAX_CAP } from '../vocabulary/names.js';

const SPACE = 1;
const DIGIT = 2;
const ALPHA = 4;
const UNDERSCORE = 8;

/** C character classes for every byte (0 for bytes ≥ 0x80 and NUL). */
const CLASS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) CLASS[c] = SPACE;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
for (let c = 0x41; c <= 0x5a; c++) { CLASS[c] = ALPHA; CLASS[c + 0x20] = ALPHA; }
CLASS[0x5f] = UNDERSCORE;

/** C isspace: space, \t, \n, \v, \f, \r. */
export function isSpace(byte: number): boolean {
  return CLASS[byte] === SPACE;
}

/** C isalpha. */
export function isAlpha(byte: number): boolean {
  return CLASS[byte] === ALPHA;
}

/** C `isalnum(c) || c == '_'`: a byte that starts (or continues) a capability word. */
export function isWordChar(byte: number): boolean {
  return CLASS[byte] !== 0 && CLASS[byte] !== SPACE;
}

/** C isdigit. */
export function isDigit(byte: number): boolean {
  return CLASS[byte] === DIGIT;
}

const TERMINATOR = 4;
const encoder = new TextEncoder();
let buffer = new Uint8Array(1024);
const KEEP_LIMIT = 1 << 16;

/**
 * Encodes `text` as UTF-8 into the shared buffer, followed by at least four zero bytes, and
 * returns the buffer (valid until the next call). Its length in bytes is `loadedLength`.
 */
export function loadText(text: string): Uint8Array {
  const worst = text.length * 3 + TERMINATOR;
  let target = buffer;
  if (target.length < worst) {
    target = new Uint8Array(worst);
    // Keep a grown buffer for next time, but not a huge one made for a single huge text.
    if (worst <= KEEP_LIMIT) buffer = target;
  }
  const written = encoder.encodeInto(text, target).written;
  target[written] = 0;
  target[written + 1] = 0;
  target[written + 2] = 0;
  target[written + 3] = 0;
  loadedLength = written;
  return target;
}

/** The number of bytes the last loadText wrote (before the terminator). */
export let loadedLength = 0;

/** Where the last successful readCap stopped (one past the capability). */
export let scanEnd = 0;

// Names are recognised by a DFA over the lower-cased letters and `_`: one table step per
// byte, no substring, no hash. SYMBOL maps a byte to its column (-1: not a name byte).
/** Columns per DFA state: 27 symbols, padded to 32 so a step is a shift, not a multiply. */
const SYMBOLS = 32;
const SYMBOL = new Int8Array(256).fill(-1);
for (let c = 0; c < 26; c++) { SYMBOL[0x61 + c] = c; SYMBOL[0x41 + c] = c; }
SYMBOL[0x5f] = 26;

/** The name DFA: built by the first name read, not when the package loads (issue 14, start-up). */
interface NameTable {
  /** next[state * SYMBOLS + symbol]: the next state, 0 = no name continues this way. */
  next: Int16Array;
  /** accept[state]: the capability whose name ends here, or -1. */
  accept: Int8Array;
  /** The state after `cap_`. */
  afterCapPrefix: number;
}
const START = 1;
let names: NameTable | undefined;

function buildNameTable(): NameTable {
  const stateCount = 2 + CAP_NAMES.reduce((n, name) => n + name.length, 0);
  const next = new Int16Array(stateCount * SYMBOLS);
  const accept = new Int8Array(stateCount).fill(-1);
  let states = 2;
  CAP_NAMES.forEach((name, cap) => {
    let state = START;
    for (const ch of name) {
      const column = state * SYMBOLS + SYMBOL[ch.charCodeAt(0)]!;
      if (next[column] === 0) next[column] = states++;
      state = next[column]!;
    }
    accept[state] = cap;
  });
  const afterCapPrefix = [...'cap_'].reduce((state, ch) => next[state * SYMBOLS + SYMBOL[ch.charCodeAt(0)]!]!, START);
  names = { next, accept, afterCapPrefix };
  return names;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * libcap's lookupname at `pos` of a loaded text: a number (strtoul base 0: decimal, 0x hex,
 * 0 octal; below 64) when the byte there is a digit, else a name. Returns the capability and
 * sets scanEnd, or returns -1 (unknown name, empty name, or a number of 64 or more).
 */
export function readCap(bytes: Uint8Array, pos: number): number {
  let byte = bytes[pos]!;
  if (isDigit(byte)) {
    let value = 0;
    let i = pos;
    let radix = 10;
    if (byte === 0x30) {
      radix = 8;
      if ((bytes[pos + 1]! | 0x20) === 0x78 && hexValue(bytes[pos + 2]!) >= 0) { radix = 16; i = pos + 2; }
    }
    for (;; i++) {
      const digit = radix === 16 ? hexValue(bytes[i]!) : bytes[i]! - 0x30;
      if (digit < 0 || digit >= radix) break;
      // Saturate: anything above 63 is rejected, however long the number.
      value = value > MAX_CAP ? value : value * radix + digit;
    }
    if (value > MAX_CAP) return -1;
    scanEnd = i;
    return value;
  }
  // A name: the longest run of letters and `_`, matched whole and case-insensitively.
  // Every name starts with `cap_`: four independent byte tests skip four dependent DFA steps.
  const { next, accept, afterCapPrefix } = names ?? buildNameTable();
  let state = START;
  let end = pos;
  if ((bytes[pos]! | 0x20) === 0x63 && (bytes[pos + 1]! | 0x20) === 0x61 && (bytes[pos + 2]! | 0x20) === 0x70
    && bytes[pos + 3] === 0x5f) {
    state = afterCapPrefix;
    end = pos + 4;
  }
  for (;; end++) {
    byte = bytes[end]!;
    const symbol = SYMBOL[byte]!;
    if (symbol < 0) break;
    state = next[(state << 5) | symbol]!;
    if (state === 0) return -1;
  }
  const cap = accept[state]!;
  if (cap >= 0) scanEnd = end;
  return cap;
}

/** C's namcmp(str, "all"): `all` in any case, not followed by a letter, digit or `_`. */
export function isAllAt(bytes: Uint8Array, pos: number): boolean {
  return (bytes[pos]! | 0x20) === 0x61 && (bytes[pos + 1]! | 0x20) === 0x6c
    && (bytes[pos + 2]! | 0x20) === 0x6c && !isWordChar(bytes[pos + 3]!);
}
