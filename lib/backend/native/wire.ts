/**
 * The addon's wire format for credential programs: 8 u32 words per step (native/README.md,
 * native/creds.h). Pure: no I/O.
 */
import type { CredOp, CredProgram } from '../../vocabulary/types.js';

const OP_CODES: Record<CredOp['op'], number> = {
  capset: 1,
  'bounding.drop': 2,
  'ambient.raise': 3,
  'ambient.lower': 4,
  'ambient.clear': 5,
  'securebits.set': 6,
  'keepcaps.set': 7,
  'nnp.set': 8,
};

const lo = (m: bigint): number => Number(m & 0xffffffffn);
const hi = (m: bigint): number => Number((m >> 32n) & 0xffffffffn);

/** The addon's encoding: 8 u32 words per step (native/README.md). */
export function encodeProgram(program: CredProgram): Uint32Array {
  const words = new Uint32Array(program.length * 8);
  program.forEach((op, i) => {
    const w = i * 8;
    words[w] = OP_CODES[op.op];
    switch (op.op) {
      case 'capset': {
        const e = op.effective.toMask(), p = op.permitted.toMask(), inh = op.inheritable.toMask();
        words[w + 2] = lo(e); words[w + 3] = hi(e);
        words[w + 4] = lo(p); words[w + 5] = hi(p);
        words[w + 6] = lo(inh); words[w + 7] = hi(inh);
        break;
      }
      case 'bounding.drop': case 'ambient.raise': case 'ambient.lower': words[w + 1] = op.cap; break;
      case 'securebits.set': words[w + 1] = op.bits >>> 0; break;
      case 'keepcaps.set': words[w + 1] = op.on ? 1 : 0; break;
      default: break;
    }
  });
  return words;
}

/** The absolute per-thread state a convergence prefix brings every thread to. */
export interface ConvergenceTarget {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  bounding: bigint;
  ambient: bigint;
  securebits: number;
  noNewPrivs: boolean;
}

/**
 * The broadcast's prefix (native/README.md, codes 9–13): on every other thread, first make
 * securebits, bounding, E/P/I, ambient and no_new_privs equal to the caller's, each a no-op
 * where they already are; then the program runs on equal threads. Order: securebits and
 * bounding while cap_setpcap may still be in E, then capset, then ambient (needs P and I).
 */
export function encodeConvergence(t: ConvergenceTarget): Uint32Array {
  const steps: Array<[number, number, bigint, bigint, bigint]> = [
    [9, t.securebits >>> 0, 0n, 0n, 0n],
    [10, 0, t.bounding, 0n, 0n],
    [11, 0, t.effective, t.permitted, t.inheritable],
    [12, 0, t.ambient, 0n, 0n],
  ];
  if (t.noNewPrivs) steps.push([13, 0, 0n, 0n, 0n]);
  const words = new Uint32Array(steps.length * 8);
  steps.forEach(([code, arg, e, p, i], k) => {
    words.set([code, arg, lo(e), hi(e), lo(p), hi(p), lo(i), hi(i)], k * 8);
  });
  return words;
}
