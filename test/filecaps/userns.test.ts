/**
 * fileCaps inside a user namespace (kernel-semantics §2.7): uid 1000 maps itself to root with
 * `unshare -r` and sets caps on its own file. Inside, the value reads as v2; on disk the kernel
 * converted it to v3 with rootid 1000, which fileCaps and `getcap -n` read outside. A v3 whose
 * rootid does not map into the namespace is EOVERFLOW inside, as getcap reports it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileCaps,
} from '../../lib/index.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';
import { getcapBatch, getfattrBatch } from './helpers.js';

const skip = missing({
  linux: isLinux,
  root: isRoot,
  'unshare, setpriv (util-linux)': hasCommand('unshare') && hasCommand('setpriv'),
  'getcap (apt libcap2-bin)': hasCommand('getcap'),
  'getfattr (apt attr)': hasCommand('getfattr'),
});

describe.skipIf(skip)('fileCaps in a user namespace (uid 1000 as its own root)', () => {
  const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'linux-caps-userns-'));
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  /** Runs `script` (ESM, given the file paths) as uid 1000 mapped to root in a new user namespace. */
  function insideUserns(script: string, ...args: string[]): Record<string, unknown> {
    chmodSync(dir, 0o755);
    const path = join(dir, `inside-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(path, script, { mode: 0o644 });
    const stdout = execFileSync('setpriv', ['--reuid=1000', '--regid=1000', '--clear-groups', 'unshare', '-r', process.execPath, path, ...args], { encoding: 'utf8' });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  }
  const dist = new URL('../../dist/index.js', import.meta.url).href;
  const report = `
    import { fileCaps } from ${JSON.stringify(dist)};
    const attempt = (fn) => { try { const r = fn(); return r === undefined || r === null ? { ok: r ?? null } : { ok: { version: r.version, rootid: r.rootid ?? null, text: r.text } }; }
      catch (e) { return { code: e.code, errno: e.errno, syscall: e.syscall, reason: e.reason }; } };`;

  function ownedBy1000(name: string): string {
    const f = join(dir, name);
    writeFileSync(f, '#!/bin/sh\n', { mode: 0o755 });
    chownSync(f, 1000, 1000);
    return f;
  }

  it('a v2 write inside is stored as v3 rootid=1000; inside it reads as v2, outside as v3 (fileCaps and getcap -n agree)', () => {
    const f = ownedBy1000('own');
    const inside = insideUserns(`${report}
      const set = attempt(() => fileCaps.set(process.argv[2], 'cap_net_raw=ep'));
      const get = attempt(() => fileCaps.get(process.argv[2]));
      console.log(JSON.stringify({ uid: process.getuid(), set, get }));`, f);
    expect(inside).toEqual({
      uid: 0,
      set: { ok: { version: 2, rootid: null, text: 'cap_net_raw=ep' } },
      get: { ok: { version: 2, rootid: null, text: 'cap_net_raw=ep' } },
    });
    const outside = fileCaps.get(f)!;
    expect({ version: outside.version, rootid: outside.rootid, text: outside.text }).toEqual({ version: 3, rootid: 1000, text: 'cap_net_raw=ep' });
    expect(getcapBatch([f], { rootid: true }).get(f)).toBe('cap_net_raw=ep [rootid=1000]');
    expect(Buffer.from(getfattrBatch([f]).get(f)!).toString('hex')).toBe('01000003' + '00200000' + '00000000' + '00000000' + '00000000' + 'e8030000');
  });

  it('a v3 whose rootid does not map inside is EOVERFLOW there, with the reason', () => {
    const f = ownedBy1000('foreign');
    fileCaps.set(f, 'cap_chown=p', { rootid: 2000 });
    const inside = insideUserns(`${report}
      console.log(JSON.stringify({ get: attempt(() => fileCaps.get(process.argv[2])) }));`, f);
    expect(inside.get).toMatchObject({ code: 'EOVERFLOW', errno: -75, syscall: 'lgetxattr' });
    expect((inside.get as { reason: string }).reason).toMatch(/rootid does not map into this user namespace/);
  });

  it("a file whose owner is not mapped in the namespace cannot be given caps (EPERM, says why)", () => {
    const f = join(dir, 'root-owned');
    writeFileSync(f, '#!/bin/sh\n', { mode: 0o755 }); // owned by uid 0, unmapped inside
    const inside = insideUserns(`${report}
      console.log(JSON.stringify({ set: attempt(() => fileCaps.set(process.argv[2], 'cap_chown=p')) }));`, f);
    expect(inside.set).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'lsetxattr' });
    expect((inside.set as { reason: string }).reason).toMatch(/file's uid and gid mapped there/);
    expect(fileCaps.get(f)).toBeNull();
  });
});
