/**
 * dropPrivileges() through the public API only, so it runs on the kernel and on the model
 * (LINUX_CAPS_BACKEND=model): in a child process either way, since on the kernel a drop is
 * irreversible. The child inherits LINUX_CAPS_BACKEND.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { backendKind, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = backendKind === 'native' && (!isLinux ? 'needs Linux' : missing({ root: isRoot }));
const fixture = fileURLToPath(new URL('../fixtures/drop.mjs', import.meta.url)); // a path on every platform (.pathname is /Z:/… on win32)

interface Thread { tid: number; uid: { real: number; effective: number; saved: number }; gid: { real: number }; effective: string; permitted: string; inheritable: string; ambient: string; bounding: string; noNewPrivs: boolean }
interface Out { result?: { uid: number; gid: number; groups: number[]; backend: string }; error?: { code: string; message: string }; self: { securebits?: number }; threads: Thread[] }

function drop(options: object): Out {
  const r = spawnSync(process.execPath, [fixture, JSON.stringify({ ...options, onPartial: 'throw' })], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fixture exited ${r.status ?? r.signal}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Out;
}

const NBS = '0000000000000400';
const sameEverywhere = (out: Out) => new Set(out.threads.map(({ tid: _t, ...rest }) => JSON.stringify(rest))).size === 1;

describe.skipIf(skip)(`dropPrivileges (${backendKind} backend)`, () => {
  it('ends every thread as nobody holding only the kept capability', () => {
    const out = drop({ user: 'nobody', keep: ['cap_net_bind_service'], ambient: ['cap_net_bind_service'], limitBounding: true, securebits: true, noNewPrivs: true });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ uid: 65534, gid: 65534, backend: backendKind });
    expect(sameEverywhere(out)).toBe(true);
    expect(out.threads.length).toBeGreaterThan(1);
    expect(out.threads[0]).toMatchObject({
      uid: { real: 65534, effective: 65534, saved: 65534 }, effective: NBS, permitted: NBS, inheritable: NBS, ambient: NBS, bounding: NBS, noNewPrivs: true,
    });
    expect(out.self.securebits).toBe(0xef);
  });

  it('refuses ambient without inheritable, and changes nothing', () => {
    const out = drop({ user: 'nobody', keep: ['cap_net_raw'], ambient: ['cap_net_raw'], inheritable: [] });
    expect(out.error).toMatchObject({ code: 'ERR_CAPS_CANNOT_DROP' });
    expect(out.error!.message).toMatch(/PR_CAP_AMBIENT_RAISE cap_net_raw \(EPERM\) would be refused: .*cap_net_raw is not in I .*\(add it to inheritable\)/);
    expect(out.threads.every((t) => t.uid.real === 0 && t.permitted !== '0000000000000000')).toBe(true);
  });

  it('refuses an unknown user before changing anything', () => {
    const out = drop({ user: 'no-such-user-xyz', keep: [] });
    expect(out.error).toMatchObject({ code: 'ERR_CAPS_UNKNOWN_USER' });
    expect(out.threads.every((t) => t.uid.real === 0)).toBe(true);
  });

  it('uniform: false still applies bounding, securebits and no_new_privs on every thread; only the caller keeps caps', () => {
    const out = drop({ user: 'nobody', keep: ['cap_net_bind_service'], limitBounding: true, securebits: true, noNewPrivs: true, uniform: false });
    expect(out.error).toBeUndefined();
    expect(out.threads.length).toBeGreaterThan(1);
    const [main, ...others] = out.threads;
    expect(main).toMatchObject({ permitted: NBS, effective: NBS });
    for (const t of out.threads) expect(t).toMatchObject({ uid: { real: 65534, effective: 65534, saved: 65534 }, bounding: NBS, noNewPrivs: true });
    for (const t of others) expect(t).toMatchObject({ effective: '0000000000000000', permitted: '0000000000000000', inheritable: '0000000000000000', ambient: '0000000000000000' });
  });

  it('empties everything with the nopriv preset', () => {
    const out = drop({ preset: 'nopriv' });
    expect(sameEverywhere(out)).toBe(true);
    expect(out.threads[0]).toMatchObject({ effective: '0000000000000000', permitted: '0000000000000000', bounding: '0000000000000000', noNewPrivs: true });
  });
});
