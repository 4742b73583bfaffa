// kernel-semantics §2.5 (lines 137–162): every capability prctl, its errno precedence, the 6.14+ securebits exception.
import { describe, expect, it } from 'vitest';
import {
  prctl, createKernel,
} from '../../lib/internal.js';
import { CAP, K, VM, b, root, user } from './model-helpers.js';

const noSetpcap = root({ effective: VM & ~b(CAP.setpcap) });

describe('PR_CAPBSET_READ / PR_CAPBSET_DROP (lines 141–142)', () => {
  it.each([
    ['READ of a cap in B → 1', root(), 23, CAP.net_raw, undefined, 1],
    ['READ of a cap not in B → 0', root(), 23, CAP.sys_resource, undefined, 0],
    ['READ of cap LAST+1 → EINVAL', root(), 23, 41, -22, undefined],
    ['READ of -1 (unsigned: huge) → EINVAL', root(), 23, -1, -22, undefined],
    ['READ needs no capability', user(1000), 23, 0, undefined, 1],
    ['DROP without SETPCAP → EPERM', noSetpcap, 24, CAP.net_raw, -1, undefined],
    ['DROP: EPERM is checked before validity', noSetpcap, 24, 99, -1, undefined],
    ['DROP of an invalid cap with SETPCAP → EINVAL', root(), 24, 41, -22, undefined],
    ['DROP of an absent cap succeeds', root(), 24, CAP.sys_resource, undefined, 0],
  ])('%s', (_n, cred, option, cap, errno, result) => {
    const t = prctl(K, cred, option, cap);
    expect(t.errno).toBe(errno);
    expect(t.result).toBe(result);
  });
  it('DROP removes from B only (P, E, I, A untouched)', () => {
    const c = root({ inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw) });
    const t = prctl(K, c, 24, CAP.net_raw);
    expect(t.state.bounding).toBe(VM & ~b(CAP.net_raw));
    expect([t.state.permitted, t.state.effective, t.state.inheritable, t.state.ambient]).toEqual([VM, VM, b(CAP.net_raw), b(CAP.net_raw)]);
  });
  it('lastCap is the kernel\'s: cap 40 is invalid on a kernel with 40 caps', () => {
    const k39 = createKernel({ lastCap: 39 });
    expect(prctl(k39, root({ bounding: VM & ((1n << 40n) - 1n), permitted: 0n, effective: 0n }), 23, 40).errno).toBe(-22);
  });
});

describe('PR_SET_SECUREBITS (line 144) and its 6.14+ exception', () => {
  it.each([
    ['plain set with SETPCAP', root(), 0x10, undefined],
    ['all 12 bits on 6.18 (0xfff valid, line 157)', root(), 0xfff, undefined],
    ['0x1000 is unknown → EPERM, not EINVAL (line 157)', root(), 0x1000, -1],
    ['(a) a locked bit would change', root({ securebits: 0x2 }), 0x3, -1],
    ['(b) a lock would be cleared', root({ securebits: 0x2 }), 0x0, -1],
    ['lock while its bit is 0 freezes it at 0 (line 159)', root({ securebits: 0x2 }), 0x2, undefined],
    ['(d) no SETPCAP → EPERM', noSetpcap, 0x10, -1],
    ['6.14+: exec bits only, no SETPCAP → OK', noSetpcap, 0x100, undefined],
    ['6.14+: exec locks only, no SETPCAP → OK', noSetpcap, 0xa00, undefined],
    ['6.14+: exec bit plus another bit, no SETPCAP → EPERM', noSetpcap, 0x110, -1],
    ['6.14+: a no-op change without SETPCAP is still EPERM', noSetpcap, 0x0, -1],
    ['a no-op with SETPCAP is fine', root(), 0x0, undefined],
  ])('%s', (_n, cred, value, errno) => {
    const t = prctl(K, cred, 28, value);
    expect(t.errno).toBe(errno);
    if (errno === undefined) expect(t.state.securebits).toBe(value);
  });
  it('without the 6.14 exception (an older kernel), exec bits need SETPCAP too', () => {
    const old = createKernel({ execBitsWithoutSetpcap: false, securebitsMask: 0xff });
    expect(prctl(old, noSetpcap, 28, 0x100).errno).toBe(-1);
    expect(prctl(old, root(), 28, 0x100).errno).toBe(-1); // unknown bit there
    expect(prctl(old, root(), 28, 0xff).errno).toBeUndefined();
  });
  it('PR_GET_SECUREBITS returns the word', () => {
    expect(prctl(K, root({ securebits: 0x2f }), 27).result).toBe(0x2f);
  });
});

describe('PR_SET_KEEPCAPS / PR_GET_KEEPCAPS (lines 145–146)', () => {
  it.each([
    ['1 without any capability', user(1000), 1, undefined, 0x10],
    ['0 clears', root({ securebits: 0x10 }), 0, undefined, 0],
    ['2 → EINVAL', root(), 2, -22, 0],
    ['-1 (unsigned) → EINVAL', root(), -1, -22, 0],
    ['locked → EPERM', root({ securebits: 0x20 }), 1, -1, 0x20],
    ['EINVAL is checked before the lock', root({ securebits: 0x20 }), 5, -22, 0x20],
  ])('%s', (_n, cred, v, errno, sb) => {
    const t = prctl(K, cred, 8, v);
    expect(t.errno).toBe(errno);
    expect(t.state.securebits).toBe(sb);
  });
  it('GET reports bit 4', () => {
    expect(prctl(K, root({ securebits: 0x10 }), 7).result).toBe(1);
    expect(prctl(K, root(), 7).result).toBe(0);
  });
});

describe('PR_CAP_AMBIENT (line 147)', () => {
  const ok = root({ inheritable: b(CAP.net_raw, CAP.kill) });
  it.each([
    ['CLEAR_ALL', ok, [4, 0, 0, 0], undefined, 0],
    ['CLEAR_ALL with a stray cap → EINVAL', ok, [4, 1, 0, 0], -22, undefined],
    ['RAISE of cap in P ∩ I', ok, [2, CAP.net_raw, 0, 0], undefined, 0],
    ['RAISE of cap not in I → EPERM', ok, [2, CAP.sys_admin, 0, 0], -1, undefined],
    ['RAISE of cap not in P → EPERM', root({ permitted: 0n, effective: 0n, inheritable: b(CAP.net_raw) }), [2, CAP.net_raw, 0, 0], -1, undefined],
    ['RAISE with NO_CAP_AMBIENT_RAISE → EPERM', root({ inheritable: b(CAP.net_raw), securebits: 0x40 }), [2, CAP.net_raw, 0, 0], -1, undefined],
    ['RAISE invalid cap → EINVAL before EPERM', user(1000), [2, 41, 0, 0], -22, undefined],
    ['a4 ≠ 0 → EINVAL', ok, [2, CAP.net_raw, 1, 0], -22, undefined],
    ['a5 ≠ 0 → EINVAL', ok, [3, CAP.net_raw, 0, 1], -22, undefined],
    ['unknown op with a valid cap → EINVAL', ok, [9, CAP.net_raw, 0, 0], -22, undefined],
    ['unknown op with an invalid cap → EINVAL (validity first)', ok, [9, 77, 0, 0], -22, undefined],
    ['LOWER always succeeds', user(1000), [3, CAP.net_raw, 0, 0], undefined, 0],
    ['IS_SET → 0', ok, [1, CAP.net_raw, 0, 0], undefined, 0],
    ['IS_SET → 1', root({ inheritable: b(CAP.net_raw), ambient: b(CAP.net_raw) }), [1, CAP.net_raw, 0, 0], undefined, 1],
  ])('%s', (_n, cred, [op, cap, a4, a5], errno, result) => {
    const t = prctl(K, cred, 47, op, cap, a4, a5);
    expect(t.errno).toBe(errno);
    expect(t.result).toBe(result);
  });
  it('RAISE then LOWER changes only A', () => {
    const raised = prctl(K, ok, 47, 2, CAP.net_raw).state;
    expect(raised.ambient).toBe(b(CAP.net_raw));
    expect(prctl(K, raised, 47, 3, CAP.net_raw).state.ambient).toBe(0n);
  });
  it('the reason names the missing set', () => {
    expect(prctl(K, ok, 47, 2, CAP.sys_admin).reason).toBe('ambient raise needs the cap in P and I: cap_sys_admin is not in I');
  });
});

describe('no_new_privs (lines 148–149)', () => {
  it.each([
    ['(1,0,0,0) sets it', [1, 0, 0, 0], undefined],
    ['(0,…) → EINVAL (it cannot be cleared)', [0, 0, 0, 0], -22],
    ['(2,…) → EINVAL', [2, 0, 0, 0], -22],
    ['a stray arg → EINVAL', [1, 0, 1, 0], -22],
  ])('%s', (_n, [a2, a3, a4, a5], errno) => {
    const t = prctl(K, user(1000), 38, a2, a3, a4, a5);
    expect(t.errno).toBe(errno);
    expect(t.state.noNewPrivs).toBe(errno === undefined);
  });
  it('GET reads it; any arg → EINVAL', () => {
    expect(prctl(K, user(1000, { noNewPrivs: true }), 39).result).toBe(1);
    expect(prctl(K, user(1000), 39, 1).errno).toBe(-22);
  });
  it('an option outside the model is EINVAL', () => {
    expect(prctl(K, root(), 9999).errno).toBe(-22);
  });
});
