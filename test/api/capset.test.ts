import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import {
  CapSet, CapsError,
} from '../../lib/index.js';

describe('CapSet', () => {
  it('builds from names, numbers and masks, and round-trips the mask', () => {
    const s = CapSet.of('cap_net_admin', 'NET_RAW');
    expect(s.toMask()).toBe(0x3000n);
    expect(CapSet.fromMask(0x3000n).equals(s)).toBe(true);
    expect(CapSet.from(['cap_net_admin', 13]).equals(s)).toBe(true);
    expect(CapSet.from(0x3000n).equals(s)).toBe(true);
    expect(CapSet.from(s)).toBe(s);
  });

  it('prints hex as /proc does and names as libcap does', () => {
    const s = CapSet.of(0, 41, 63);
    expect(s.toHex()).toBe('8000020000000001');
    expect(CapSet.fromHex('000001fffeffffff').size).toBe(40);
    expect(CapSet.fromHex('0x3000').toString()).toBe('cap_net_admin,cap_net_raw');
    expect(s.toString()).toBe('cap_chown,41,63');
    expect(JSON.stringify(s)).toBe('["cap_chown","41","63"]');
    expect(inspect(s)).toBe('CapSet(3) [cap_chown,41,63]');
    expect(CapSet.EMPTY.toString()).toBe('');
  });

  it('does set algebra without mutating', () => {
    const a = CapSet.of(1, 2, 3);
    const b = CapSet.of(3, 4);
    expect(a.union(b).toArray()).toEqual([1, 2, 3, 4]);
    expect(a.intersect(b).toArray()).toEqual([3]);
    expect(a.minus(b).toArray()).toEqual([1, 2]);
    expect(a.with(5).without(1).toArray()).toEqual([2, 3, 5]);
    expect(a.toArray()).toEqual([1, 2, 3]);
    expect(CapSet.of(3).isSubsetOf(a)).toBe(true);
    expect(b.isSubsetOf(a)).toBe(false);
    expect(a.has('cap_dac_override')).toBe(true);
    expect(a.has(0)).toBe(false);
  });

  it('iterates in ascending order and counts', () => {
    const s = CapSet.of(63, 0, 21, 40);
    expect([...s]).toEqual([0, 21, 40, 63]);
    expect(s.size).toBe(4);
    expect(CapSet.full(40).size).toBe(41);
    expect(CapSet.full().toMask()).toBe((1n << 64n) - 1n);
    expect(CapSet.EMPTY.isEmpty).toBe(true);
  });

  it('rejects bad input with CapsError', () => {
    expect(() => CapSet.fromMask(-1n)).toThrow(CapsError);
    expect(() => CapSet.fromMask(1n << 64n)).toThrow(CapsError);
    expect(() => CapSet.fromHex('xyz')).toThrow(/hex/);
    expect(() => CapSet.of('cap_nope' as never)).toThrow(/unknown capability/);
    expect(() => CapSet.from('cap_chown' as never)).toThrow(/capability set/);
    expect(() => CapSet.from(12 as never)).toThrow(CapsError);
  });
});
