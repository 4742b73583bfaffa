/**
 * kernelBits ≠ the running kernel's: libcap is run under the fake-kernel-bits LD_PRELOAD shim,
 * which answers prctl(PR_CAPBSET_READ, n) as a kernel with that many capabilities would, so
 * libcap's constructor sizes itself to it (text-formats §2.4). Our functions get the same
 * number as `kernelBits`; every output must match.
 */
import { describe, expect, it } from 'vitest';
import {
  CAP_NAMES, formatCaps, formatIAB, parseCaps, parseIAB,
} from '../../lib/index.js';
import { missing } from '../helpers/env.js';
import { oracleRequirements } from '../oracle/build.js';
import { compareFormatCaps, compareFormatIAB, compareParseCaps, compareParseIAB, type Comparison } from '../oracle/compare.js';
import { makeRng, randomCapText, randomIABMasks, randomIABText, randomTriple, textSeed } from '../oracle/generators.js';
import { libcapMaxBits, libcapMaxBitsPrctlOnly, libcapParseCaps, libcapParseIAB } from '../oracle/libcap.js';

const skip = missing(oracleRequirements());
const seed = textSeed();

const caps = (text: string, kernelBits: number) => formatCaps(parseCaps(text, { lastCap: kernelBits - 1 }), { lastCap: kernelBits - 1 });
const iab = (text: string, kernelBits: number) => formatIAB(parseIAB(text, { lastCap: kernelBits - 1 }), { lastCap: kernelBits - 1 });

/** §2.4, observed with the shim on Debian's libcap 2.66: [kernelBits, input, output]. */
const CAPS_VECTORS: [number, string, string][] = [
  // Kernel behind the library (last cap 37): the gperf build still knows newer names.
  [38, 'cap_bpf=p', '= cap_bpf+p'],
  [38, '=ep 38+i', '=ep cap_perfmon+i'],
  [38, 'all=p', '=p'],
  [38, 'cap_checkpoint_restore,cap_chown=ep', 'cap_chown=ep cap_checkpoint_restore+ep'],
  // Kernel ahead of the library (last cap 44): numbers for the caps without a name.
  [45, 'all=p', '=p'],
  [45, `${CAP_NAMES.join(',')}=p`, '=p 41,42,43,44-p'],
  [45, '41=p', '41=p'],
  [45, 'cap_chown,43=ep', 'cap_chown,43=ep'],
  [45, '=ep 50+i', '=ep 50+i'],
];

const IAB_VECTORS: [number, string, string][] = [
  [45, '^43,cap_chown', 'cap_chown,^43'],
  [45, '!44,!45', '!44'],
  [38, '^cap_bpf,cap_chown', 'cap_chown'],
];

describe('§2.4 vectors: kernel and library of different sizes', () => {
  it.each(CAPS_VECTORS)('kernelBits %i: %j → %j', (kernelBits, input, expected) => {
    expect(caps(input, kernelBits)).toBe(expected);
  });

  it.each(IAB_VECTORS)('IAB, kernelBits %i: %j → %j', (kernelBits, input, expected) => {
    expect(iab(input, kernelBits)).toBe(expected);
  });
});

function report(what: string, result: Comparison): void {
  console.log(`${what}: ${result.total} inputs (seed ${seed}), libcap accepted ${result.accepted}, rejected ${result.rejected}, ${result.differences.length} differences`);
  expect(result.differences.slice(0, 20)).toEqual([]);
}

describe.skipIf(skip)('against libcap 2.66 under the fake-kernel-bits shim', () => {
  it('the §2.4 vectors are what libcap prints under the shim', () => {
    for (const bits of [38, 45]) {
      const capsVectors = CAPS_VECTORS.filter(([b]) => b === bits);
      expect(libcapParseCaps(capsVectors.map(([, input]) => input), bits).map((a) => (a.ok ? a.text : 'EINVAL')))
        .toEqual(capsVectors.map(([, , expected]) => expected));
      const iabVectors = IAB_VECTORS.filter(([b]) => b === bits);
      expect(libcapParseIAB(iabVectors.map(([, input]) => input), bits).map((a) => (a.ok ? a.text : 'EINVAL')))
        .toEqual(iabVectors.map(([, , expected]) => expected));
    }
  });

  it("libcap's constructor probes through libc's prctl(): hooking prctl alone is enough", () => {
    expect(libcapMaxBitsPrctlOnly(38)).toBe(38);
    expect(libcapMaxBitsPrctlOnly(45)).toBe(45);
  });

  describe.each([38, 45])('kernelBits %i', (kernelBits) => {
    it('libcap believes the shim', () => {
      expect(libcapMaxBits(kernelBits)).toBe(kernelBits);
    });

    it('formatCaps = cap_to_text on 4,000 random triples', () => {
      const rng = makeRng(seed + kernelBits * 16);
      const triples = Array.from({ length: 4_000 }, () => randomTriple(rng, kernelBits));
      report(`formatCaps/${kernelBits}`, compareFormatCaps(triples, kernelBits));
    });

    it('parseCaps = cap_from_text on 4,000 strings', () => {
      const rng = makeRng(seed + kernelBits * 16 + 1);
      const texts = Array.from({ length: 4_000 }, () => randomCapText(rng));
      const result = compareParseCaps(texts, kernelBits);
      report(`parseCaps/${kernelBits}`, result);
      expect(result.accepted).toBeGreaterThanOrEqual(result.total / 4);
      expect(result.rejected).toBeGreaterThanOrEqual(result.total / 4);
    });

    it('parseIAB and formatIAB = libcap on 1,500 strings and 1,500 vectors', () => {
      const rng = makeRng(seed + kernelBits * 16 + 2);
      const texts = Array.from({ length: 1_500 }, () => randomIABText(rng));
      report(`parseIAB/${kernelBits}`, compareParseIAB(texts, kernelBits, true));
      const iabs = Array.from({ length: 1_500 }, () => randomIABMasks(rng, kernelBits));
      report(`formatIAB/${kernelBits}`, compareFormatIAB(iabs, kernelBits, true));
    });
  });

  it.each([1, 31, 32, 33, 63, 64])('edge sizes: kernelBits %i, 1,000 triples and 1,000 strings', (kernelBits) => {
    const rng = makeRng(seed + kernelBits * 16 + 3);
    report(`formatCaps/${kernelBits}`, compareFormatCaps(Array.from({ length: 1_000 }, () => randomTriple(rng, kernelBits)), kernelBits));
    report(`parseCaps/${kernelBits}`, compareParseCaps(Array.from({ length: 1_000 }, () => randomCapText(rng)), kernelBits));
  });
});
