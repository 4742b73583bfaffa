/**
 * parseIAB / formatIAB: libcap 2.66 `cap_iab_from_text` / `cap_iab_to_text` (text-formats §2.5).
 */
import { invalidArg } from '../vocabulary/errors.js';
import { CAP_NAMES, MAX_CAP } from '../vocabulary/names.js';
import { capExpected, parseError } from './error.js';
import { resolveKernelSize, type TextOptions } from './options.js';
import { isDigit, loadText, loadedLength, readCap, scanEnd } from './scan.js';
import type { IAB, IABInput } from './types.js';
import { joinWords, splitHigh, splitLow, splitSet } from './words.js';

const BANG = 0x21;
const CARET = 0x5e;
const PERCENT = 0x25;
const COMMA = 0x2c;

const INH = 1;
const AMB = 2;
const NOT_BOUNDING = 4;

const NAME: string[] = Array.from({ length: MAX_CAP + 1 }, (_, cap) => CAP_NAMES[cap] ?? String(cap));

/**
 * Parses libcap's IAB text (`!cap_net_raw,^cap_chown,cap_kill`) exactly as libcap 2.66
 * `cap_iab_from_text` does: comma-separated entries, each any prefixes from `!` (not in the
 * bounding set), `^` (inheritable and ambient) and `%` (inheritable; also the default), then a
 * full `cap_` name in any case or a number below 64. No whitespace anywhere; `all` is not
 * accepted; a trailing comma, or prefixes with no capability at the very end, are (like C).
 *
 * Throws CapsError `ERR_CAPS_PARSE` (errno -22) with `offset` and `expected` where libcap
 * returns EINVAL (and, deliberately, on a NUL character, where C would stop reading).
 * `options.lastCap` is validated but does not change parsing: Debian's libcap knows every
 * name whatever the kernel (§2.4).
 *
 * @example parseIAB('!cap_net_raw,^cap_chown').ambient.has('cap_chown') // true
 */
export function parseIAB(text: string, options?: TextOptions): IAB {
  if (typeof text !== 'string') {
    throw invalidArg('IAB text', text, 'a string such as "!cap_net_raw,^cap_chown"');
  }
  resolveKernelSize(options);

  const bytes = loadText(text);
  const length = loadedLength;
  let in0 = 0, in1 = 0, a0 = 0, a1 = 0, nb0 = 0, nb1 = 0;
  let flags = 0;
  for (let pos = 0; pos < length; pos++) {
    const code = bytes[pos]!;
    if (code === BANG) { flags |= NOT_BOUNDING; continue; }
    if (code === CARET) { flags |= INH | AMB; continue; }
    if (code === PERCENT) { flags |= INH; continue; }
    if (flags === 0) flags = INH;

    const cap = readCap(bytes, pos);
    if (cap < 0) {
      throw parseError('IAB text', text, pos, isDigit(code) ? 'a capability number below 64'
        : capExpected(text, pos, "a prefix '!', '^' or '%', a capability name such as cap_chown, or a number below 64"));
    }
    const low = cap < 32 ? 1 << cap : 0;
    const high = cap < 32 ? 0 : 1 << (cap - 32);
    if (flags & INH) { in0 |= low; in1 |= high; }
    if (flags & AMB) { a0 |= low; a1 |= high; }
    if (flags & NOT_BOUNDING) { nb0 |= low; nb1 |= high; }
    pos = scanEnd;
    if (pos === length) break;
    if (bytes[pos] !== COMMA) throw parseError('IAB text', text, pos, "',' or end of text");
    flags = 0;
  }
  return { inheritable: joinWords(in0, in1), ambient: joinWords(a0, a1), notBounding: joinWords(nb0, nb1) };
}

/**
 * Prints an IAB tuple the way libcap 2.66 `cap_iab_to_text` does (what `capsh --print` shows
 * as "Current IAB"): ascending capability number, each as `!` if not in the bounding set, then
 * `^` if ambient (else `%` when both not-bounding and inheritable), then the name; only
 * capabilities the kernel supports (up to `options.lastCap`) are printed, higher bits are dropped.
 * An ambient capability prints as `^` whether or not it is also listed as inheritable (libcap
 * keeps A ⊆ I). Omitted vectors are empty; each may be a CapSet, a bigint mask or names/numbers.
 *
 * @example formatIAB({ ambient: ['cap_chown'], notBounding: ['cap_net_raw'] }) // '^cap_chown,!cap_net_raw'
 */
export function formatIAB(iab: IABInput, options?: TextOptions): string {
  if (iab === null || typeof iab !== 'object') {
    throw invalidArg('IAB', iab, 'an object { inheritable?, ambient?, notBounding? }');
  }
  const kernel = resolveKernelSize(options);
  splitSet(iab.inheritable);
  const in0 = splitLow | 0, in1 = splitHigh | 0;
  splitSet(iab.ambient);
  const a0 = splitLow | 0, a1 = splitHigh | 0;
  splitSet(iab.notBounding);
  const nb0 = splitLow | 0, nb1 = splitHigh | 0;

  let out = '';
  for (let word = 0; word < 2; word++) {
    const i = word === 0 ? in0 : in1;
    const a = word === 0 ? a0 : a1;
    const nb = word === 0 ? nb0 : nb1;
    let any = (i | a | nb) & (word === 0 ? kernel.low : kernel.high);
    while (any !== 0) {
      const bit = any & -any;
      any ^= bit;
      const cap = word * 32 + 31 - Math.clz32(bit);
      let entry = nb & bit ? '!' : '';
      if (a & bit) entry += '^';
      else if (nb & i & bit) entry += '%';
      entry += NAME[cap]!;
      out = out === '' ? entry : `${out},${entry}`;
    }
  }
  return out;
}
