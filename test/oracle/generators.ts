/**
 * Seeded random inputs for the differential tests of the libcap text formats: capability
 * triples, capability text and IAB text, valid and near-miss. The PRNG is ours (sfc32 seeded
 * through splitmix32), so a printed seed reproduces a run exactly.
 */
import {
  CAP_NAMES,
} from '../../lib/index.js';

export type Rng = () => number;

/** The seed for this run: LINUX_CAPS_TEXT_SEED, or a fixed default so CI is reproducible. */
export function textSeed(): number {
  const env = process.env.LINUX_CAPS_TEXT_SEED;
  return env ? Number.parseInt(env, 10) >>> 0 : 0x5eed2008;
}

/** A PRNG giving floats in [0, 1) from a 32-bit seed. */
export function makeRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

export const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;
const chance = (rng: Rng, p: number): boolean => rng() < p;

const kernelMask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

function randomBits(rng: Rng, count: number, below: number, from = 0): bigint {
  let mask = 0n;
  for (let k = 0; k < count; k++) mask |= 1n << BigInt(from + int(rng, below - from));
  return mask;
}

/** [E, P, I] masks, as libcap's formatter takes them (I ⊄ P and bits ≥ kernelBits allowed). */
export type Triple = [bigint, bigint, bigint];

/** One random triple: sparse, dense, near-uniform, exact ties, uniform noise; sometimes high bits. */
export function randomTriple(rng: Rng, kernelBits: number): Triple {
  const full = kernelMask(kernelBits);
  const kind = int(rng, 6);
  const triple: Triple = [0n, 0n, 0n];
  if (kind === 0) {
    for (let s = 0; s < 3; s++) triple[s] = randomBits(rng, int(rng, 4), kernelBits);
  } else if (kind === 1) {
    for (let s = 0; s < 3; s++) triple[s] = chance(rng, 0.7) ? full & ~randomBits(rng, int(rng, 5), kernelBits) : randomBits(rng, int(rng, 3), kernelBits);
  } else if (kind === 2 || kind === 3) {
    // Every bit in a base state, then a few (or, for ties, about half) moved to other states.
    const base = int(rng, 8);
    const other = int(rng, 8);
    const moved = kind === 2 ? int(rng, 6) : Math.floor(kernelBits / 2) + int(rng, 3) - 1;
    const states = new Array<number>(kernelBits).fill(base);
    for (let k = 0; k < moved; k++) states[int(rng, kernelBits)] = kind === 3 ? other : int(rng, 8);
    for (let bit = 0; bit < kernelBits; bit++) {
      for (let s = 0; s < 3; s++) if (states[bit]! & (1 << s)) triple[s] |= 1n << BigInt(bit);
    }
  } else if (kind === 4) {
    for (let bit = 0; bit < kernelBits; bit++) {
      const state = int(rng, 8);
      for (let s = 0; s < 3; s++) if (state & (1 << s)) triple[s] |= 1n << BigInt(bit);
    }
  } else {
    for (let s = 0; s < 3; s++) triple[s] = BigInt.asUintN(64, BigInt(int(rng, 2 ** 32)) << 32n | BigInt(int(rng, 2 ** 32))) & full;
  }
  if (kernelBits < 64 && chance(rng, 0.35)) {
    for (let s = 0; s < 3; s++) if (chance(rng, 0.5)) triple[s] |= randomBits(rng, 1 + int(rng, 4), 64, kernelBits);
  }
  return triple;
}

function randomCase(rng: Rng, word: string): string {
  const style = int(rng, 6);
  if (style === 0) return word.toUpperCase();
  if (style === 1) return [...word].map((ch) => (chance(rng, 0.5) ? ch.toUpperCase() : ch)).join('');
  return word;
}

function randomNumber(rng: Rng): string {
  const value = chance(rng, 0.85) ? int(rng, 64) : 64 + int(rng, 300);
  switch (int(rng, 6)) {
    case 0: return `0x${value.toString(16)}`;
    case 1: return `0X${value.toString(16).toUpperCase()}`;
    case 2: return `0${value.toString(8)}`;
    case 3: return pick(rng, ['00', '0', '08', '0x', '1e', '-1', '007', '0x3f', '0x40', '099', '18446744073709551616', '00000000000000000000063']);
    default: return String(value);
  }
}

/** A capability word as people (and typos) write it: names, `all`, numbers, near-misses. */
export function randomCapWord(rng: Rng, allowAll = true): string {
  const r = int(rng, 20);
  if (r < 11) return randomCase(rng, pick(rng, CAP_NAMES));
  if (r < 13 && allowAll) return randomCase(rng, 'all');
  if (r < 16) return randomNumber(rng);
  const name = pick(rng, CAP_NAMES);
  return pick(rng, [
    `${name}2`, `${name}_`, `${name}x`, name.slice(4), name.slice(0, -1), 'cap_bogus', '_', 'cap_', 'all_', 'alll', 'all2',
    `${name}-`, 'CAP_ALL', 'cap_full', name.replace('_', '-'),
  ]);
}

const FLAG_SETS = ['e', 'i', 'p', 'ep', 'pe', 'eip', 'ipe', 'ie', 'ip', 'pi', 'eep', 'pp'];
const BAD_FLAGS = ['E', 'P', 'I', 'EP', 'eP', 'x', 'ex', 'a', 'e p', 'e,p', 'e='];
const SEPARATORS = [' ', ' ', ' ', '  ', '\t', '\n', ' \t ', '\v', '\f', '\r', '\r\n'];
const BAD_SEPARATORS = ['', ',', ';', '\u00a0'];

function validCapWord(rng: Rng): string {
  const r = int(rng, 20);
  if (r < 13) return randomCase(rng, pick(rng, CAP_NAMES));
  if (r < 15) return randomCase(rng, 'all');
  const value = int(rng, 64);
  return pick(rng, [String(value), `0x${value.toString(16)}`, `0X${value.toString(16).toUpperCase()}`, `0${value.toString(8)}`, '00', '0']);
}

/** One clause of text-formats §2.2; `fault` injects one near-miss of the given kind. */
function grammarClause(rng: Rng, fault: number): string {
  const r = int(rng, 10);
  const listed = r < 8 || fault === 1;
  let list = '';
  if (listed) {
    const words = Array.from({ length: 1 + int(rng, chance(rng, 0.8) ? 2 : 5) }, () => validCapWord(rng));
    if (fault === 1) words[int(rng, words.length)] = randomCapWord(rng);
    list = words.join(fault === 2 ? pick(rng, [',,', ', ', ' ,', ';', ',']) : ',');
    if (fault === 3) list = pick(rng, [',', '']) + list + pick(rng, [',', ' ,', '']);
  }
  const firstOps = listed ? ['=', '=', '+', '-', '=+', '=-'] : ['='];
  let op = pick(rng, firstOps);
  if (fault === 4) op = pick(rng, ['==', '+=', '=+', '=-', '+', '-', '', ':']);
  let flags = op === '=' && chance(rng, 0.15) ? '' : pick(rng, FLAG_SETS);
  if (fault === 5) flags = pick(rng, [...BAD_FLAGS, '']);
  let actions = op + flags;
  if (listed || fault === 6) {
    const chained = chance(rng, 0.3) ? 1 + int(rng, 3) : 0;
    for (let k = 0; k < chained; k++) actions += pick(rng, ['+', '-']) + (fault === 6 && k === 0 ? pick(rng, ['', ...BAD_FLAGS]) : pick(rng, FLAG_SETS));
    if (fault === 6 && chained === 0) actions += pick(rng, ['+', '-', '+e', '-p']);
  }
  return list + actions;
}

/**
 * Capability text from the grammar of text-formats §2.2: about half valid, the rest with
 * one near-miss (bad word, separator, operator, flag, chaining, or clause separator).
 */
export function grammarCapText(rng: Rng): string {
  const count = int(rng, 12) === 0 ? 0 : 1 + int(rng, 3);
  const fault = chance(rng, 0.45) ? 1 + int(rng, 7) : 0;
  const faultyClause = int(rng, Math.max(count, 1));
  let text = chance(rng, 0.15) ? pick(rng, SEPARATORS) : '';
  for (let k = 0; k < count; k++) {
    if (k > 0) text += fault === 7 && k === faultyClause ? pick(rng, BAD_SEPARATORS) : pick(rng, SEPARATORS);
    text += grammarClause(rng, k === faultyClause ? fault : 0);
  }
  if (chance(rng, 0.15)) text += pick(rng, SEPARATORS);
  return text;
}

const NOISE = '=+-eipEIPxa,_ \t0123456789!^%cap_chownkilALL\u00e9';

/** One random edit: insert, delete, replace or duplicate a char. */
export function mutate(rng: Rng, text: string): string {
  const pos = int(rng, text.length + 1);
  const ch = NOISE[int(rng, NOISE.length)]!;
  switch (int(rng, 4)) {
    case 0: return text.slice(0, pos) + ch + text.slice(pos);
    case 1: return text.slice(0, pos) + text.slice(pos + 1);
    case 2: return text.slice(0, pos) + ch + text.slice(pos + 1);
    default: return text.slice(0, pos) + text.slice(pos, pos + 3) + text.slice(pos);
  }
}

/**
 * Short strings over the characters that matter to the grammar, or (one time in three) over
 * every ASCII char 1..127 plus a few non-ASCII ones, so each C character class is exercised.
 */
export function noiseText(rng: Rng): string {
  let text = '';
  const length = int(rng, 12);
  const soup = chance(rng, 1 / 3);
  for (let k = 0; k < length; k++) {
    text += soup && chance(rng, 0.5)
      ? (chance(rng, 0.9) ? String.fromCharCode(1 + int(rng, 127)) : pick(rng, ['\u00e9', '\u00a0', '\u0085', '\u{1f600}', '\ufeff']))
      : NOISE[int(rng, NOISE.length)];
  }
  return text;
}

/** Capability text: grammar-made, mutated, or noise. */
export function randomCapText(rng: Rng): string {
  const r = int(rng, 20);
  if (r < 14) return grammarCapText(rng);
  if (r < 18) return mutate(rng, grammarCapText(rng));
  return noiseText(rng);
}

/** IAB text from the shape of text-formats §2.5, with near-misses. */
export function randomIABText(rng: Rng): string {
  const r = int(rng, 20);
  if (r >= 18) return noiseText(rng);
  const count = int(rng, 8) === 0 ? 0 : 1 + int(rng, 4);
  const entries: string[] = [];
  for (let k = 0; k < count; k++) {
    let prefix = '';
    const prefixes = chance(rng, 0.4) ? 0 : 1 + int(rng, 3);
    for (let j = 0; j < prefixes; j++) prefix += pick(rng, ['!', '^', '%']);
    const word = chance(rng, 0.9) ? randomCapWord(rng, false) : pick(rng, ['all', 'ALL', 'cap_chown=ep', '']);
    entries.push(prefix + word);
  }
  let text = entries.join(chance(rng, 0.92) ? ',' : pick(rng, [',,', ', ', ' ,', ';']));
  if (chance(rng, 0.08)) text = pick(rng, [',', ' ', '']) + text + pick(rng, [',', ' ', '!', '^%', '']);
  return r >= 15 ? mutate(rng, text) : text;
}

/** [I, A, NB] masks; sometimes A ⊄ I, sometimes bits ≥ kernelBits. */
export function randomIABMasks(rng: Rng, kernelBits: number): Triple {
  const triple: Triple = [0n, 0n, 0n];
  for (let v = 0; v < 3; v++) {
    triple[v] = chance(rng, 0.2) ? kernelMask(kernelBits) & ~randomBits(rng, int(rng, 6), kernelBits) : randomBits(rng, int(rng, 6), kernelBits);
  }
  if (chance(rng, 0.5)) triple[1] &= triple[0];
  if (kernelBits < 64 && chance(rng, 0.3)) triple[int(rng, 3)] |= randomBits(rng, 1 + int(rng, 3), 64, kernelBits);
  return triple;
}

/** Every sequence of up to `maxLength` tokens (deterministic, exhaustive near-miss coverage). */
export function allSequences(tokens: readonly string[], maxLength: number): string[] {
  const out: string[] = [''];
  let level: string[] = [''];
  for (let length = 1; length <= maxLength; length++) {
    level = level.flatMap((prefix) => tokens.map((token) => prefix + token));
    out.push(...level);
  }
  return out;
}

/** Tokens of capability text: every operator, flag, separator and kind of word, good and bad. */
export const CAP_TEXT_TOKENS = ['cap_chown', 'ALL', '=', '+', '-', 'e', 'p', 'i', 'E', ',', ' ', '\t', '0x15', '63', '64', '07', 'x', '_'];

/** Tokens of IAB text. */
export const IAB_TEXT_TOKENS = ['cap_chown', 'CAP_KILL', '!', '^', '%', ',', ' ', '0x15', '63', '64', 'all', '=', 'e', '_'];
