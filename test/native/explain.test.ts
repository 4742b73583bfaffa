/**
 * lib/operations/explain-errno.ts asks the model (lib/model/modern) instead of restating its rules
 * (issue 15): on random states and steps, the verification target (predictSteps) is the state the
 * model commits, and a refused step's error carries the model's reason and rule. This checks the
 * glue between a thread's CredState and the model's Cred (masks, securebits, no_new_privs). Pure.
 */
import { describe, expect, it } from 'vitest';
import { prng } from '../helpers/prng.js';
import {
  CapSet, predictSteps, refusalError, type CredState, applyStep as modelStep, createCred, createKernel, credOpToStep, type CredOp,
} from '../../lib/internal.js';

const LAST = 40;
const kernel = createKernel({ lastCap: LAST });
const rng = prng;

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

describe('explain-errno asks the model (pure)', () => {
  it('01 on 5,000 random (state, step) pairs: the model\'s committed state, and its reason and rule wherever it refuses', () => {
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
        expect(predictSteps(state, [op], LAST), context).toBeUndefined();
        const err = refusalError([op], { index: 0, errno: t.errno }, state, LAST);
        expect({ errno: err.errno, reason: err.reason, rule: err.rule }, context).toEqual({ errno: -Math.abs(t.errno), reason: t.reason, rule: t.rule });
        continue;
      }
      const next = predictSteps(state, [op], LAST)!;
      const m = t.state;
      expect(hexOf(next), context).toEqual({
        e: CapSet.fromMask(m.effective).toHex(), p: CapSet.fromMask(m.permitted).toHex(), i: CapSet.fromMask(m.inheritable).toHex(),
        b: CapSet.fromMask(m.bounding).toHex(), a: CapSet.fromMask(m.ambient).toHex(), sb: m.securebits, nnp: m.noNewPrivs,
      });
    }
    expect(refusals).toBeGreaterThan(500);
  });

  it('02 a program: the state before a refused step explains it; a start state the model does not take predicts nothing', () => {
    const full = CapSet.full(LAST);
    const root: CredState = { effective: full, permitted: full, inheritable: CapSet.EMPTY, bounding: full, ambient: CapSet.EMPTY, securebits: 0, noNewPrivs: false };
    const program: CredOp[] = [
      { op: 'capset', effective: CapSet.EMPTY, permitted: CapSet.from(['cap_kill']), inheritable: CapSet.EMPTY },
      { op: 'bounding.drop', cap: 21 },
    ];
    expect(predictSteps(root, program, LAST, 1)?.permitted.names()).toEqual(['cap_kill']);
    expect(predictSteps(root, program, LAST)).toBeUndefined();
    const err = refusalError(program, { index: 1, errno: -1 }, root, LAST);
    expect(err).toMatchObject({ code: 'EPERM', syscall: 'prctl', op: 'PR_CAPBSET_DROP', cap: 'cap_sys_admin' });
    expect(err.reason).toMatch(/cap_setpcap/);
    const newer = { ...root, securebits: 0x1000 };
    expect(predictSteps(newer, program, LAST, 1)).toBeUndefined();
    expect(refusalError(program, { index: 1, errno: -1 }, newer, LAST).reason).toBeUndefined();
  });
});
