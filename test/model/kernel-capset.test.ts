// kernel-semantics §2.3 (lines 96–114): capget/capset, checks in the kernel's order.
import { describe, expect, it } from 'vitest';
import {
  capget, capset, applyStep, CAPABILITY_VERSION_1, CAPABILITY_VERSION_2, CAPABILITY_VERSION_3,
} from '../../lib/internal.js';
import { CAP, K, VM, b, root, user } from './model-helpers.js';

describe('capset errno precedence (§2.3 lines 105–114)', () => {
  const limited = root({ effective: b(CAP.net_raw), permitted: b(CAP.net_raw, CAP.kill), inheritable: 0n });
  it.each([
    // [name, cred, header, E', P', I', errno, rule]
    ['bad version → EINVAL before the pid check (line 98)', limited, { version: 0x1234, pid: 99 }, 0n, 0n, 0n, -22, '§2.3'],
    ['another pid → EPERM (line 106)', limited, { pid: 99, selfTid: 42 }, 0n, 0n, 0n, -1, '§2.3.1'],
    ['3a: I\' ⊄ I ∪ P without SETPCAP (line 110)', limited, {}, 0n, 0n, b(CAP.sys_admin), -1, '§2.3.3a'],
    ['3b: I\' ⊄ I ∪ B even with SETPCAP (line 111)', root(), {}, 0n, 0n, b(CAP.sys_resource), -1, '§2.3.3b'],
    ['3a before 3b: both fail, 3a reported', limited, {}, 0n, 0n, b(CAP.sys_resource), -1, '§2.3.3a'],
    ['3c: P\' ⊄ P (line 112)', limited, {}, 0n, b(CAP.sys_admin), 0n, -1, '§2.3.3c'],
    ['3b before 3c', root({ permitted: VM, effective: VM }), {}, 0n, FULLp(), b(CAP.sys_resource), -1, '§2.3.3b'],
    ['3d: E\' ⊄ P\' (line 113)', limited, {}, b(CAP.kill), b(CAP.net_raw), 0n, -1, '§2.3.3d'],
    ['3c before 3d', limited, {}, b(CAP.sys_admin), b(CAP.sys_admin), 0n, -1, '§2.3.3c'],
  ])('%s', (_name, cred, header, e, p, i, errno, rule) => {
    const t = capset(K, cred, header, e, p, i);
    expect(t.errno).toBe(errno);
    expect(t.rule).toContain(rule);
    expect(t.state).toBe(cred);
  });
  function FULLp(): bigint { return VM | b(CAP.sys_resource); }

  it('explains which capability broke the rule, by name', () => {
    const t = capset(K, root(), {}, 0n, 0n, b(CAP.sys_resource));
    expect(t.reason).toBe("I' ⊄ I ∪ B: cap_sys_resource is not in the bounding set");
  });

  it('own tid counts as self (line 106)', () => {
    const t = capset(K, root(), { pid: 42, selfTid: 42 }, 0n, 0n, 0n);
    expect(t.errno).toBeUndefined();
  });

  it('SETPCAP lets I grow beyond P but within B (line 110–111)', () => {
    const c = root({ effective: b(CAP.setpcap), permitted: b(CAP.setpcap) });
    const t = capset(K, c, {}, b(CAP.setpcap), b(CAP.setpcap), b(CAP.sys_admin));
    expect(t.errno).toBeUndefined();
    expect(t.state.inheritable).toBe(b(CAP.sys_admin));
  });
});

describe('capset commit (§2.3 lines 107, 114)', () => {
  it('A := A ∩ P\' ∩ I\'', () => {
    const c = root({ inheritable: b(CAP.net_raw, CAP.kill), ambient: b(CAP.net_raw, CAP.kill) });
    const t = capset(K, c, {}, 0n, b(CAP.net_raw, CAP.kill), b(CAP.net_raw));
    expect(t.state.ambient).toBe(b(CAP.net_raw));
    expect(t.state.effective).toBe(0n);
  });
  it('bits above LAST are silently cleared', () => {
    const t = capset(K, root(), {}, 1n << 50n, (1n << 50n) | b(1), 0n);
    expect(t.errno).toBeUndefined();
    expect(t.state.permitted).toBe(b(1));
    expect(t.state.effective).toBe(0n);
  });
  it('V1 supplies only caps 0–31: the upper word becomes 0', () => {
    const t = capset(K, root(), { version: CAPABILITY_VERSION_1 }, VM, VM, 0n);
    expect(t.errno).toBeUndefined();
    expect(t.state.permitted).toBe(VM & 0xffffffffn);
  });
  it.each([CAPABILITY_VERSION_2, CAPABILITY_VERSION_3])('version 0x%s carries 64 bits', (version) => {
    const t = capset(K, root(), { version }, VM, VM, 0n);
    expect(t.state.permitted).toBe(VM);
  });
});

describe('capget (§2.3 lines 96–103)', () => {
  const other = user(1000, { permitted: b(CAP.net_raw, 40), effective: b(40) });
  const resolve = (pid: number) => (pid === 7 ? other : undefined);
  it.each([
    ['unknown version → EINVAL, header rewritten to V3', { version: 1 }, -22, 0x20080522],
    ['probe (data NULL) with unknown version → 0, header rewritten', { version: 1, probe: true }, undefined, 0x20080522],
    ['probe with a good version → 0, header kept', { version: CAPABILITY_VERSION_3, probe: true }, undefined, undefined],
    ['negative pid → EINVAL', { pid: -1 }, -22, undefined],
    ['unknown pid → ESRCH', { pid: 8 }, -3, undefined],
  ])('%s', (_n, header, errno, headerVersion) => {
    const t = capget(root(), header, resolve);
    expect(t.errno).toBe(errno);
    expect(t.headerVersion).toBe(headerVersion);
  });
  it('reads another task without privilege; V1 returns the low 32 bits only', () => {
    const me = user(5);
    expect(capget(me, { pid: 7 }, resolve).result).toEqual({ effective: b(40), permitted: b(CAP.net_raw, 40), inheritable: 0n });
    expect(capget(me, { pid: 7, version: CAPABILITY_VERSION_1 }, resolve).result).toEqual({ effective: 0n, permitted: b(CAP.net_raw), inheritable: 0n });
  });
  it('is reachable through applyStep', () => {
    expect(applyStep(K, root(), { op: 'capget' }).result).toEqual({ effective: VM, permitted: VM, inheritable: 0n });
  });
});
