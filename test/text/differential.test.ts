/**
 * Differential tests: formatCaps/parseCaps/parseIAB/formatIAB against libcap 2.66 itself
 * (a C oracle linked with -lcap), on thousands of seeded random inputs, on the running
 * kernel's size. Zero differences allowed. Reproduce a run with LINUX_CAPS_TEXT_SEED=<seed>.
 */
import { describe, expect, it } from 'vitest';
import {
  lastCap,
} from '../../lib/index.js';
import { missing } from '../helpers/env.js';
import { oracleRequirements } from '../oracle/build.js';
import { compareFormatCaps, compareFormatIAB, compareParseCaps, compareParseIAB, type Comparison } from '../oracle/compare.js';
import {
  allSequences, CAP_TEXT_TOKENS, IAB_TEXT_TOKENS, makeRng, randomCapText, randomIABMasks, randomIABText, randomTriple, textSeed,
} from '../oracle/generators.js';
import { libcapMaxBits } from '../oracle/libcap.js';

const skip = missing(oracleRequirements());
const seed = textSeed();
const kernelBits = lastCap() + 1;

function report(what: string, result: Comparison): void {
  console.log(`${what}: ${result.total} inputs (seed ${seed}), libcap accepted ${result.accepted}, rejected ${result.rejected}, ${result.differences.length} differences`);
  expect(result.differences.slice(0, 20)).toEqual([]);
}

describe.skipIf(skip)(`libcap 2.66 differential, running kernel (${kernelBits} caps), seed ${seed}`, () => {
  it('libcap sizes itself like lastCap() + 1', () => {
    expect(libcapMaxBits()).toBe(kernelBits);
  });

  it('formatCaps = cap_to_text on 12,000 random triples (sparse, dense, near-uniform, ties, beyond-kernel bits)', () => {
    const rng = makeRng(seed);
    const triples = Array.from({ length: 12_000 }, () => randomTriple(rng, kernelBits));
    report('formatCaps', compareFormatCaps(triples));
  });

  it('parseCaps = cap_from_text on 12,000 random and grammar-made strings, a quarter at least accepted and rejected', () => {
    const rng = makeRng(seed + 1);
    const texts = Array.from({ length: 12_000 }, () => randomCapText(rng));
    const result = compareParseCaps(texts);
    report('parseCaps', result);
    expect(result.accepted).toBeGreaterThanOrEqual(result.total / 4);
    expect(result.rejected).toBeGreaterThanOrEqual(result.total / 4);
  });

  it('parseIAB = cap_iab_from_text on 3,000 strings, a quarter at least accepted and rejected', () => {
    const rng = makeRng(seed + 2);
    const texts = Array.from({ length: 3_000 }, () => randomIABText(rng));
    const result = compareParseIAB(texts, kernelBits, false);
    report('parseIAB', result);
    expect(result.accepted).toBeGreaterThanOrEqual(result.total / 4);
    expect(result.rejected).toBeGreaterThanOrEqual(result.total / 4);
  });

  it('parseIAB keeps every bit up to 63 like libcap (read through a 64-cap fake kernel, where libcap shows them all)', () => {
    const rng = makeRng(seed + 2);
    const texts = Array.from({ length: 3_000 }, () => randomIABText(rng));
    report('parseIAB, 64 visible bits', compareParseIAB(texts, 64, true));
  });

  it(`parseCaps = cap_from_text on every sequence of up to 4 of ${CAP_TEXT_TOKENS.length} tokens`, () => {
    report('parseCaps, exhaustive', compareParseCaps(allSequences(CAP_TEXT_TOKENS, 4)));
  });

  it(`parseIAB = cap_iab_from_text on every sequence of up to 4 of ${IAB_TEXT_TOKENS.length} tokens`, () => {
    report('parseIAB, exhaustive', compareParseIAB(allSequences(IAB_TEXT_TOKENS, 4), kernelBits, false));
  });

  it('formatIAB = cap_iab_to_text on 3,000 random vectors (A ⊄ I, bits beyond the kernel)', () => {
    const rng = makeRng(seed + 3);
    const iabs = Array.from({ length: 3_000 }, () => randomIABMasks(rng, kernelBits));
    report('formatIAB', compareFormatIAB(iabs, kernelBits, false));
  });
});
