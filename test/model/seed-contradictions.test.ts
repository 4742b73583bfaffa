/**
 * Statements of the seed thread that the kernel sources contradict or qualify
 * (kernel-semantics §5.3): each test states the claim and shows the model's answer.
 */
import { describe, expect, it } from 'vitest';
import {
  legacyModel as L, vserverModel as V, parseCaps, type LegacySystem, type LegacyTransition,
} from '../../lib/internal.js';

function ok<R>(t: LegacyTransition<R>): LegacyTransition<R> {
  if (t.errno !== undefined) throw new Error(`unexpected ${t.errno}: ${t.reason}`);
  return t;
}

function rootShell(sys: LegacySystem): [LegacySystem, number] {
  const c = ok(L.forkTask(sys, 1, 'bash'));
  return [ok(L.execve(c.state, c.result!, {})).state, c.result!];
}

const task = (sys: LegacySystem, pid: number): L.LegacyTask => L.findTask(sys, pid)!;

describe('seed statements the sources contradict (kernel-semantics §5.3)', () => {
  it('1. "Since keepcaps is still 1, exec doesn\'t muck with the capabilities" — it does: a non-root exec ends with P = {} and keep = 0', () => {
    for (const kernel of ['2.2', '2.4', '2.6.22', '2.6.24'] as const) {
      const [sys, shell] = rootShell(L.bootLegacy({ kernel }));
      let s = ok(L.setKeepCaps(sys, shell, 1)).state;
      s = ok(L.setresuid(s, shell, 1000, 1000, 1000)).state;
      expect(task(s, shell).permitted, kernel).toBe(L.NSP); // keepcaps did its job: P survived the uid change
      s = ok(L.capset(s, shell, { effective: [10], permitted: [10], inheritable: [] })).state;
      const after = ok(L.execve(s, shell, { name: 'daemon' }));
      expect(task(after.state, shell), kernel).toMatchObject({ permitted: 0n, effective: 0n, keep: false });
      expect(after.steps!.at(-1)!.reason).toMatch(/keep := 0/);
    }
  });

  it('1b. what does carry a capability across a non-root exec on these kernels: only fI ∩ I with file capabilities (2.6.24)', () => {
    const [sys, shell] = rootShell(L.bootLegacy({ kernel: '2.6.24', fileCapabilities: true }));
    let s = ok(L.capset(sys, shell, { effective: [7], permitted: L.ALL32 & ~0x100n, inheritable: [10] })).state;
    s = ok(L.setKeepCaps(s, shell, 1)).state;
    s = ok(L.setresuid(s, shell, 1000, 1000, 1000)).state;
    const t = ok(L.execve(s, shell, { fileCaps: { permitted: [], inheritable: [10], effective: true } }));
    expect(task(t.state, shell)).toMatchObject({ permitted: 1n << 10n, effective: 1n << 10n });
  });

  it('2. "exec … dumps -1 & cap-bound into the ep set regardless of the inherited set" — it is X ∪ I, at exec', () => {
    let sys = L.bootLegacy();
    sys = ok(L.capset(sys, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: [18] })).state;
    sys = ok(L.writeCapBound(sys, 1, '128')).state;
    const child = ok(L.forkTask(sys, 1));
    expect(task(child.state, child.result!).permitted).toBe(L.ALL32); // fork copies: nothing is dumped at creation
    const t = ok(L.execve(child.state, child.result!, {}));
    expect(task(t.state, child.result!).permitted).toBe(0x80n | (1n << 18n)); // X ∪ I, not X alone
    expect(t.steps!.find((x) => x.reason.startsWith("P'' ="))!.reason).toMatch(/fI ∩ I/);
  });

  it('3. "Moving from euid 0 to non-euid0 would DROP ep sets" — only E goes; P goes only when no uid stays 0 (and keep is off)', () => {
    const [sys, shell] = rootShell(L.bootLegacy());
    const euidOnly = ok(L.setresuid(sys, shell, -1, 1000, -1));
    expect(task(euidOnly.state, shell)).toMatchObject({ uid: 0, euid: 1000, effective: 0n, permitted: L.NSP });
    const back = ok(L.setresuid(euidOnly.state, shell, -1, 0, -1));
    expect(task(back.state, shell).effective).toBe(L.NSP); // E := P on the way back
    const allGone = ok(L.setresuid(sys, shell, 1000, 1000, 1000));
    expect(task(allGone.state, shell)).toMatchObject({ effective: 0n, permitted: 0n });
  });

  it('4. "= cap_setpcap-I" (S5) and "=eip cap_setpcap-I" (S6) cannot be literal libcap output', () => {
    expect(() => parseCaps('= cap_setpcap-I', { lastCap: 31 })).toThrow();
    expect(() => parseCaps('=eip cap_setpcap-I', { lastCap: 31 })).toThrow();
    expect(L.formatLegacyCaps({})).toBe('=');
    expect(L.formatLegacyCaps({ effective: L.ALL32, permitted: L.ALL32, inheritable: L.NSP })).toBe('=eip cap_setpcap-i');
  });

  it('5. "vx_cap_bset … is global" — each context keeps its own copy, taken at creation', () => {
    let sys = L.bootLegacy({ kernel: '2.6.22', vserver: true });
    const [s0, shell] = rootShell(sys);
    const a = ok(L.forkTask(s0, shell));
    sys = ok(V.createContext(a.state, a.result!, 10)).state;
    sys = ok(L.writeCapBound(sys, shell, '128')).state;
    const b = ok(L.forkTask(sys, shell));
    sys = ok(V.createContext(b.state, b.result!, 11)).state;
    expect(V.findContext(sys, 10)!.capBset).toBe(L.NSP);
    expect(V.findContext(sys, 11)!.capBset).toBe(0x80n);
    expect(sys.capBound).toBe(0x80n);
  });

  it('D. Hokka Zakrisson\'s "cap_bset lets the guest set cap-bound on its own": a guest write changes the global X, never its cap_bset', () => {
    let sys = L.bootLegacy({ kernel: '2.6.22', vserver: true });
    const [s0, shell] = rootShell(sys);
    const a = ok(L.forkTask(s0, shell));
    sys = ok(V.createContext(a.state, a.result!, 10)).state; // still in STATE_SETUP: raw E decides
    const t = ok(L.writeCapBound(sys, a.result!, '0'));
    expect(t.state.capBound).toBe(0n);
    expect(V.findContext(t.state, 10)!.capBset).toBe(L.NSP);
  });
});
