// kernel-semantics §2.7 against the kernel: what setxattr stores and what getxattr shows from a
// namespace, written with setcap/setfattr (root child, temp dir) and read with getfattr — compared
// with the model's convertFileCapsWrite / viewFileCaps / decodeFileCaps.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INITIAL_USER_NS, KERNEL_6_18 as K, applyStep, createCred, unshareUserNs, convertFileCapsWrite, decodeFileCapsModel as decodeFileCaps, viewFileCaps,
} from '../../lib/internal.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = missing({
  linux: isLinux, root: isRoot, setcap: hasCommand('setcap'), getfattr: hasCommand('getfattr'),
  setfattr: hasCommand('setfattr'), setpriv: hasCommand('setpriv'), unshare: hasCommand('unshare'),
});
let dir: string;
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const V2_NET_RAW_EP = hex('0100000200200000000000000000000000000000');

function fileOf(name: string, uid: number): string {
  const path = join(dir, name);
  copyFileSync('/bin/true', path);
  chownSync(path, uid, uid);
  chmodSync(path, 0o755);
  return path;
}
function getfattr(path: string, asUser1000InNs = false): string | undefined {
  const cmd = ['getfattr', '-n', 'security.capability', '-e', 'hex', '--absolute-names', path];
  const run = asUser1000InNs
    ? spawnSync('setpriv', ['--reuid', '1000', '--regid', '1000', '--clear-groups', 'unshare', '-r', ...cmd], { encoding: 'utf8' })
    : spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  return /security\.capability=0x([0-9a-f]+)/.exec(run.stdout)?.[1];
}

/** The model's view of `unshare -r` run by uid 1000: root of the new namespace is kuid 1000. */
function nsRoot1000() {
  let c = createCred(K, { uid: 1000, gid: 1000 });
  c = unshareUserNs(K, c).state;
  c = applyStep(K, c, { op: 'write-uid-map', extents: [{ inside: 0, outside: 1000, count: 1 }] }).state;
  c = applyStep(K, c, { op: 'write-setgroups', value: 'deny' }).state;
  return applyStep(K, c, { op: 'write-gid-map', extents: [{ inside: 0, outside: 1000, count: 1 }] }).state;
}

beforeAll(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'linux-caps-xattr-oracle-'));
  chmodSync(dir, 0o755);
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe.skipIf(skip)('xattr rules vs kernel (setcap/setfattr/getfattr in a temp dir)', () => {
  it('a namespace root (kuid 1000) writing v2 stores v3 rootid 1000; inside it reads as v2, on the host as v3', () => {
    const f = fileOf('nsroot', 1000);
    execFileSync('setpriv', ['--reuid', '1000', '--regid', '1000', '--clear-groups', 'unshare', '-r', 'setcap', 'cap_net_raw+ep', f]);
    const writer = nsRoot1000();
    const model = convertFileCapsWrite(writer, { uid: 1000, gid: 1000 }, V2_NET_RAW_EP);
    expect(model.errno).toBeUndefined();
    expect(toHex(viewFileCaps(model.result!, INITIAL_USER_NS).bytes!)).toBe(getfattr(f));
    expect(toHex(viewFileCaps(model.result!, writer.ns).bytes!)).toBe(getfattr(f, true));
    expect(decodeFileCaps(model.result!).caps).toMatchObject({ version: 3, rootid: 1000 });
  });

  it('host root writing v3 rootid 0 stores what reads back as v2', () => {
    const f = fileOf('v3root0', 0);
    const v3 = '0100000300200000000000000000000000000000' + '00000000';
    execFileSync('setfattr', ['-n', 'security.capability', '-v', `0x${v3}`, f]);
    const model = convertFileCapsWrite(createCred(K), { uid: 0, gid: 0 }, hex(v3));
    expect(toHex(viewFileCaps(model.result!, INITIAL_USER_NS).bytes!)).toBe(getfattr(f));
  });

  it.each([
    ['v1 (12 bytes)', '000000010020000000000000'],
    ['v2 with an unknown flag', '0300000200200000000000000000000000000000'],
    ['v2 header, v3 size', '010000020020000000000000000000000000000000000000'],
  ])('a %s write is EINVAL on both', (_n, bytes) => {
    const f = fileOf(`bad-${bytes.length}-${bytes.slice(0, 2)}`, 0);
    const run = spawnSync('setfattr', ['-n', 'security.capability', '-v', `0x${bytes}`, f], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/Invalid argument/);
    expect(convertFileCapsWrite(createCred(K), { uid: 0, gid: 0 }, hex(bytes)).errno).toBe(-22);
  });
});
