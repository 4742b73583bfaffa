/**
 * The libcap text functions through the public API: shapes, inputs, options, error details
 * and round trips. (Byte-for-byte agreement with libcap itself is proven by
 * test/text/differential.test.ts and test/text/vectors.test.ts against the C library.)
 */
import { describe, expect, it } from 'vitest';
import {
  CapSet, CapsError, formatCaps, formatIAB, lastCap, parseCaps, parseIAB, type CapSetTriple, type IAB,
} from '../../lib/index.js';

function parseFailure(run: () => unknown): CapsError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CapsError);
    return err as CapsError;
  }
  throw new Error('expected a parse error');
}

describe('parseCaps', () => {
  it('returns three CapSets', () => {
    const caps: CapSetTriple = parseCaps('cap_net_bind_service,cap_net_raw=ep cap_setuid+i', { lastCap: 40 });
    expect(caps.effective).toBeInstanceOf(CapSet);
    expect(caps.effective.names()).toEqual(['cap_net_bind_service', 'cap_net_raw']);
    expect(caps.permitted.toMask()).toBe(0x2400n);
    expect(caps.inheritable.names()).toEqual(['cap_setuid']);
  });

  it('reads the 2008 form, numbers in every base and caps beyond the kernel', () => {
    expect(parseCaps('= cap_sys_chroot+eip cap_setuid+ep', { lastCap: 40 }).inheritable.names()).toEqual(['cap_sys_chroot']);
    expect(parseCaps('0x15,010,00,63=p', { lastCap: 40 }).permitted.toArray()).toEqual([0, 8, 21, 63]);
    expect(parseCaps('all=p', { lastCap: 40 }).permitted.equals(CapSet.full(40))).toBe(true);
    expect(parseCaps('=p', { lastCap: 63 }).permitted.toMask()).toBe((1n << 64n) - 1n);
  });

  it('covers the running kernel by default', () => {
    expect(parseCaps('=e').effective.equals(CapSet.full(lastCap()))).toBe(true);
  });

  it.each([
    ['cap_chown=EP', 10, "'E'", 'lower case'],
    ['+ep', 0, "'+'", 'capability list'],
    ['cap_bogus=e', 0, "the unknown capability name 'cap_bogus'", 'capability name'],
    ['chown=ep', 0, "the unknown capability name 'chown'", 'libcap takes full names: cap_chown'],
    ['cap_chown,NET_RAW=ep', 10, "the unknown capability name 'NET_RAW'", 'libcap takes full names: cap_net_raw'],
    ['cap_chown,=e', 10, "'='", "after ','"],
    ['64=p', 0, "'6'", 'below 64'],
    ['cap_chown=ep cap_setpcap', 24, 'end of text', "'='"],
    ['=+ep', 1, "'+'", 'need a capability list'],
    ['cap_chown+e-', 12, 'end of text', 'a flag'],
    ['cap_chown2=e', 9, "'2'", "','"],
    ['=ep+i', 3, "'+'", 'need a capability list'],
    ['cap_chown=e\0', 11, 'a NUL character', 'NUL'],
  ])('rejects %j at offset %i (found %s, expected …%s…)', (text, offset, found, expected) => {
    const err = parseFailure(() => parseCaps(text, { lastCap: 40 }));
    expect(err.code).toBe('ERR_CAPS_PARSE');
    expect(err.errno).toBe(-22);
    expect(err.offset).toBe(offset);
    expect(err.expected).toContain(expected);
    expect(err.message).toContain(`offset ${offset}`);
    expect(err.message).toContain(`found ${found}`);
    expect(err.message).toContain(err.expected!);
  });
});

describe('NUL characters (C would stop reading there; we refuse)', () => {
  it.each(['=ep cap_setuid+i cap_setpcap-ep', 'cap_chown,0x15=+ep-i', 'all=p', '= 41+p'])('refuses %j with a NUL at any position', (text) => {
    for (let at = 0; at <= text.length; at++) {
      const withNul = `${text.slice(0, at)}\0${text.slice(at)}`;
      const err = parseFailure(() => parseCaps(withNul, { lastCap: 40 }));
      expect(err.code).toBe('ERR_CAPS_PARSE');
      expect(err.offset).toBeLessThanOrEqual(at);
    }
  });

  it.each(['!cap_chown,^cap_kill', 'cap_chown,', '%0x15'])('refuses IAB %j with a NUL at any position', (text) => {
    for (let at = 0; at <= text.length; at++) {
      const withNul = `${text.slice(0, at)}\0${text.slice(at)}`;
      const err = parseFailure(() => parseIAB(withNul));
      expect(err.code).toBe('ERR_CAPS_PARSE');
      expect(err.offset).toBeLessThanOrEqual(at);
    }
  });
});

describe('non-ASCII text', () => {
  it.each([
    ['\u00e9', 0], ['cap_chown=e\u00e9', 11], ['cap_chown=\u00e9p', 10], ['cap_\u00e7hown=e', 0],
    ['=ep \u{1f600}', 4], ['cap_chown=ep\u00a0cap_kill=p', 12], ['all\u00e9=p', 3],
  ])('refuses %j at offset %i, naming the char', (text, offset) => {
    const err = parseFailure(() => parseCaps(text, { lastCap: 40 }));
    expect(err.offset).toBe(offset);
    expect(err.message).toContain(`found '${String.fromCodePoint(text.codePointAt(offset)!)}'`);
  });

  it('refuses non-ASCII in IAB text at its offset', () => {
    expect(parseFailure(() => parseIAB('cap_chown,\u00e9')).offset).toBe(10);
    expect(parseFailure(() => parseIAB('!\u{1f600}')).offset).toBe(1);
  });
});

describe('long texts', () => {
  it('parses a 100,000-clause text and still reads short ones after it', () => {
    const long = Array.from({ length: 100_000 }, (_, k) => `${k % 41}+${'eip'[k % 3]}`).join(' ');
    const caps = parseCaps(long, { lastCap: 40 });
    expect(caps.effective.equals(CapSet.full(40))).toBe(true);
    expect(formatCaps(caps, { lastCap: 40 })).toBe('=eip');
    expect(parseCaps('cap_kill=p', { lastCap: 40 }).permitted.names()).toEqual(['cap_kill']);
    expect(parseFailure(() => parseCaps(`${long} cap_chown=x`, { lastCap: 40 })).offset).toBe(long.length + 11);
  });
});

describe('formatCaps', () => {
  it('takes CapSets, bigint masks, names and numbers; omitted sets are empty', () => {
    const expected = 'cap_chown=ep cap_kill+p';
    expect(formatCaps({ effective: CapSet.of('cap_chown'), permitted: CapSet.of('cap_chown', 'cap_kill') }, { lastCap: 40 })).toBe(expected);
    expect(formatCaps({ effective: 1n, permitted: 0x21n }, { lastCap: 40 })).toBe(expected);
    expect(formatCaps({ effective: ['cap_chown'], permitted: ['CAP_CHOWN', 5] }, { lastCap: 40 })).toBe(expected);
    expect(formatCaps({ effective: ['cap_chown'], permitted: ['cap_kill'] }, { lastCap: 40 })).toBe('cap_kill=p cap_chown+e');
    expect(formatCaps({})).toBe('=');
  });

  it('prints sets no process could hold (I ⊄ P, bits beyond the kernel)', () => {
    expect(formatCaps({ inheritable: ['cap_sys_admin'] }, { lastCap: 40 })).toBe('cap_sys_admin=i');
    expect(formatCaps({ permitted: 1n << 63n }, { lastCap: 40 })).toBe('= 63+p');
    expect(formatCaps({ permitted: 1n << 63n }, { lastCap: 63 })).toBe('63=p');
  });

  it('uses the running kernel by default', () => {
    expect(formatCaps({ effective: CapSet.full(lastCap()), permitted: CapSet.full(lastCap()) })).toBe('=ep');
  });

  it('refuses what is not a set', () => {
    expect(() => formatCaps({ effective: 'cap_chown' as never })).toThrow(CapsError);
    expect(() => formatCaps({ effective: ['cap_nope' as never] })).toThrow(CapsError);
    expect(() => formatCaps({ effective: -1n })).toThrow(CapsError);
    expect(() => formatCaps(null as never)).toThrow(CapsError);
  });
});

describe('options', () => {
  it.each([-1, 64, 1.5, '40', Number.NaN, null])('refuses lastCap %j', (last) => {
    for (const run of [
      () => parseCaps('=', { lastCap: last } as never),
      () => formatCaps({}, { lastCap: last } as never),
      () => parseIAB('', { lastCap: last } as never),
      () => formatIAB({}, { lastCap: last } as never),
    ]) {
      const err = parseFailure(run);
      expect(err.code).toBe('ERR_CAPS_INVALID_ARG');
      expect(err.errno).toBe(-22);
      expect(err.message).toContain('lastCap');
    }
  });

  it('refuses the old count option kernelBits, naming its replacement (one count convention)', () => {
    const err = parseFailure(() => formatCaps({}, { kernelBits: 41 } as never));
    expect(err.code).toBe('ERR_CAPS_INVALID_ARG');
    expect(err.message).toMatch(/kernelBits.*lastCap.*kernelBits - 1/);
  });

  it('lastCap 0 and 63 are the edges: one capability, and all 64', () => {
    expect(formatCaps({ effective: [0], permitted: [0], inheritable: [] }, { lastCap: 0 })).toBe('=ep');
    expect(parseCaps('=p', { lastCap: 0 }).permitted.toArray()).toEqual([0]);
    expect(parseCaps('=p', { lastCap: 63 }).permitted.size).toBe(64);
  });

  it('refuses options that are not an object and text that is not a string', () => {
    expect(() => parseCaps('=', 41 as never)).toThrow(CapsError);
    expect(() => parseCaps(42 as never)).toThrow(CapsError);
    expect(() => parseIAB(undefined as never)).toThrow(CapsError);
  });
});

describe('IAB', () => {
  it('parses into three CapSets', () => {
    const iab: IAB = parseIAB('!cap_net_raw,^cap_chown,%cap_kill,!%cap_setuid');
    expect(iab.inheritable.names()).toEqual(['cap_chown', 'cap_kill', 'cap_setuid']);
    expect(iab.ambient.names()).toEqual(['cap_chown']);
    expect(iab.notBounding.names()).toEqual(['cap_setuid', 'cap_net_raw']);
  });

  it('prints like capsh --print, dropping bits beyond the kernel', () => {
    expect(formatIAB({ ambient: ['cap_chown'], inheritable: ['cap_chown', 'cap_kill'], notBounding: ['cap_net_raw', 'cap_sys_resource'] }, { lastCap: 40 }))
      .toBe('^cap_chown,cap_kill,!cap_net_raw,!cap_sys_resource');
    expect(formatIAB({ notBounding: (1n << 41n) | 1n }, { lastCap: 40 })).toBe('!cap_chown');
    expect(formatIAB({ notBounding: 1n << 41n }, { lastCap: 44 })).toBe('!41');
  });

  it.each([
    [' cap_chown', 0, 'capability name'],
    ['cap_chown ', 9, "','"],
    [',cap_chown', 0, 'capability name'],
    ['all', 0, 'capability name'],
    ['cap_chown=ep', 9, "','"],
    ['99', 0, 'below 64'],
  ])('rejects %j at offset %i', (text, offset, expected) => {
    const err = parseFailure(() => parseIAB(text));
    expect(err).toMatchObject({ code: 'ERR_CAPS_PARSE', errno: -22, offset });
    expect(err.expected).toContain(expected);
  });
});

describe('round trips (seeded)', () => {
  let state = 0x2008;
  const random32 = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const random64 = () => (BigInt(random32()) << 32n) | BigInt(random32());

  it('parseCaps(formatCaps(x)) = x for any three masks and any kernel size', () => {
    for (let k = 0; k < 2_000; k++) {
      const kernelBits = 1 + (random32() % 64);
      const keep = [random64(), random64(), random64()].map((m, s) => (random32() & (1 << s) ? m : m & random64() & random64()));
      const [effective, permitted, inheritable] = keep as [bigint, bigint, bigint];
      const back = parseCaps(formatCaps({ effective, permitted, inheritable }, { lastCap: kernelBits - 1 }), { lastCap: kernelBits - 1 });
      expect([back.effective.toMask(), back.permitted.toMask(), back.inheritable.toMask()]).toEqual([effective, permitted, inheritable]);
    }
  });

  it('parseIAB(formatIAB(x)) = x for IABs with A ⊆ I below the kernel size', () => {
    for (let k = 0; k < 2_000; k++) {
      const kernelBits = 1 + (random32() % 64);
      const visible = (1n << BigInt(kernelBits)) - 1n;
      const inheritable = random64() & visible;
      const ambient = inheritable & random64();
      const notBounding = random64() & random64() & visible;
      const back = parseIAB(formatIAB({ inheritable, ambient, notBounding }, { lastCap: kernelBits - 1 }), { lastCap: kernelBits - 1 });
      expect([back.inheritable.toMask(), back.ambient.toMask(), back.notBounding.toMask()]).toEqual([inheritable, ambient, notBounding]);
    }
  });
});

describe('parse errors of huge inputs (issue 11)', () => {
  it.each([
    ['parseCaps', () => parseCaps('x'.repeat(1e6)), 0],
    ['parseIAB', () => parseIAB('x'.repeat(1e6)), 0],
    ['parseCaps, late', () => parseCaps(`${'cap_chown=ep '.repeat(100_000)}bogus`), 1_300_000],
  ] as const)('%s quotes a window around the offset, with an ellipsis, and keeps the offset', (_name, run, offset) => {
    const err = parseFailure(run);
    expect(err.code).toBe('ERR_CAPS_PARSE');
    expect(err.offset).toBe(offset);
    expect(err.message.length).toBeLessThan(400);
    expect(err.message).toMatch(/…/);
    expect(err.message).toMatch(/characters\)/);
    expect(err.message).toContain(`offset ${offset}`);
  });

  it('an unknown capability name of a million characters gives a short message', () => {
    const err = parseFailure(() => CapSet.of('y'.repeat(1e6) as never));
    expect(err.message.length).toBeLessThan(400);
  });
});

describe('options are checked (issue 23)', () => {
  it('an unknown option key is refused, naming the closest valid one', () => {
    const err = parseFailure(() => parseCaps('=', { lastcap: 40 } as never));
    expect(err.code).toBe('ERR_CAPS_INVALID_ARG');
    expect(err.message).toMatch(/unknown option "lastcap" \(did you mean "lastCap"\?\)/);
  });
});
