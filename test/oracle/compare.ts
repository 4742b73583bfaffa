/**
 * Runs our text functions and libcap's on the same inputs and lists every difference.
 */
import {
  formatCaps, formatIAB, parseCaps, parseIAB, CapsError,
} from '../../lib/index.js';
import { libcapFormatCaps, libcapFormatIAB, libcapParseCaps, libcapParseIAB, type Masks } from './libcap.js';

export interface Comparison {
  total: number;
  accepted: number;
  rejected: number;
  differences: string[];
}

const show = (text: string) => JSON.stringify(text);
const hex = (m: bigint) => `0x${m.toString(16)}`;
const showMasks = (m: readonly bigint[]) => `[${m.map(hex).join(' ')}]`;

function ourError(run: () => unknown): CapsError | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (err instanceof CapsError) return err;
    throw err;
  }
}

/** A parse error must be ours, well formed, and point inside the text. */
function checkError(err: CapsError, text: string): string | undefined {
  if (err.code !== 'ERR_CAPS_PARSE' || err.errno !== -22) return `wrong error ${err.code}/${err.errno}`;
  if (typeof err.offset !== 'number' || err.offset < 0 || err.offset > text.length) return `bad offset ${err.offset}`;
  if (!err.expected || !err.message.includes(`offset ${err.offset}`)) return 'message lacks offset or expected';
  return undefined;
}

/** formatCaps vs cap_to_text on raw [E, P, I] masks; also parseCaps(text) must give the masks back. */
export function compareFormatCaps(triples: readonly Masks[], kernelBits?: number): Comparison {
  const theirs = libcapFormatCaps(triples, kernelBits);
  const options = kernelBits === undefined ? undefined : { lastCap: kernelBits - 1 };
  const differences: string[] = [];
  triples.forEach(([e, p, i], k) => {
    const ours = formatCaps({ effective: e, permitted: p, inheritable: i }, options);
    if (ours !== theirs[k]) differences.push(`${showMasks([e, p, i])}: ours ${show(ours)}, libcap ${show(theirs[k]!)}`);
    const back = parseCaps(ours, options);
    const got = [back.effective.toMask(), back.permitted.toMask(), back.inheritable.toMask()];
    if (got[0] !== e || got[1] !== p || got[2] !== i) differences.push(`round trip of ${show(ours)}: ${showMasks(got)} != ${showMasks([e, p, i])}`);
  });
  return { total: triples.length, accepted: triples.length, rejected: 0, differences };
}

/** parseCaps vs cap_from_text: accept/reject, the three masks, and the text printed back. */
export function compareParseCaps(texts: readonly string[], kernelBits?: number): Comparison {
  const theirs = libcapParseCaps(texts, kernelBits);
  const options = kernelBits === undefined ? undefined : { lastCap: kernelBits - 1 };
  const differences: string[] = [];
  let accepted = 0;
  texts.forEach((text, k) => {
    const answer = theirs[k]!;
    let ours: ReturnType<typeof parseCaps> | undefined;
    const err = ourError(() => { ours = parseCaps(text, options); });
    if (!answer.ok) {
      if (!err) differences.push(`${show(text)}: ours accepted, libcap EINVAL`);
      else {
        const bad = checkError(err, text);
        if (bad) differences.push(`${show(text)}: ${bad}`);
      }
      return;
    }
    accepted++;
    if (err || !ours) {
      differences.push(`${show(text)}: ours rejected (${err?.message}), libcap ${show(answer.text)}`);
      return;
    }
    const got = [ours.effective.toMask(), ours.permitted.toMask(), ours.inheritable.toMask()];
    if (got.some((m, s) => m !== answer.masks[s])) differences.push(`${show(text)}: ours ${showMasks(got)}, libcap ${showMasks(answer.masks)}`);
    const printed = formatCaps(ours, options);
    if (printed !== answer.text) differences.push(`${show(text)}: printed ${show(printed)}, libcap ${show(answer.text)}`);
  });
  return { total: texts.length, accepted, rejected: texts.length - accepted, differences };
}

/**
 * parseIAB vs cap_iab_from_text: accept/reject, [I, A, NB] (libcap shows only bits below its
 * cap_max_bits(), so ours are compared under the same mask) and cap_iab_to_text.
 */
export function compareParseIAB(texts: readonly string[], kernelBits: number, shim: boolean): Comparison {
  const theirs = libcapParseIAB(texts, shim ? kernelBits : undefined);
  const visible = (1n << BigInt(kernelBits)) - 1n;
  const differences: string[] = [];
  let accepted = 0;
  texts.forEach((text, k) => {
    const answer = theirs[k]!;
    let ours: ReturnType<typeof parseIAB> | undefined;
    const err = ourError(() => { ours = parseIAB(text, { lastCap: kernelBits - 1 }); });
    if (!answer.ok) {
      if (!err) differences.push(`${show(text)}: ours accepted, libcap EINVAL`);
      else {
        const bad = checkError(err, text);
        if (bad) differences.push(`${show(text)}: ${bad}`);
      }
      return;
    }
    accepted++;
    if (err || !ours) {
      differences.push(`${show(text)}: ours rejected (${err?.message}), libcap ${show(answer.text)}`);
      return;
    }
    const got = [ours.inheritable.toMask(), ours.ambient.toMask(), ours.notBounding.toMask()].map((m) => m & visible);
    if (got.some((m, v) => m !== answer.masks[v])) differences.push(`${show(text)}: ours ${showMasks(got)}, libcap ${showMasks(answer.masks)}`);
    const printed = formatIAB(ours, { lastCap: kernelBits - 1 });
    if (printed !== answer.text) differences.push(`${show(text)}: printed ${show(printed)}, libcap ${show(answer.text)}`);
  });
  return { total: texts.length, accepted, rejected: texts.length - accepted, differences };
}

/** formatIAB vs cap_iab_to_text of an IAB built from raw [I, A, NB] with cap_iab_set_vector. */
export function compareFormatIAB(iabs: readonly Masks[], kernelBits: number, shim: boolean): Comparison {
  const theirs = libcapFormatIAB(iabs, shim ? kernelBits : undefined);
  const differences: string[] = [];
  iabs.forEach(([i, a, nb], k) => {
    const ours = formatIAB({ inheritable: i, ambient: a, notBounding: nb }, { lastCap: kernelBits - 1 });
    if (ours !== theirs[k]) differences.push(`${showMasks([i, a, nb])}: ours ${show(ours)}, libcap ${show(theirs[k]!)}`);
  });
  return { total: iabs.length, accepted: iabs.length, rejected: 0, differences };
}
