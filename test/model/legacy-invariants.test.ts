/**
 * Randomized runs of the legacy and VServer models: whatever sequence of syscalls is applied,
 * the invariants of kernel-semantics §3/§4 hold, refusals change nothing, and exec always
 * lands on the compact form of §3.5.
 */
import { describe, expect, it } from 'vitest';
import {
  legacyModel as L, vserverModel as V, type LegacySystem, type LegacyTransition,
} from '../../lib/internal.js';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s >>> 8) % n; };
}

const KERNELS = ['2.2', '2.4', '2.6.20', '2.6.22', '2.6.24'] as const;
const UIDS = [0, 0, 1000, 2000];

function randomMask(r: (n: number) => number, of: bigint): bigint {
  const roll = r(4);
  if (roll === 0) return 0n;
  if (roll === 1) return of;
  return BigInt(r(0x10000) | (r(0x10000) << 16)) & of;
}

const counts = new Map<string, [number, number]>();

function check(before: LegacySystem, t: LegacyTransition<unknown>, what: string): LegacySystem {
  const c = counts.get(what) ?? [0, 0];
  c[t.errno === undefined ? 0 : 1]++;
  counts.set(what, c);
  if (t.errno !== undefined) {
    expect(t.state, `${what} refused but changed the state`).toBe(before);
    expect(t.reason, `${what} refused without a reason`).toBeTruthy();
    expect(t.rule).toMatch(/^kernel-semantics §[345]/);
    return before;
  }
  for (const task of t.state.tasks) {
    const wide = [task.effective, task.permitted, task.inheritable].some((set) => set < 0n || set > L.ALL32);
    if (wide) expect.fail(`${what}: a set of pid ${task.pid} left 32 bits`);
    if (task.pid !== 1 && (task.effective & ~task.permitted) !== 0n) expect.fail(`${what}: E ⊄ P for pid ${task.pid}`);
  }
  if (t.state.capBound > L.ALL32) expect.fail(`${what}: cap-bound left 32 bits`);
  return t.state;
}

describe('randomized legacy runs keep the invariants', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: 3000 random syscalls`, () => {
      const r = rng(kernel.length * 7919 + kernel.charCodeAt(2));
      const vserver = kernel === '2.6.22';
      let sys = L.bootLegacy({ kernel, vserver, fileCapabilities: kernel === '2.6.24' && r(2) === 0, maskPolicy: r(2) ? 'bcaps' : 'upstream' });
      for (let i = 0; i < 5; i++) sys = L.forkTask(sys, 1).state;
      for (let step = 0; step < 3000; step++) {
        const pids = sys.tasks.map((t) => t.pid);
        const pid = pids[r(pids.length)]!;
        const before = sys;
        const task = L.findTask(sys, pid)!;
        switch (r(10)) {
          case 0: {
            const wild = r(4) === 0; // mostly requests the caller may make, sometimes anything
            const permitted = randomMask(r, wild ? L.ALL32 : task.permitted);
            const inheritable = randomMask(r, wild ? L.ALL32 : task.permitted | task.inheritable);
            const req = { pid: [0, 0, pid, pids[r(pids.length)]!, -1, -1 - r(3)][r(6)]!, effective: randomMask(r, permitted), permitted, inheritable };
            const t = L.capset(sys, pid, req);
            sys = check(before, t, 'capset');
            if (t.errno === undefined && (req.pid === 0 || req.pid === pid)) {
              expect(L.findTask(sys, pid)).toMatchObject({ effective: req.effective, permitted: req.permitted, inheritable: req.inheritable });
            }
            break;
          }
          case 1: {
            const mode = r(3) === 0 ? 0o4755 : 0o755;
            const unsafe = r(6) === 0;
            const t = L.execve(sys, pid, { uid: UIDS[r(UIDS.length)]!, mode, nosuid: r(5) === 0 }, { sharedState: unsafe });
            sys = check(before, t, 'execve');
            // An unsafe exec may keep euid 0 with E = {} (fE was decided before the downgrade, as in cap_bprm_apply_creds).
            if (t.errno === undefined && pid !== 1 && !sys.fileCapabilities && !unsafe) {
              const after = L.findTask(sys, pid)!;
              const v = vserver && after.xid ? V.findContext(sys, after.xid) : undefined;
              const bound = v ? v.capBset : sys.capBound;
              const rootish = after.euid === 0 || after.uid === 0;
              // §3.5 compact form (downgrades only ever intersect with the old P).
              if (rootish) expect(after.permitted & ~(bound | task.inheritable)).toBe(0n);
              else expect(after.permitted).toBe(0n);
              expect(after.effective).toBe(after.euid === 0 ? after.permitted : 0n);
              expect(after.keep).toBe(false);
            }
            break;
          }
          case 2: sys = check(before, L.setresuid(sys, pid, [-1, ...UIDS][r(5)]!, [-1, ...UIDS][r(5)]!, [-1, ...UIDS][r(5)]!), 'setresuid'); break;
          case 3: sys = check(before, L.setuid(sys, pid, UIDS[r(UIDS.length)]!), 'setuid'); break;
          case 4: sys = check(before, L.setfsuid(sys, pid, UIDS[r(UIDS.length)]!), 'setfsuid'); break;
          case 5: sys = check(before, L.setKeepCaps(sys, pid, r(3)), 'keepcaps'); break;
          case 6: {
            const t = L.writeCapBound(sys, pid, ['0', '128', '-257', '-1', 'x', ' 0x80 '][r(6)]!);
            if (t.errno === undefined && pid !== 1) expect(t.state.capBound & ~before.capBound).toBe(0n); // only init raises
            sys = check(before, t, 'cap-bound write');
            break;
          }
          case 7: if (sys.tasks.length < 12) sys = check(before, L.forkTask(sys, pid), 'fork'); break;
          case 8: {
            if (!vserver) break;
            const xid = 2 + r(3);
            const t = V.findContext(sys, xid) ? V.migrateTask(sys, pid, xid) : V.createContext(sys, pid, xid);
            sys = check(before, t, 'context');
            break;
          }
          default: {
            if (!vserver) break;
            const t = V.sysVserver(sys, pid, [V.VCMD.set_bcaps, V.VCMD.set_ccaps, V.VCMD.set_cflags, V.VCMD.get_bcaps][r(4)]!, 2 + r(3),
              { bcaps: randomMask(r, (1n << 64n) - 1n), bmask: (1n << 64n) - 1n, ccaps: 0x101n, cmask: 0xffn, flagword: 0n, mask: V.VXF_STATE_SETUP } as unknown as V.VserverCommandData);
            sys = check(before, t, 'sys_vserver');
          }
        }
      }
      expect(sys.tasks.length).toBeGreaterThan(5);
      // The run exercised both outcomes of the main syscalls.
      for (const what of ['capset', 'execve', 'setresuid', 'cap-bound write']) {
        const [good, bad] = counts.get(what) ?? [0, 0];
        expect(good, `${kernel} ${what} successes`).toBeGreaterThan(what === 'cap-bound write' ? 1 : 20);
        expect(bad, `${kernel} ${what} refusals`).toBeGreaterThan(kernel === '2.2' || what !== 'execve' ? 5 : -1);
      }
      counts.clear();
    });
  }
});
