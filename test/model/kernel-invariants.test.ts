// kernel-semantics §2.1 invariants over random programs: after every transition A ⊆ P ∩ I, E ⊆ P,
// all sets ⊆ VALID, a refused step leaves the state untouched (same object), and every result
// names a spec rule. Seeded, so a failure replays.
import { describe, expect, it } from 'vitest';
import {
  applyStep, createCred, createKernel, KERNEL_PRE_2025, type Cred, type KernelConfig, type ModelStep,
} from '../../lib/internal.js';
import { K } from './model-helpers.js';
import { prng } from '../helpers/prng.js';

function randomStep(r: () => number, c: Cred): ModelStep {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cap = () => pick([0, 1, 5, 7, 8, 13, 21, 24, 31, 40, 41, -1]);
  const mask = () => pick([0n, c.permitted, c.effective, c.inheritable, c.permitted & ~(1n << 8n), 1n << 13n, (1n << 41n) - 1n, c.bounding]);
  const id = () => pick([-1, 0, 1000, 2000, 65534]);
  switch (Math.floor(r() * 12)) {
    case 0: return { op: 'capset', effective: mask(), permitted: mask(), inheritable: mask(), version: pick([undefined, 0x19980330, 0x20080522, 7]) };
    case 1: return { op: 'prctl', option: 24, arg2: cap() };
    case 2: return { op: 'prctl', option: 47, arg2: pick([1, 2, 3, 4, 9]), arg3: cap() };
    case 3: return { op: 'prctl', option: 28, arg2: pick([0, 0x10, 0x2f, 0x100, 0x4, 0x14, 0x40, 0xfff, 0x1000]) };
    case 4: return { op: 'prctl', option: 8, arg2: pick([0, 1, 2]) };
    case 5: return { op: 'setresuid', ruid: id(), euid: id(), suid: id() };
    case 6: return { op: 'setuid', uid: id() };
    case 7: return { op: 'setfsuid', fsuid: id() };
    case 8: return { op: 'setreuid', ruid: id(), euid: id() };
    case 9: return { op: 'prctl', option: 38, arg2: 1 };
    case 10: return { op: 'unshare-user' };
    default: return {
      op: 'execve',
      file: {
        path: '/f', uid: pick([0, 1000]), gid: 0, mode: pick([0o755, 0o4755, 0o2755, 0o6711]),
        xattr: pick([undefined, { version: 2 as const, permitted: 1n << 13n, inheritable: 1n << 5n, effective: r() < 0.5, rootid: 0 }]),
      },
    };
  }
}

describe.each([['6.18', K], ['pre-2025', KERNEL_PRE_2025], ['lastCap 39', createKernel({ lastCap: 39 })]] as Array<[string, KernelConfig]>)('%s', (_name, kernel) => {
  it.each([1, 2, 3])('seed %i: 3000 random steps keep the invariants', (seed) => {
    const r = prng(seed * 7919);
    const valid = (1n << BigInt(kernel.lastCap + 1)) - 1n;
    let c = createCred(kernel);
    for (let i = 0; i < 3000; i++) {
      if (i % 200 === 0) c = createCred(kernel, r() < 0.5 ? {} : { uid: 1000, inheritable: 1n << 13n });
      const step = randomStep(r, c);
      const t = applyStep(kernel, c, step);
      const s = t.state;
      const where = () => `seed ${seed} step ${i} ${JSON.stringify(step, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`;
      const broken = !/^kernel-semantics §2\.[2-8]/.test(t.rule) ? `rule ${t.rule}`
        : t.errno !== undefined && (s !== c || t.errno >= 0) ? 'a refusal changed the state'
        : (s.ambient & ~(s.permitted & s.inheritable)) !== 0n ? 'A ⊄ P ∩ I'
        : (s.effective & ~s.permitted) !== 0n ? 'E ⊄ P'
        : [s.effective, s.permitted, s.inheritable, s.bounding, s.ambient].some((m) => (m & ~valid) !== 0n) ? 'a set beyond VALID'
        : undefined;
      if (broken) expect.fail(`${broken}: ${where()}`);
      c = s;
    }
  });
});
