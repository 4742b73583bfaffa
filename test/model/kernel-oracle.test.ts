// The model against the running kernel for the spec points this task must show (kernel-semantics
// §2.4 no-op rule, §2.5 6.14+ securebits exception, §2.6 history switch on 6.18, §2.8 userns reset):
// test/model/oracle/probe.c runs each scenario in a fresh root child with raw syscalls; the model
// starts from the state the probe observed and must predict every errno and the final state.
// (The randomized differential harness, scripts/differential, covers the rest.)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyStep, createCred, KERNEL_6_18 as K, PR_GET_DUMPABLE, PR_SET_DUMPABLE, unshareUserNs, type Cred, type ModelStep,
} from '../../lib/internal.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = missing({ linux: isLinux, root: isRoot, gcc: hasCommand('gcc') });

interface Observed { steps: Map<string, number>; returns: Map<string, number>; states: string[][] }
let observed: Map<string, Observed>;
let dir: string;

beforeAll(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'linux-caps-model-oracle-'));
  const exe = join(dir, 'probe');
  execFileSync('gcc', ['-O1', '-o', exe, join(__dirname, 'oracle', 'probe.c')]);
  // uid 1000 re-executes the probe (dumpable after exec): the folder must be searchable, and one
  // copy executable but not readable (would_dump).
  chmodSync(dir, 0o755);
  const unreadable = join(dir, 'probe-unreadable');
  copyFileSync(exe, unreadable);
  chmodSync(unreadable, 0o711);
  const out = execFileSync(exe, [unreadable], { encoding: 'utf8', timeout: 30_000 });
  observed = new Map();
  for (const line of out.trim().split('\n')) {
    const [scenario, kind, ...rest] = line.split(' ');
    const o: Observed = observed.get(scenario!) ?? { steps: new Map(), returns: new Map(), states: [] };
    observed.set(scenario!, o);
    if (kind === 'step') o.steps.set(rest[0]!, Number(rest[1]) < 0 ? -Number(rest[2]) : 0);
    if (kind === 'step') o.returns.set(rest[0]!, Number(rest[1]));
    else o.states.push(rest);
  }
}, 60_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const mask = (hex: string) => BigInt(`0x${hex}`);
function credOf(s: string[]): Cred {
  const [inh, prm, eff, bnd, amb, uid, euid, suid, fsuid, sb] = s;
  return createCred(K, {
    inheritable: mask(inh!), permitted: mask(prm!), effective: mask(eff!), bounding: mask(bnd!), ambient: mask(amb!),
    uid: Number(uid), euid: Number(euid), suid: Number(suid), fsuid: Number(fsuid), securebits: Number(sb),
  });
}
const view = (c: Cred) => [c.inheritable, c.permitted, c.effective, c.bounding, c.ambient].map((m) => m.toString(16).padStart(16, '0'));
const hexOf = (s: string[]) => s.slice(0, 5);

/**
 * Runs named model steps from the observed start; checks each errno against the kernel's, and
 * what PR_GET_DUMPABLE returned.
 */
function replay(name: string, steps: Array<[string, ModelStep | ((c: Cred) => ModelStep)]>): Cred {
  const o = observed.get(name)!;
  let cred = credOf(o.states[0]!);
  for (const [stepName, step] of steps) {
    const s = typeof step === 'function' ? step(cred) : step;
    const t = applyStep(K, cred, s);
    expect({ step: stepName, errno: t.errno ?? 0 }).toEqual({ step: stepName, errno: o.steps.get(stepName) });
    if (s.op === 'prctl' && s.option === PR_GET_DUMPABLE) {
      expect({ step: stepName, dumpable: t.result }).toEqual({ step: stepName, dumpable: o.returns.get(stepName) });
    }
    cred = t.state;
  }
  return cred;
}

describe.skipIf(skip)('model vs kernel (oracle: test/model/oracle/probe.c, root child)', () => {
  it('§2.5: without CAP_SETPCAP only a non-empty change of the exec bits passes (6.14+)', () => {
    const c = replay('securebits', [
      ['capset-no-setpcap', (x) => ({ op: 'capset', effective: x.permitted & ~(1n << 8n), permitted: x.permitted, inheritable: 0n })],
      ['set-0x100', { op: 'prctl', option: 28, arg2: 0x100 }],
      ['set-0x100-again', { op: 'prctl', option: 28, arg2: 0x100 }],
      ['set-0x110', { op: 'prctl', option: 28, arg2: 0x110 }],
      ['set-0xa00', { op: 'prctl', option: 28, arg2: 0xb00 }],
    ]);
    const end = observed.get('securebits')!.states[1]!;
    expect(view(c)).toEqual(hexOf(end));
    expect(c.securebits).toBe(Number(end[9]));
  });

  it('§2.6 history switch: uid 1000 / euid 2000 keeps its ambient set across a plain exec on 6.18', () => {
    const before = replay('ambient_exec', [
      ['keepcaps', { op: 'prctl', option: 8, arg2: 1 }],
      ['setresuid', { op: 'setresuid', ruid: 1000, euid: 2000, suid: 2000 }],
      ['capset', { op: 'capset', effective: 1n << 13n, permitted: 1n << 13n, inheritable: 1n << 13n }],
      ['ambient-raise', { op: 'prctl', option: 47, arg2: 2, arg3: 13 }],
    ]);
    const after = applyStep(K, before, { op: 'execve', file: { path: '/bin/cat', uid: 0, gid: 0, mode: 0o755 } }).state;
    const seen = observed.get('ambient_exec_after')!.states[0]!;
    expect(view(after)).toEqual(hexOf(seen));
    expect([after.uid, after.euid, after.suid, after.fsuid]).toEqual(seen.slice(5, 9).map(Number));
    expect(after.ambient).toBe(1n << 13n);
  });

  it('§2.8: unshare(CLONE_NEWUSER) resets P = E = B = FULL, I = A = {}, securebits = 0; ids read 65534', () => {
    const c = replay('userns', [
      ['securebits-0x2f', { op: 'prctl', option: 28, arg2: 0x2f }],
      ['capset-inh', (x) => ({ op: 'capset', effective: x.effective, permitted: x.permitted, inheritable: 1n << 5n })],
      ['unshare', { op: 'unshare-user' }],
    ]);
    const end = observed.get('userns')!.states[1]!;
    expect(view(c)).toEqual(hexOf(end));
    expect(c.securebits).toBe(Number(end[9]));
    expect(Number(end[5])).toBe(65534);
  });

  it.each([
    ['setns_owner_no_caps', 'euid 0 with E = {} owns the child namespace: allowed', [
      ['capset-E-empty', (x: Cred) => ({ op: 'capset', effective: 0n, permitted: x.permitted, inheritable: 0n })],
    ]],
    ['setns_other_euid_no_caps', 'euid 1000 with E = {}: EPERM', [
      ['setresuid-euid-1000', { op: 'setresuid', ruid: -1, euid: 1000, suid: -1 }],
    ]],
    ['setns_other_euid_full_caps', 'euid 1000 with cap_sys_admin in E (in the parent): allowed', [
      ['setresuid-euid-1000', { op: 'setresuid', ruid: -1, euid: 1000, suid: -1 }],
      ['capset-E-full', (x: Cred) => ({ op: 'capset', effective: x.permitted, permitted: x.permitted, inheritable: 0n })],
    ]],
  ] as Array<[string, string, Array<[string, ModelStep | ((c: Cred) => ModelStep)]>]>)('§2.2/§2.8 setns: %s — %s', (name, _what, steps) => {
    // The holder process (root, full E) created the namespace: owner kuid 0.
    const target = unshareUserNs(K, credOf(observed.get(name)!.states[0]!)).state.ns;
    const c = replay(name, [...steps, ['setns', { op: 'setns-user', ns: target }]]);
    const end = observed.get(name)!.states[1]!;
    expect(view(c)).toEqual(hexOf(end));
  });

  it('§2.4: setresuid(-1, euid, -1) with fsuid ≠ euid is no no-op (fsuid reset, FS caps not restored)', () => {
    const c = replay('fsuid_noop', [
      ['setfsuid-5', { op: 'setfsuid', fsuid: 5 }],
      ['setresuid-noop-args', { op: 'setresuid', ruid: -1, euid: 0, suid: -1 }],
      ['setfsuid-5-again', { op: 'setfsuid', fsuid: 5 }],
      ['setresuid-true-noop', { op: 'setresuid', ruid: 0, euid: -1, suid: 0 }],
    ]);
    const end = observed.get('fsuid_noop')!.states[1]!;
    expect(view(c)).toEqual(hexOf(end));
    expect([c.uid, c.euid, c.suid, c.fsuid]).toEqual(end.slice(5, 9).map(Number));
  });

  describe('§2.9 dumpable (issue 16)', () => {
    const getDumpable: ModelStep = { op: 'prctl', option: PR_GET_DUMPABLE };
    const setDumpable = (v: number): ModelStep => ({ op: 'prctl', option: PR_SET_DUMPABLE, arg2: v });
    const map = (outside: number) => [{ inside: 0, outside, count: 1 }];

    it('setresuid(1000) clears dumpable; the new namespace cannot open its uid_map (EACCES) until PR_SET_DUMPABLE 1', () => {
      const c = replay('dumpable_map', [
        ['setresuid-1000', { op: 'setresuid', ruid: 1000, euid: 1000, suid: 1000 }],
        ['get-dumpable', getDumpable],
        ['unshare', { op: 'unshare-user' }],
        ['get-dumpable-in-ns', getDumpable],
        ['write-uid-map', { op: 'write-uid-map', extents: map(1000) }],
        ['set-dumpable-1', setDumpable(1)],
        ['write-uid-map-dumpable', { op: 'write-uid-map', extents: map(1000) }],
      ]);
      expect(c.ns.uidMap).toEqual(map(1000));
    });

    it('gid_map of the initial namespace after the drop: EACCES at open, not EPERM', () => {
      replay('dumpable_gid_map_init', [
        ['setresuid-1000', { op: 'setresuid', ruid: 1000, euid: 1000, suid: 1000 }],
        ['write-gid-map', { op: 'write-gid-map', extents: map(0) }],
      ]);
    });

    it('PR_SET_DUMPABLE takes 0 or 1; lowering P keeps the flag, a new fsuid or gid clears it', () => {
      replay('dumpable_prctl', [
        ['set-dumpable-2', setDumpable(2)],
        ['set-dumpable-0', setDumpable(0)],
        ['get-after-set-0', getDumpable],
        ['set-dumpable-1', setDumpable(1)],
        ['capset-lower', (x) => ({ op: 'capset', effective: x.permitted & ~(1n << 13n), permitted: x.permitted & ~(1n << 13n), inheritable: 0n })],
        ['get-after-capset', getDumpable],
        ['setfsuid-5', { op: 'setfsuid', fsuid: 5 }],
        ['get-after-setfsuid', getDumpable],
        ['setfsuid-0', { op: 'setfsuid', fsuid: 0 }],
        ['set-dumpable-1-again', setDumpable(1)],
        ['setresgid-7', { op: 'setresgid', rgid: 7, egid: 7, sgid: 7 }],
        ['get-after-setresgid', getDumpable],
      ]);
    });

    it.each([
      ['dumpable_exec_seteuid', 'euid 1000 ≠ uid 0 before the exec: not dumpable', 0o755, [
        ['setresuid-euid-1000', { op: 'setresuid', ruid: -1, euid: 1000, suid: -1 }],
      ]],
      ['dumpable_exec_setresuid', 'uid = euid = 1000: dumpable again', 0o755, [
        ['setresuid-1000', { op: 'setresuid', ruid: 1000, euid: 1000, suid: 1000 }],
      ]],
      ['dumpable_exec_unreadable', 'a binary uid 1000 may run but not read (0711): not dumpable', 0o711, [
        ['setresuid-1000', { op: 'setresuid', ruid: 1000, euid: 1000, suid: 1000 }],
        ['set-dumpable-1', setDumpable(1)],
      ]],
    ] as Array<[string, string, number, Array<[string, ModelStep]>]>)('exec: %s — %s', (name, _what, mode, steps) => {
      const before = replay(name, steps);
      const after = applyStep(K, before, { op: 'execve', file: { path: '/proc/self/exe', uid: 0, gid: 0, mode } });
      expect(after.errno).toBeUndefined();
      expect(after.state.dumpable).toBe(observed.get(name)!.returns.get('dumpable-after-exec'));
    });
  });

  it('user namespaces nest 33 deep; the 34th unshare is ENOSPC, as the kernel answers', () => {
    const o = observed.get('userns_nesting')!;
    let c = credOf(o.states[0]!);
    for (let level = 1; level <= 34; level++) {
      const t = applyStep(K, c, { op: 'unshare-user' });
      expect({ level, errno: t.errno ?? 0 }).toEqual({ level, errno: o.steps.get(`unshare-${level}`) });
      if (t.errno !== undefined) break;
      c = applyStep(K, t.state, { op: 'write-uid-map', extents: [{ inside: 0, outside: 0, count: 1 }] }).state;
      c = applyStep(K, c, { op: 'write-setgroups', value: 'deny' }).state;
      c = applyStep(K, c, { op: 'write-gid-map', extents: [{ inside: 0, outside: 0, count: 1 }] }).state;
    }
    expect(o.steps.get('unshare-34')).toBe(-28);
  });
});
