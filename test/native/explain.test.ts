/**
 * lib/operations/explain-errno.ts against the model's kernel rules (lib/model/modern/kernel.ts), on random
 * states and steps: the verification target (applyStep) must be the state the model commits,
 * and where the model refuses, our fallback reason must say the same thing. Pure: no kernel.
 */
import { describe, expect, it } from 'vitest';
import {
  CapSet, applyProgramStep as applyStep, explainRefusal, type CredState, applyStep as modelStep, createCred, createKernel, credOpToStep, type CredOp,
} from '../../lib/internal.js';

const LAST = 40;
const kernel = createKernel({ lastCap: LAST });

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 5, 8, 13, 21, 40];

function randomSet(r: () => number): CapSet {
  let m = 0n;
  for (const cap of INTERESTING) if (r() < 0.5) m |= 1n << BigInt(cap);
  return CapSet.fromMask(m);
}

function randomState(r: () => number): CredState {
  const permitted = randomSet(r);
  const inheritable = randomSet(r);
  const effective = permitted.intersect(randomSet(r));
  const ambient = permitted.intersect(inheritable).intersect(randomSet(r));
  const bounding = CapSet.full(LAST).minus(CapSet.fromMask(randomSet(r).toMask() & 0x2000n));
  const securebits = [0, 0x10, 0x20, 0x40, 0x9, 0x3, 0x1].at(Math.floor(r() * 7))!;
  return { effective, permitted, inheritable, bounding, ambient, securebits, noNewPrivs: r() < 0.3 };
}

function randomOp(r: () => number): CredOp {
  const cap = r() < 0.1 ? 63 : INTERESTING[Math.floor(r() * INTERESTING.length)]!;
  switch (Math.floor(r() * 8)) {
    case 0: return { op: 'capset', effective: randomSet(r), permitted: randomSet(r), inheritable: randomSet(r) };
    case 1: return { op: 'bounding.drop', cap };
    case 2: return { op: 'ambient.raise', cap };
    case 3: return { op: 'ambient.lower', cap };
    case 4: return { op: 'ambient.clear' };
    case 5: return { op: 'securebits.set', bits: [0, 0x1, 0x10, 0x20, 0x40, 0x1000, 0x100, 0x3].at(Math.floor(r() * 8))! };
    case 6: return { op: 'keepCaps.set', on: r() < 0.5 };
    default: return { op: 'noNewPrivs.set' };
  }
}

const hexOf = (s: CredState) => ({
  e: s.effective.toHex(), p: s.permitted.toHex(), i: s.inheritable.toHex(), b: s.bounding.toHex(), a: s.ambient.toHex(), sb: s.securebits, nnp: s.noNewPrivs,
});

describe('explain-errno against the model (pure)', () => {
  it('01 on 5,000 random (state, step) pairs: same committed state, and a reason wherever the model refuses', () => {
    const r = rng(20261128);
    let refusals = 0;
    for (let n = 0; n < 5000; n++) {
      const state = randomState(r);
      const op = randomOp(r);
      const cred = createCred(kernel, {
        effective: state.effective.toMask(), permitted: state.permitted.toMask(), inheritable: state.inheritable.toMask(),
        bounding: state.bounding.toMask(), ambient: state.ambient.toMask(), securebits: state.securebits, noNewPrivs: state.noNewPrivs,
      });
      const t = modelStep(kernel, cred, credOpToStep(op));
      const context = `case ${n}: ${JSON.stringify(hexOf(state))} ${JSON.stringify(op)}`;
      if (t.errno !== undefined) {
        refusals++;
        const ours = explainRefusal(state, op, t.errno, LAST);
        expect(ours, context).toBe(t.reason);
        continue;
      }
      const next = applyStep(state, op, LAST);
      const m = t.state;
      expect(hexOf(next), context).toEqual({
        e: CapSet.fromMask(m.effective).toHex(), p: CapSet.fromMask(m.permitted).toHex(), i: CapSet.fromMask(m.inheritable).toHex(),
        b: CapSet.fromMask(m.bounding).toHex(), a: CapSet.fromMask(m.ambient).toHex(), sb: m.securebits, nnp: m.noNewPrivs,
      });
    }
    expect(refusals).toBeGreaterThan(500);
  });
});
