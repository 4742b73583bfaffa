/**
 * libcap's modes and IAB (issue 24 §1) against libcap itself: test/fixtures/mode-oracle.c,
 * linked with -lcap, applies an IAB with cap_iab_set_proc and a mode with cap_set_mode in a
 * fresh root process and prints what the kernel then holds (/proc), the securebits,
 * no_new_privs, cap_get_mode and cap_iab_to_text. A node child does the same through
 * caps.iab.set and caps.setMode on every thread; everything must agree.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapSet, formatIAB, getMode, launch, thread, type CapName, type IABInput, type LaunchOptions } from '../../lib/index.js';
import { fixturePath, runSteps } from '../fixtures/native-spawn.js';
import { hasCommand, hasFile, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = missing({ linux: isLinux, root: isRoot, gcc: hasCommand('gcc'), libcapDev: hasFile('/usr/include/sys/capability.h') });
const THROW = { onPartial: 'throw', deadlineMs: 20_000 };
const MODES = { 1: 'NOPRIV', 2: 'PURE1E_INIT', 3: 'PURE1E', 4: 'HYBRID' } as const;
let dir: string;
let oracle: string;

beforeAll(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'linux-caps-mode-'));
  oracle = join(dir, 'mode-oracle');
  execFileSync('gcc', ['-O1', '-Wall', '-o', oracle, fixturePath('mode-oracle.c'), '-lcap']);
}, 60_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

interface Seen { result: string; mode: string; securebits: string; nnp: string; sets: string[]; iab: string }

function libcap(iab: string, mode: string): Seen {
  const [result, , name, securebits, nnp, ...rest] = execFileSync(oracle, [iab, mode], { encoding: 'utf8' }).trim().split(' ');
  return { result: result!, mode: name!, securebits: securebits!, nnp: nnp!, sets: rest.slice(0, 5), iab: rest[5] ?? '' };
}

function ours(iab: string, mode: string): Seen {
  const calls = [
    ...(iab === '-' ? [] : [{ call: 'caps.iab.set', args: [iab, THROW] }]),
    ...(mode === '-' ? [] : [{ call: 'caps.setMode', args: [MODES[Number(mode) as 1], THROW] }]),
    { call: 'readProcessStatus', args: ['self'] },
    { call: 'getMode' },
    { call: 'caps.iab.get' },
  ];
  const run = runSteps(calls);
  for (const r of run.results) expect(r.ok, JSON.stringify(r)).toBe(true);
  expect(run.verify).toMatchObject({ uniform: true });
  const [status, mode_, iab_] = run.results.slice(-3).map((r) => r.value) as [Record<string, string[]> & { noNewPrivs: boolean }, string, IABInput];
  const hex = (names: string[]) => CapSet.from(names as CapName[]).toHex();
  return {
    result: '0', mode: mode_, securebits: `0x${(run.final.securebits as number).toString(16)}`, nnp: status.noNewPrivs ? '1' : '0',
    sets: ['inheritable', 'permitted', 'effective', 'bounding', 'ambient'].map((k) => hex(status[k]!)), iab: formatIAB(iab_),
  };
}

describe.skipIf(skip)('libcap modes and IAB, against libcap 2.66 (cap_set_mode, cap_iab_set_proc, cap_get_mode)', () => {
  const cases: Array<[string, string]> = [
    ['-', '1'], ['-', '2'], ['-', '3'], ['-', '4'],
    ['^cap_net_raw,!cap_sys_admin', '1'], ['^cap_net_raw,!cap_sys_admin', '2'], ['^cap_net_raw,!cap_sys_admin', '3'], ['^cap_net_raw,!cap_sys_admin', '4'],
    ['cap_chown,^cap_kill,!cap_mknod,!cap_sys_module', '-'], ['^cap_net_raw', '-'], ['-', '-'],
  ];
  it.each(cases)('IAB %s, then mode %s: the same sets, securebits, no_new_privs, mode and IAB text', (iab, mode) => {
    const expected = libcap(iab, mode);
    expect(expected.result).toBe('0');
    expect(ours(iab, mode)).toEqual(expected);
  });
});

/** What `capsh --print` says in a child started by launch(). */
async function launchedCapsh(options: LaunchOptions): Promise<string> {
  const child = launch('capsh', ['--print'], { ...options, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const closed = new Promise((r) => child.stdout!.once('close', r));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  expect(await child.exited).toEqual({ code: 0, signal: null });
  await closed;
  return out;
}

describe.skipIf(skip || missing({ capsh: hasCommand('capsh') }))('launch({ mode, iab }) against libcap\'s cap_launch order (mode, then IAB), seen by capsh --print', () => {
  const capsh = execFileSync('sh', ['-c', 'command -v capsh'], { encoding: 'utf8' }).trim();
  it.each<[string, string]>([
    ['-', '1'], ['-', '2'], ['-', '3'], ['-', '4'],
    ['cap_net_raw,!cap_sys_admin', '2'], ['cap_net_raw,!cap_sys_admin', '3'], ['^cap_net_raw,!cap_mknod', '4'],
  ])('IAB %s, mode %s', async (iab, mode) => {
    const expected = execFileSync(oracle, [iab, mode, capsh, '--print'], { encoding: 'utf8' });
    expect(expected).toMatch(/Guessed mode: /);
    const options: LaunchOptions = { mode: MODES[Number(mode) as 1], ...(iab === '-' ? {} : { iab }) };
    expect(await launchedCapsh(options)).toBe(expected);
  });

  it('refuses a mode beside securebits, and NOPRIV beside caps, before starting anything', () => {
    expect(() => launch('true', [], { mode: 'PURE1E', securebits: 0 })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/the mode sets them/) }));
    expect(() => launch('true', [], { mode: 'NOPRIV', caps: '=' })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => launch('true', [], { mode: 'UNCERTAIN' as 'HYBRID' })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
  });
});

describe('getMode reads a state as cap_get_mode does', () => {
  it('undefined securebits (a /proc reading) is UNCERTAIN; 0 is HYBRID; 0xef with nothing is NOPRIV', () => {
    const none = { effective: [], permitted: [], inheritable: [], bounding: [], ambient: [] };
    expect(getMode(none)).toBe('UNCERTAIN');
    expect(getMode({ ...none, securebits: 0 })).toBe('HYBRID');
    expect(getMode({ ...none, securebits: 0xef })).toBe('NOPRIV');
    expect(getMode({ ...none, securebits: 0x2f })).toBe('UNCERTAIN'); // ambient raise not locked
    expect(getMode({ ...none, bounding: ['cap_chown'], securebits: 0xef })).toBe('PURE1E_INIT');
    expect(getMode({ ...none, inheritable: ['cap_chown'], securebits: 0xef })).toBe('PURE1E');
    expect(getMode({ ...none, inheritable: ['cap_chown'], ambient: ['cap_chown'], securebits: 0xef })).toBe('UNCERTAIN');
    expect(getMode()).toBe(getMode(thread.get()));
  });
});
