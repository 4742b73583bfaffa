/**
 * util-vserver configuration files (kernel-semantics §4.8): line handling against a real bash
 * running the start script's loop, the list parser's syntax (positive and negative cases),
 * each era's `--secure` defaults (the table's hex values, checked against gcc for the C
 * expressions), and errors that name the file, line and item.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  vserverModel as V,
} from '../../lib/index.js';
import { hasCommand, missing } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'linux-caps-vserver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const U64 = (1n << 64n) - 1n;

/**
 * Our idea of the arguments the start script passes for a file: read, filter, eval. Where the
 * model refuses a line, the oracle's loop must have failed its eval (marked EVAL-FAILED).
 */
function modelArgs(text: string): string[] {
  const args: string[] = [];
  for (const line of V.readLines(text)) {
    if (line.skipped) continue;
    try {
      args.push('--bcap', V.evalDoubleQuoted(line.value, line.line, 'bcapabilities'));
    } catch {
      args.push('EVAL-FAILED');
    }
  }
  return args;
}

/** What bash makes of the same files with the start script's loop (one bash for all files). */
function bashArgs(texts: string[]): string[][] {
  const files = texts.map((text, i) => {
    const file = join(dir, `f${i}`);
    writeFileSync(file, text, 'latin1');
    return file;
  });
  const script = [
    'for f in "$@"; do',
    '  A=()',
    '  while read v; do case x"$v" in (x|x\\#*) ;; (*) eval "A=( \\"\\${A[@]}\\" --bcap \\"$v\\" )" 2>/dev/null || A=( "${A[@]}" EVAL-FAILED );; esac; done <"$f"',
    '  for a in "${A[@]}"; do printf "%s\\0" "$a"; done; printf "\\1\\0"',
    'done',
  ].join('\n');
  const out = execFileSync('bash', ['-c', script, 'bash', ...files], { encoding: 'latin1' });
  const records: string[][] = [];
  let current: string[] = [];
  for (const field of out.split('\0').slice(0, -1)) {
    if (field === '\x01') { records.push(current); current = []; } else current.push(field);
  }
  return records;
}

describe.skipIf(missing({ bash: hasCommand('bash') }))('line handling = bash `while read v` + eval (oracle: bash)', () => {
  const vectors = [
    'SYS_BOOT\n',
    '  !SYS_BOOT  \n\t!AUDIT_WRITE\t\n',
    '# comment\n\n   \n  # indented comment\n!SYS_BOOT\n',
    'CHOWN\nKILL',                               // last line without newline: never reaches the loop body
    'CHOWN\\\n,KILL\n',                          // backslash-newline joins lines
    'a\\ b\n\\ lead\ntrail\\ \n',                // escaped blanks survive trimming
    'back\\\\slash\n',                           // \\ → \ after read, stays after eval
    'CHOWN\r\n',                                 // CRLF: \r is not a blank to read
    '\\#not-a-comment\n',                        // read removes the backslash: then it is a comment
    'x\\y\\z\n',
    'odd\\\\\n',                             // read leaves one trailing backslash: eval's quote never closes
    '\n\n\n',
    '',
    'SYS_BOOT, NET_ADMIN\n',
    'a\0b\0\n', '\0\n',                          // unescaped NUL bytes are dropped
    'a\\ \n', 'a b\\ \n', 'a\\ b\\ \n', ' a\\ \n', 'a \\  \n', 'a\\\t \n', // escaped trailing blanks: kept for one word only
  ];

  it('every vector gives the same arguments as bash', () => {
    const expected = bashArgs(vectors);
    vectors.forEach((text, i) => expect(modelArgs(text), JSON.stringify(text)).toEqual(expected[i]));
  });

  it('600 random files give the same arguments as bash', () => {
    const alphabet = ['a', 'B', '_', ' ', ' ', '\t', '\\', '\\', '#', ',', '!', '~', '^', '\n', '\n', '\r', '0', 'x', '\0'];
    let seed = 12345;
    const rand = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff; return (seed >>> 8) % n; };
    const all = Array.from({ length: 600 }, () => Array.from({ length: rand(40) }, () => alphabet[rand(alphabet.length)]).join(''));
    // Files with a backslash-escaped NUL are refused by the model (bash leaks an internal byte there).
    const texts = all.filter((text) => {
      try { V.readLines(text); return true; } catch (e) { expect((e as Error).message).toMatch(/escaped NUL/); return false; }
    });
    expect(texts.length).toBeGreaterThan(500);
    const expected = bashArgs(texts);
    texts.forEach((text, i) => expect(modelArgs(text), JSON.stringify(text)).toEqual(expected[i]));
  });

  it('refuses a backslash-escaped NUL byte, where bash 5 leaks its quoting byte 0x01 into the value', () => {
    expect(bashArgs(['\\\0\n'])[0]![1]).toMatch(/^\x01+$/);
    expect(() => V.readLines('CHOWN\n\\\0\n')).toThrow(/line 2: a backslash-escaped NUL/);
  });

  it('marks empty, comment and unterminated lines with the physical line they start on', () => {
    expect(V.readLines('# c\n\nCHOWN\\\n,KILL\nLAST')).toEqual([
      { line: 1, value: '# c', skipped: 'comment' },
      { line: 2, value: '', skipped: 'empty' },
      { line: 3, value: 'CHOWN,KILL' },
      { line: 5, value: 'LAST', skipped: 'no-newline' },
    ]);
  });

  it('refuses what eval would expand or split instead of guessing', () => {
    for (const text of ['$HOME\n', 'CAP_${X}\n', '`id`\n', 'a"b\n', '$(id)\n', '$1\n']) {
      expect(() => V.guestCapabilities({ bcapabilities: text }), text).toThrow(/eval would expand or split/);
    }
    expect(modelArgs('a$\n')).toEqual(['--bcap', 'a$']);
    expect(modelArgs('cost$,x\n')).toEqual(['--bcap', 'cost$,x']);
  });
});

describe('the list parser (utilvserver_listparser)', () => {
  const bcap = (arg: string, era: V.UtilVserverEra = '0.30.215') => V.parseCapabilityList('bcap', arg, { era });
  const ccap = (arg: string, era: V.UtilVserverEra = '0.30.215') => V.parseCapabilityList('ccap', arg, { era });
  const fails = (f: () => unknown, item: string, offset: number): void => {
    try { f(); } catch (e) {
      expect(e).toBeInstanceOf(V.VserverConfigError);
      const err = e as V.VserverConfigError;
      expect(err.item).toBe(item);
      expect(err.offset).toBe(offset);
      expect(err.message.startsWith(`Unknown ${err.message.includes('ccap') ? 'ccap' : 'bcap'} '${item}'`)).toBe(true);
      expect(err.code).toBe('ERR_CAPS_VSERVER_CONFIG');
      return;
    }
    throw new Error('expected a VserverConfigError');
  };

  it('names: exact and case-insensitive, with an optional CAP_ prefix', () => {
    for (const arg of ['CHOWN', 'chown', 'Cap_Chown', 'CAP_CHOWN']) expect(bcap(arg)).toEqual({ value: 1n, mask: 1n });
    expect(bcap('SYS_BOOT')).toEqual({ value: 1n << 22n, mask: 1n << 22n });
    fails(() => bcap('CAP_'), 'CAP_', 0);
    fails(() => bcap('CHOWNX'), 'CHOWNX', 0);
    fails(() => bcap('CHOW'), 'CHOW', 0);
    fails(() => bcap('cap_cap_chown'), 'cap_cap_chown', 0);
    fails(() => bcap('ıpc_lock'), 'ıpc_lock', 0); // only ASCII letters fold, as strncasecmp in C
  });

  it('names per era: SETFCAP, MAC_OVERRIDE, MAC_ADMIN only since 2008-10', () => {
    fails(() => bcap('SETFCAP'), 'SETFCAP', 0);
    expect(bcap('SETFCAP', '2008-10').value).toBe(1n << 31n);
    expect(bcap('cap_mac_admin', 'head').value).toBe(1n << 33n);
    expect(bcap('AUDIT_CONTROL').value).toBe(1n << 30n);
  });

  it('negation: any number of leading ! or ~, each toggling; ^ is not negation', () => {
    expect(bcap('!CHOWN')).toEqual({ value: 0n, mask: 1n });
    expect(bcap('!!CHOWN')).toEqual({ value: 1n, mask: 1n });
    expect(bcap('~!CHOWN')).toEqual({ value: 1n, mask: 1n });
    expect(bcap('~CHOWN')).toEqual({ value: 0n, mask: 1n });
    expect(bcap('^CHOWN')).toEqual({ value: 1n, mask: 1n }); // a failed ^N is looked up without the ^
    fails(() => bcap('!'), '', 1);
    fails(() => bcap('^'), '', 1);
  });

  it('all / any / none and their case-insensitive prefixes', () => {
    for (const arg of ['all', 'ALL', 'a', 'al', 'any', 'An']) expect(bcap(arg)).toEqual({ value: U64, mask: U64 });
    for (const arg of ['none', 'n', 'NON']) expect(bcap(arg)).toEqual({ value: 0n, mask: 0n });
    expect(bcap('all,!SYS_ADMIN')).toEqual({ value: U64 & ~(1n << 21n), mask: U64 });
    fails(() => bcap('alll'), 'alll', 0);
    fails(() => bcap('nonee'), 'nonee', 0);
  });

  it('^N is bit N (modulo 64, as the x86-64 shift does); numbers are C literals via strtoll', () => {
    expect(bcap('^5').value).toBe(32n);
    expect(bcap('^0x10').value).toBe(1n << 16n);
    expect(bcap('^64').value).toBe(1n);
    expect(bcap('^ 3').value).toBe(8n);
    expect(bcap('0x3000').value).toBe(0x3000n);
    expect(bcap('010').value).toBe(8n);
    expect(bcap('  12').value).toBe(12n);
    expect(bcap('+5').value).toBe(5n);
    expect(bcap('-1').value).toBe(U64);
    expect(bcap('0xffffffffffffffff').value).toBe((1n << 63n) - 1n); // strtoll clamps at LLONG_MAX
    fails(() => bcap('12 '), '12 ', 0);
    fails(() => bcap('08'), '08', 0);
    fails(() => bcap('0x'), '0x', 0);
    fails(() => bcap('1e3'), '1e3', 0);
  });

  it('commas split items without trimming; a trailing comma is fine, an empty item is not', () => {
    expect(bcap('CHOWN,KILL').value).toBe(0x21n);
    expect(bcap('CHOWN,').value).toBe(1n);
    fails(() => bcap('SYS_BOOT, NET_ADMIN'), ' NET_ADMIN', 9);
    fails(() => bcap(',CHOWN'), '', 0);
    fails(() => bcap('CHOWN,,KILL'), '', 6);
    fails(() => bcap('CHOWN,!,KILL'), '', 7);
  });

  it('ccaps: util-vserver names with an optional VXC_ prefix and aliases, per era', () => {
    expect(ccap('set_utsname').value).toBe(1n);
    expect(ccap('VXC_SET_UTSNAME').value).toBe(1n);
    expect(ccap('ping,icmp,raw_icmp').value).toBe(0x100n);
    expect(ccap('utsname,~rlimit')).toEqual({ value: 1n, mask: 3n });
    expect(ccap('mount,remount').value).toBe(0x30000n);
    fails(() => ccap('fs_security'), 'fs_security', 0);
    expect(ccap('fs_security', 'head').value).toBe(4n);
    expect(ccap('namespace', 'head').value).toBe(0x2000000n);
    fails(() => ccap('constructor', 'head'), 'constructor', 0);
    fails(() => ccap('CAP_CHOWN'), 'CAP_CHOWN', 0);
  });
});

describe('--secure defaults per util-vserver era (kernel-semantics §4.8 table)', () => {
  it('bcaps: 0x344c05ff, 0x344c04ff, 0xffffffffb44c04ff; ccaps 0x101 then 0x4101', () => {
    expect(V.secureBcaps({ era: '0.30.215' })).toBe(0x344c05ffn);
    expect(V.secureBcaps({ era: '2008-10' })).toBe(0x344c04ffn);
    expect(V.secureBcaps({ era: 'head' })).toBe(0xffffffffb44c04ffn);
    expect(V.secureCcaps({ era: '0.30.215' })).toBe(0x101n);
    expect(V.secureCcaps({ era: '2008-10' })).toBe(0x4101n);
    expect(V.secureCcaps({ era: 'head' })).toBe(0x4101n);
  });

  it('SYS_BOOT and AUDIT_WRITE depend on vshelper/migrate only with API compat', () => {
    expect(V.secureBcaps({ era: '0.30.215', vshelper: false })).toBe(0x340c05ffn);
    expect(V.secureBcaps({ era: '0.30.215', migrate: false })).toBe(0x144c05ffn);
    expect(V.secureBcaps({ era: '0.30.215', apiCompat: false, vshelper: false, migrate: false })).toBe(0x344c05ffn);
    expect(V.secureBcaps({ era: '2008-10', apiCompat: false })).toBe(0x140c04ffn);
    expect(V.secureBcaps({ era: 'head', vshelper: false, migrate: false })).toBe(0xffffffff940c04ffn);
  });

  it.skipIf(missing({ gcc: hasCommand('gcc') }))('the allow-list complement and its sign extension are what gcc computes (oracle: gcc)', () => {
    const source = [
      '#include <stdio.h>',
      '#include <stdint.h>',
      '#define ALLOW ((1<<0)|(1<<1)|(1<<2)|(1<<3)|(1<<4)|(1<<5)|(1<<6)|(1<<7)|(1<<10)|(1<<18)|(1<<19)|(1<<26)|(1<<28)|(1<<22)|(1<<29))',
      'static uint_least64_t insecure_2008(void) { return ~(ALLOW); }',
      'static uint_least64_t insecure_head(void) { return ~(ALLOW | (1<<31)); }',
      'int main(void) { printf("%llx %llx\\n", (unsigned long long)~insecure_2008(), (unsigned long long)~insecure_head()); return 0; }',
    ].join('\n');
    writeFileSync(join(dir, 'secure.c'), source);
    execFileSync('gcc', ['-w', '-o', join(dir, 'secure'), join(dir, 'secure.c')]);
    const [era2008, head] = execFileSync(join(dir, 'secure'), { encoding: 'ascii' }).trim().split(' ');
    expect(V.secureBcaps({ era: '2008-10' }).toString(16)).toBe(era2008);
    expect(V.secureBcaps({ era: 'head' }).toString(16)).toBe(head);
  });

  it.skipIf(missing({ gcc: hasCommand('gcc') }))('our strtoll is glibc\'s on 400 random inputs (oracle: gcc + glibc)', () => {
    const source = [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <string.h>',
      'int main(void) { char line[256]; while (fgets(line, sizeof line, stdin)) { line[strcspn(line, "\\n")] = 0;',
      '  char *end; long long v = strtoll(line, &end, 0); printf("%lld %ld\\n", v, (long)(end - line)); } return 0; }',
    ].join('\n');
    writeFileSync(join(dir, 'strtoll.c'), source);
    execFileSync('gcc', ['-o', join(dir, 'strtoll'), join(dir, 'strtoll.c')]);
    const alphabet = ['0', '1', '7', '8', '9', 'x', 'X', 'f', 'F', 'g', '-', '+', ' ', '\t', ',', 'a'];
    let seed = 99;
    const rand = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff; return (seed >>> 8) % n; };
    const inputs = Array.from({ length: 400 }, () => Array.from({ length: 1 + rand(24) }, () => alphabet[rand(alphabet.length)]).join(''));
    inputs.push('9223372036854775807', '9223372036854775808', '-9223372036854775809', '0x', '0x1g', '  -0x10,', '077', '089');
    const out = execFileSync(join(dir, 'strtoll'), { input: inputs.join('\n') + '\n', encoding: 'ascii' }).trim().split('\n');
    inputs.forEach((input, i) => {
      const { value, end } = V.strtoll(input, 0);
      expect(`${value} ${end}`, JSON.stringify(input)).toBe(out[i]);
    });
  });
});

describe('guestCapabilities: vattribute --set --secure --flag default from the files', () => {
  it('the seed\'s bcapabilities (!SYS_BOOT, !AUDIT_WRITE) give 0x140c05ff', () => {
    const g = V.guestCapabilities({ bcapabilities: '!SYS_BOOT\n!AUDIT_WRITE\n' });
    expect(g.bcaps).toBe(0x140c05ffn);
    expect(g.bmask).toBe(U64);
    expect(g.ccaps).toBe(0x101n);
    expect(g.args).toEqual(['--set', '--secure', '--flag', 'default', '--bcap', '!SYS_BOOT', '--bcap', '!AUDIT_WRITE']);
    expect(V.guestCapabilities({ bcapabilities: '~CAP_SYS_BOOT,~CAP_AUDIT_WRITE\n' }).bcaps).toBe(0x140c05ffn);
  });

  it('absent files give the era\'s secure defaults; lines add or remove relative to them', () => {
    expect(V.guestCapabilities({}).bcaps).toBe(0x344c05ffn);
    expect(V.guestCapabilities({}, { era: 'head' }).ccaps).toBe(0x4101n);
    expect(V.guestCapabilities({ bcapabilities: 'NET_ADMIN\n# SYS_ADMIN\n' }).bcaps).toBe(0x344c15ffn);
    expect(V.guestCapabilities({ ccapabilities: 'set_rlimit\n!raw_icmp\n' }).ccaps).toBe(0x3n);
    expect(V.guestCapabilities({ bcapabilities: 'none\n' }).bcaps).toBe(0x344c05ffn);
    expect(V.guestCapabilities({ bcapabilities: '!all\nCHOWN\n' }).bcaps).toBe(1n);
  });

  it('a last line without a newline is silently ignored, as util-vserver\'s loop does', () => {
    const g = V.guestCapabilities({ bcapabilities: '!SYS_BOOT\n!AUDIT_WRITE' });
    expect(g.bcaps).toBe(0x344c05ffn & ~(1n << 22n));
    expect(g.steps.some((s) => /no final newline/.test(s.reason))).toBe(true);
  });

  it('errors name the file, the line and the item', () => {
    const text = '# drop these\n\n!SYS_BOOT\nSYS_BOOT, NET_ADMIN\n';
    expect(() => V.guestCapabilities({ bcapabilities: text })).toThrow("Unknown bcap ' NET_ADMIN' (bcapabilities line 4, offset 9");
    try { V.guestCapabilities({ bcapabilities: text }); } catch (e) {
      const err = e as V.VserverConfigError;
      expect(err.line).toBe(4);
      expect(err.path).toBe('bcapabilities');
      expect(err.errno).toBe(-22);
      expect(err.rule).toBe('kernel-semantics §4.8');
    }
    expect(() => V.guestCapabilities({ bcapabilities: '!SYS_BOOT\r\n' })).toThrow("Unknown bcap 'SYS_BOOT\r'");
    expect(() => V.guestCapabilities({ ccapabilities: 'ok\nfoo\n' })).toThrow("Unknown ccap 'ok' (ccapabilities line 1");
    expect(() => V.guestCapabilities({ bcapabilities: 'CHOWN\\\n,,KILL\n' })).toThrow(/bcapabilities line 1, offset 6/);
  });

  it('rejects bad arguments with CapsError before doing anything', () => {
    expect(() => V.guestCapabilities({}, { era: '0.30.216' as V.UtilVserverEra })).toThrow(/util-vserver era/);
    expect(() => V.guestCapabilities({ bcapabilities: 5 as unknown as string })).toThrow(/bcapabilities text/);
  });
});
