// explain(): every step's rule, before/after, errno and reason as data; formatExplanation for people.
import { describe, expect, it } from 'vitest';
import {
  explain, formatExplanation, model,
} from '../../lib/index.js';
import { CAP, VM, b } from './model-helpers.js';

describe('explain a credential program', () => {
  const x = explain({ permitted: VM, effective: VM, bounding: VM }, [
    { op: 'bounding.drop', caps: [CAP.net_raw] },
    { op: 'set', effective: 0n, permitted: 0n, inheritable: b(CAP.net_raw) },
    { op: 'keepCaps.set', on: true },
    { op: 'setuid', uid: 1000 },
  ]);
  it('records one entry per step with its spec rule', () => {
    expect(x.steps.map((s) => s.op)).toEqual(['prctl PR_CAPBSET_DROP', 'capset', 'prctl PR_SET_KEEPCAPS', 'setuid']);
    expect(x.steps.every((s) => s.rule.startsWith('kernel-semantics §'))).toBe(true);
  });
  it('a refused step carries errno and reason; the state is unchanged and later steps still run', () => {
    const s = x.steps[1]!;
    expect(s.errno).toBe(-1);
    expect(s.reason).toBe("I' ⊄ I ∪ B: cap_net_raw is not in the bounding set");
    expect(s.after).toBe(s.before);
    expect(x.firstError).toBe(1);
    expect(x.result.uid).toBe(1000);
  });
  it('changes list the capabilities added and removed per set', () => {
    expect(x.steps[0]!.changes).toEqual([{ field: 'bounding', before: VM, after: VM & ~b(CAP.net_raw), added: [], removed: [CAP.net_raw] }]);
    const setuid = x.steps[3]!;
    expect(setuid.changes.map((c) => c.field)).toEqual(['effective', 'uid', 'euid', 'suid', 'fsuid']);
    expect(setuid.reason).toContain('KEEP_CAPS keeps P');
  });
  it('stopOnError stops at the first refusal', () => {
    const y = explain({}, [{ op: 'prctl', option: 24, arg2: 99 }, { op: 'setuid', uid: 5 }], { stopOnError: true });
    expect(y.steps).toHaveLength(1);
    expect(y.result.uid).toBe(0);
  });
  it('formats for people with capability names', () => {
    const text = formatExplanation(x);
    expect(text).toContain('1. prctl(PR_CAPBSET_DROP, cap_net_raw) → 0');
    expect(text).toContain('bounding: − cap_net_raw');
    // Cites what ships with every system (man page, kernel function), not the project's notes.
    expect(text).toContain('EPERM (-1)   [capget(2); security/commoncap.c cap_capset()]');
    expect(text).not.toContain('kernel-semantics');
    expect(x.steps.every((s) => s.source.length > 0 && !s.source.includes('kernel-semantics'))).toBe(true);
    expect(text).toContain('effective:   {}');
  });
});

describe('explain an exec', () => {
  it('says what exec of a file with given caps and modes gives', () => {
    const x = explain({ uid: 1000, gid: 1000 }, [{
      op: 'execve',
      file: { path: '/usr/bin/ping', uid: 0, gid: 0, mode: 0o755, xattr: { version: 2, permitted: b(CAP.net_raw), inheritable: 0n, effective: true, rootid: 0 } },
    }]);
    const s = x.steps[0]!;
    expect(s.result).toMatchObject({ atSecure: true });
    expect(x.result.effective).toBe(b(CAP.net_raw));
    expect(formatExplanation(x)).toContain('execve(/usr/bin/ping: mode 0755, owner 0:0, file caps v2 P=cap_net_raw I={} +e) → 0, AT_SECURE=1');
  });
  it('explainExec is the one-step shorthand', () => {
    const x = model.explainExec({ uid: 1000 }, { path: '/bin/su', uid: 0, gid: 0, mode: 0o4755 });
    expect(x.result.euid).toBe(0);
    expect(x.steps[0]!.changes.map((c) => c.field)).toEqual(['effective', 'permitted', 'euid', 'suid', 'fsuid']);
    expect(formatExplanation(x)).toContain('permitted: + ');
  });
  it('pre-2025 kernels are one option away', () => {
    const start = { uid: 1000, euid: 2000, permitted: b(CAP.net_raw), inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw) };
    const exec = [{ op: 'execve' as const, file: { path: '/bin/true', uid: 0, gid: 0, mode: 0o755 } }];
    expect(explain(start, exec).result.ambient).toBe(b(CAP.net_raw));
    expect(explain(start, exec, { kernel: { version: 'pre-2025' } }).result.ambient).toBe(0n);
  });
  it('bad input is a CapsError before anything runs', () => {
    expect(() => explain({}, [{ op: 'nope' } as never])).toThrow(/model step/);
    expect(() => explain({ permitted: 0n, effective: 1n }, [])).toThrow(/E ⊆ P/);
    expect(() => model.createKernel({ version: '5.0' as never })).toThrow(/kernel version/);
  });
});

describe('explain takes the steps caps.apply takes (issue 24 §2)', () => {
  it('a caps.apply program explains as the one-syscall steps caps.apply runs', () => {
    const steps = [
      { op: 'set', effective: ['cap_setpcap', 'cap_net_raw'], permitted: ['cap_setpcap', 'cap_net_raw'], inheritable: ['cap_net_raw'] },
      { op: 'ambient.raise', caps: ['cap_net_raw'] },
      { op: 'securebits.set', bits: ['keep_caps', 'no_cap_ambient_raise'] },
      { op: 'bounding.drop', caps: ['cap_sys_admin', 'cap_sys_module'] },
      { op: 'noNewPrivs.set' },
    ] as const;
    const x = explain({ permitted: VM, effective: VM, bounding: VM }, steps);
    expect(x.steps.map((s) => s.op)).toEqual([
      'capset', 'prctl PR_CAP_AMBIENT_RAISE', 'prctl PR_SET_SECUREBITS', 'prctl PR_CAPBSET_DROP', 'prctl PR_CAPBSET_DROP', 'prctl PR_SET_NO_NEW_PRIVS',
    ]);
    expect(x.firstError).toBeUndefined();
    expect(x.result.ambient).toBe(b(CAP.net_raw));
    expect(x.result.securebits).toBe(0x50);
    expect(() => explain({}, [{ op: 'bounding.drop', caps: ['cap_nope' as never] }])).toThrow(expect.objectContaining({ code: 'ERR_CAPS_UNKNOWN_CAP' }));
  });
});
