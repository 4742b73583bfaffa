/**
 * util-vserver's list parser (`utilvserver_listparser_uint64`, kernel-semantics §4.8): the
 * syntax of every `--bcap`/`--ccap` argument, re-implemented from its C behaviour.
 */
import { asciiUpper } from './names.js';

const U64 = (1n << 64n) - 1n;
const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);

/** Where a list failed: the item as util-vserver prints it and its offset in the argument. */
export interface ListParseError {
  /** Offset of the item in the argument. */
  readonly offset: number;
  /** The item as util-vserver prints it. */
  readonly item: string;
}

/** A value/mask pair the parser accumulates into (bcaps/bmask or ccaps/cmask). */
export interface ValueMask {
  /** The bits set. */
  value: bigint;
  /** The bits named. */
  mask: bigint;
}

/** C isspace in the C locale. */
function isCSpace(c: string | undefined): boolean {
  return c !== undefined && ' \t\n\v\f\r'.includes(c);
}

/**
 * C `strtoll(s + from, &end, 0)`: blanks, a sign, `0x` hex / `0` octal / decimal; clamps on
 * overflow. `end === from` when nothing was converted (the C function then returns nptr).
 */
export function strtoll(s: string, from: number): {
  /** The number read (clamped on overflow). */
  value: bigint;
  /** Where reading stopped. */
  end: number;
} {
  let p = from;
  while (isCSpace(s[p])) p++;
  let negative = false;
  if (s[p] === '+' || s[p] === '-') { negative = s[p] === '-'; p++; }
  let base = 10n;
  if (s[p] === '0') {
    if ((s[p + 1] === 'x' || s[p + 1] === 'X') && /[0-9a-fA-F]/.test(s[p + 2] ?? '')) { base = 16n; p += 2; }
    else base = 8n;
  }
  const digitsStart = p;
  let value = 0n;
  for (; p < s.length; p++) {
    const d = parseInt(s[p]!, 16);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    value = value * base + BigInt(d);
  }
  if (p === digitsStart) return { value: 0n, end: from };
  if (negative) value = -value;
  if (value > LLONG_MAX) value = LLONG_MAX;
  if (value < LLONG_MIN) value = LLONG_MIN;
  return { value, end: p };
}

/** strncasecmp(item, word, item.length) === 0 for a non-empty item: a case-insensitive prefix. */
function isPrefixOf(item: string, word: string): boolean {
  return item.length <= word.length && asciiUpper(word.slice(0, item.length)) === asciiUpper(item);
}

/**
 * Parses one argument into `acc` exactly as util-vserver does: split on `,` (no trimming);
 * per item any number of leading `!`/`~` toggle negation; a case-insensitive prefix of
 * `all`/`any` means all 64 bits, of `none` nothing; `^N` is bit N (N taken modulo 64, what
 * x86-64 does with the C shift); a C integer (strtoll, blanks allowed in front) is a mask;
 * anything else goes to `lookup` (0n = unknown). A failed `^N` leaves the `^` consumed, so
 * `^chown` is looked up as `chown`. A trailing comma is accepted; an empty item is an error.
 * Returns the first failing item, or undefined; `acc` holds the items before it.
 */
export function parseList(arg: string, acc: ValueMask, lookup: (word: string) => bigint): ListParseError | undefined {
  let pos = 0;
  let len = arg.length;
  while (len > 0) {
    const comma = arg.indexOf(',', pos);
    let negative = false;
    while (len > 0 && (arg[pos] === '!' || arg[pos] === '~')) { negative = !negative; pos++; len--; }
    let cnt = comma >= 0 ? comma - pos : len;
    if (cnt >= len) { cnt = len; len = 0; } else len -= cnt + 1;
    let value = 0n;
    let failed = false;
    const item = arg.slice(pos, pos + cnt);
    if (cnt === 0) failed = true;
    else if (isPrefixOf(item, 'all') || isPrefixOf(item, 'any')) value = U64;
    else if (isPrefixOf(item, 'none')) value = 0n;
    else {
      const endChar = arg[pos + cnt];
      let numberAt = pos;
      let shift = false;
      if (arg[pos] === '^') { shift = true; pos++; cnt--; numberAt = pos; }
      const { value: n, end } = strtoll(arg, numberAt);
      if (end > numberAt && arg[end] === endChar) {
        value = shift ? 1n << BigInt.asUintN(6, n) : BigInt.asUintN(64, n);
      } else {
        value = lookup(arg.slice(pos, pos + cnt));
        if (value === 0n) failed = true;
      }
    }
    if (failed) return { offset: pos, item: arg.slice(pos, pos + cnt) };
    if (negative) acc.value &= ~value;
    else acc.value |= value;
    acc.mask |= value;
    if (comma < 0) break;
    pos = comma + 1;
  }
  return undefined;
}
