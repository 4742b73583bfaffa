/**
 * fileCaps through the public API only: the same expectations on the kernel (a temp file) and
 * on the model (a file of the simulated process), so the two backends must agree on the
 * kernel's write rules (v2 as written, v3 rootid, '=' as an empty xattr, ENODATA, ENOENT).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CapSet, CapsError, decodeFileCaps, encodeFileCaps, fileCaps, backendKind as activeBackend, model, useBackend,
} from '../../lib/index.js';
import { backendKind, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = backendKind === 'native' ? missing({ linux: isLinux, root: isRoot }) : undefined;

function caught(fn: () => unknown): CapsError {
  try { fn(); } catch (err) { if (err instanceof CapsError) return err; throw err; }
  throw new Error('expected a CapsError');
}

describe.skipIf(skip)(`fileCaps on the ${backendKind} backend`, () => {
  let dir = '';
  const names = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
  const path: Record<(typeof names)[number], string> = { a: '', b: '', c: '', d: '', e: '', f: '' };

  beforeAll(() => {
    if (backendKind === 'model') {
      dir = '/model';
      for (const n of names) path[n] = `${dir}/${n}`;
      useBackend(model.createSimulatedBackend({ files: names.map((n) => ({ path: path[n] })) }));
    } else {
      dir = mkdtempSync(join(tmpdir(), 'linux-caps-api-filecaps-'));
      for (const n of names) {
        path[n] = join(dir, n);
        writeFileSync(path[n], '#!/bin/sh\n', { mode: 0o755 });
      }
    }
    expect(activeBackend()).toBe(backendKind);
  });
  afterAll(() => { if (backendKind === 'native' && dir) rmSync(dir, { recursive: true, force: true }); });

  it('a file without caps reads as null', () => {
    expect(fileCaps.get(path.a)).toBeNull();
  });

  it('set with setcap text, then get: the same sets, fE and getcap text', () => {
    const r = fileCaps.set(path.a, 'cap_net_raw,cap_net_admin=ep cap_chown=ei');
    const got = fileCaps.get(path.a)!;
    expect(got).toEqual(r);
    expect(got.version).toBe(2);
    expect(got.effective).toBe(true);
    expect(got.permitted).toEqual(CapSet.of('cap_net_raw', 'cap_net_admin'));
    expect(got.inheritable).toEqual(CapSet.of('cap_chown'));
    // getcap's text (checked with getcap on this machine): fE shows as E = P ∪ I.
    expect(got.text).toBe('cap_chown=ei cap_net_admin,cap_net_raw+ep');
  });

  it('set with an object and a rootid writes v3 and reports the rootid', () => {
    const r = fileCaps.set(path.b, { permitted: ['cap_net_bind_service'], effective: true }, { rootid: 1000 });
    expect(r).toEqual({ version: 3, effective: true, permitted: CapSet.of('cap_net_bind_service'), inheritable: CapSet.EMPTY, rootid: 1000, text: 'cap_net_bind_service=ep' });
    expect(fileCaps.get(path.b)).toEqual(r);
  });

  it("'=' writes an empty xattr (not the same as none); remove takes it away; a second remove is ENODATA", () => {
    expect(fileCaps.set(path.c, '=')).toEqual({ version: 2, effective: false, permitted: CapSet.EMPTY, inheritable: CapSet.EMPTY, text: '=' });
    fileCaps.remove(path.c);
    expect(fileCaps.get(path.c)).toBeNull();
    const e = caught(() => fileCaps.remove(path.c));
    expect({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }).toEqual({ code: 'ENODATA', errno: -61, syscall: 'lremovexattr', path: path.c });
    expect(e.message).toMatch(/has no capability to remove/);
  });

  it('set replaces what was there', () => {
    fileCaps.set(path.d, 'cap_kill=eip');
    expect(fileCaps.set(path.d, 'cap_setuid=p').text).toBe('cap_setuid=p');
    expect(fileCaps.get(path.d)!.inheritable.size).toBe(0);
  });

  it('a missing file is ENOENT with the path', () => {
    const missingPath = `${dir}/does-not-exist`;
    for (const [syscall, fn] of [
      ['lgetxattr', () => fileCaps.get(missingPath)],
      ['lsetxattr', () => fileCaps.set(missingPath, 'cap_chown=p')],
      ['lremovexattr', () => fileCaps.remove(missingPath)],
    ] as const) {
      const e = caught(fn);
      expect({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path }).toEqual({ code: 'ENOENT', errno: -2, syscall, path: missingPath });
    }
  });

  it('refuses bad input before touching the file', () => {
    fileCaps.set(path.e, 'cap_chown=p');
    expect(caught(() => fileCaps.set(path.e, 'cap_chown=ep cap_kill=p')).message).toMatch(/all or nothing/);
    expect(caught(() => fileCaps.set(path.e, 'cap_net_raw=ep cap_chown+i')).message).toMatch(/missing from E: cap_chown/);
    expect(caught(() => fileCaps.set(path.e, 'chown=p')).code).toBe('ERR_CAPS_PARSE');
    expect(caught(() => fileCaps.set(path.e, 'cap_kill=p', { rootid: 2 ** 32 })).message).toMatch(/rootid/);
    expect(fileCaps.get(path.e)!.text).toBe('cap_chown=p');
  });

  it('the codec reads what set wrote, byte for byte like encodeFileCaps', () => {
    const r = fileCaps.set(path.f, { permitted: [40, 'cap_sys_admin'], inheritable: ['cap_bpf'], effective: false });
    const bytes = encodeFileCaps({ effective: false, permitted: r.permitted, inheritable: r.inheritable });
    expect(decodeFileCaps(bytes)).toEqual({ version: 2, effective: false, permitted: r.permitted, inheritable: r.inheritable });
    expect(r.text).toBe('cap_bpf=i cap_sys_admin,cap_checkpoint_restore+p'); // as getcap prints it
  });
});
