import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  CAP_NAMES, capFromName, tryCapFromName, capToName, lastCap, CapsError,
} from '../../lib/index.js';

describe('capability names', () => {
  it('has the 41 libcap names in kernel order', () => {
    expect(CAP_NAMES).toHaveLength(41);
    expect(CAP_NAMES[0]).toBe('cap_chown');
    expect(CAP_NAMES[21]).toBe('cap_sys_admin');
    expect(CAP_NAMES[40]).toBe('cap_checkpoint_restore');
  });

  it.each([
    ['cap_chown', 0], ['CAP_CHOWN', 0], ['Cap_Sys_Admin', 21], ['0', 0], ['00', 0], ['0x15', 21], ['010', 8],
    ['40', 40], ['63', 63], ['chown', 0], ['NET_RAW', 13], ['net_bind_service', 10], [13, 13],
  ])('capFromName(%j) = %i', (input, expected) => {
    expect(capFromName(input)).toBe(expected);
  });

  it.each(['64', '-1', '1e', '0x', 'cap_bogus', 'cap_chown2', '', ' cap_chown', 'all', 'CAP_', '08'])(
    'capFromName(%j) throws ERR_CAPS_UNKNOWN_CAP',
    (input) => {
      expect(tryCapFromName(input)).toBeUndefined();
      const err = (() => { try { capFromName(input); } catch (e) { return e; } })() as CapsError;
      expect(err).toBeInstanceOf(CapsError);
      expect(err.code).toBe('ERR_CAPS_UNKNOWN_CAP');
      expect(err.errno).toBe(-22);
      expect(err.message).toContain(JSON.stringify(input));
    },
  );

  it('rejects non-integer and out-of-range numbers', () => {
    for (const n of [-1, 64, 1.5, NaN]) expect(tryCapFromName(n)).toBeUndefined();
  });

  it('capToName prints decimal beyond the name table, like libcap', () => {
    expect(capToName(0)).toBe('cap_chown');
    expect(capToName(41)).toBe('41');
    expect(capToName(63)).toBe('63');
    expect(() => capToName(64)).toThrow(CapsError);
  });

  it('lastCap reads the kernel, or falls back to the table maximum', () => {
    let expected = 40;
    try { expected = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'ascii')); } catch { /* table max */ }
    expect(lastCap()).toBe(expected);
  });
});
