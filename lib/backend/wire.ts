/**
 * The wire format of credential steps (native/wire.h), one for programs (the broadcast runs them
 * on every thread) and launch plans (a child runs them between fork and exec): 8 u32 words a
 * step, `code, arg`, then three 64-bit operands lo/hi. WIRE_OPS spells each step once; the C++
 * enum is `kOp` + the same name in PascalCase (test/native/wire.test.ts holds them equal).
 * Pure: no I/O.
 */
import type { CredProgram, PlanOp } from '../vocabulary/types.js';

/** Every step's code. Programs take 1–13 (9–13: the broadcast's convergence prefix); launch plans take 1–8 and 14–18. */
export const WIRE_OPS = Object.freeze({
  capset: 1,
  'bounding.drop': 2,
  'ambient.raise': 3,
  'ambient.lower': 4,
  'ambient.clear': 5,
  'securebits.set': 6,
  'keepCaps.set': 7,
  'noNewPrivs.set': 8,
  'converge.securebits': 9,
  'converge.bounding': 10,
  'converge.caps': 11,
  'converge.ambient': 12,
  'converge.noNewPrivs': 13,
  setgroups: 14,
  setresgid: 15,
  setresuid: 16,
  chdir: 17,
  raiseAll: 18,
} as const);

export type WireOpName = keyof typeof WIRE_OPS;

const WORDS = 8;

/** Writes one step at index `k`: code, arg, and the operands a, b, c (u64 each, lo then hi). */
function put(words: Uint32Array, k: number, op: WireOpName, arg = 0, a = 0n, b = 0n, c = 0n): void {
  words.set([WIRE_OPS[op], arg >>> 0,
    Number(a & 0xffffffffn), Number((a >> 32n) & 0xffffffffn),
    Number(b & 0xffffffffn), Number((b >> 32n) & 0xffffffffn),
    Number(c & 0xffffffffn), Number((c >> 32n) & 0xffffffffn)], k * WORDS);
}

/** Steps (a program's or a launch plan's) as the addon takes them. */
export function encodeSteps(steps: readonly PlanOp[]): Uint32Array {
  const words = new Uint32Array(steps.length * WORDS);
  steps.forEach((s, k) => {
    switch (s.op) {
      case 'capset': put(words, k, s.op, 0, s.effective.toMask(), s.permitted.toMask(), s.inheritable.toMask()); break;
      case 'bounding.drop': case 'ambient.raise': case 'ambient.lower': put(words, k, s.op, s.cap); break;
      case 'securebits.set': put(words, k, s.op, s.bits); break;
      case 'keepCaps.set': put(words, k, s.op, s.on ? 1 : 0); break;
      case 'setresgid': case 'setresuid': {
        const id = BigInt(s.id >>> 0); // real, effective and saved alike
        put(words, k, s.op, 0, id, id, id);
        break;
      }
      case 'raiseAll': put(words, k, s.op, s.inheritable ? 1 : 0, 0n, 0n, s.inheritable?.toMask() ?? 0n); break;
      case 'ambient.clear': case 'noNewPrivs.set': case 'setgroups': case 'chdir': put(words, k, s.op); break;
    }
  });
  return words;
}

/** A program as the addon takes it. */
export function encodeProgram(program: CredProgram): Uint32Array {
  return encodeSteps(program);
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
  const words = new Uint32Array((t.noNewPrivs ? 5 : 4) * WORDS);
  put(words, 0, 'converge.securebits', t.securebits);
  put(words, 1, 'converge.bounding', 0, t.bounding);
  put(words, 2, 'converge.caps', 0, t.effective, t.permitted, t.inheritable);
  put(words, 3, 'converge.ambient', 0, t.ambient);
  if (t.noNewPrivs) put(words, 4, 'converge.noNewPrivs');
  return words;
}
