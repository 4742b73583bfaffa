/**
 * One wire format for credential steps (issue 15): lib/backend/wire.ts WIRE_OPS and the C++ enum
 * in native/wire.h name the same steps with the same codes (kOp + the name in PascalCase), and
 * programs and launch plans put their operands in the same words.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CapSet, encodeSteps, WIRE_OPS } from '../../lib/internal.js';

const header = readFileSync(new URL('../../native/wire.h', import.meta.url), 'utf8');
const pascal = (name: string): string => name.split('.').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

describe('the wire format of credential steps', () => {
  it('native/wire.h has exactly the codes of WIRE_OPS, named kOp + PascalCase', () => {
    const cxx = [...header.matchAll(/^\s*kOp(\w+) = (\d+),/gm)].map((m) => [m[1], Number(m[2])]);
    expect(cxx).toEqual(Object.entries(WIRE_OPS).map(([name, code]) => [pascal(name), code]));
    expect(new Set(Object.values(WIRE_OPS)).size).toBe(Object.keys(WIRE_OPS).length);
  });

  it('puts code, arg and the three operands lo/hi where native/wire.h says, for programs and plans alike', () => {
    const e = CapSet.from(['cap_chown', 'cap_mac_admin']), p = CapSet.from(['cap_chown', 'cap_mac_admin', 'cap_kill']), i = CapSet.from(['cap_bpf']);
    const w = encodeSteps([
      { op: 'capset', effective: e, permitted: p, inheritable: i },
      { op: 'bounding.drop', cap: 21 },
      { op: 'keepCaps.set', on: true },
      { op: 'setresuid', id: 65534 },
      { op: 'raiseAll', inheritable: i },
      { op: 'raiseAll' },
      { op: 'noNewPrivs.set' },
    ]);
    const step = (k: number) => [...w.subarray(k * 8, k * 8 + 8)];
    expect(step(0)).toEqual([1, 0, 0x1, 0x2, 0x21, 0x2, 0, 0x80]); // E = chown|mac_admin(33), P adds kill(5), I = bpf(39)
    expect(step(1)).toEqual([2, 21, 0, 0, 0, 0, 0, 0]);
    expect(step(2)).toEqual([7, 1, 0, 0, 0, 0, 0, 0]);
    expect(step(3)).toEqual([16, 0, 65534, 0, 65534, 0, 65534, 0]);
    expect(step(4)).toEqual([18, 1, 0, 0, 0, 0, 0, 0x80]);
    expect(step(5)).toEqual([18, 0, 0, 0, 0, 0, 0, 0]);
    expect(step(6)).toEqual([8, 0, 0, 0, 0, 0, 0, 0]);
  });
});
