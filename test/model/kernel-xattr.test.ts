// kernel-semantics §2.7 (lines 203–224): security.capability decode, ownership, write conversion, read view.
import { describe, expect, it } from 'vitest';
import {
  convertFileCapsWrite, decodeFileCapsModel as decodeFileCaps, encodeFileCapsModel as encodeFileCaps, fileCapsApply, viewFileCaps, INITIAL_USER_NS, applyStep, unshareUserNs, writeIdMap,
} from '../../lib/internal.js';
import { CAP, K, VM, b, root, user } from './model-helpers.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('decode (lines 208–216)', () => {
  it.each([
    // bytes as setcap writes them (cap_net_raw+ep v2; v3 rootid 1000)
    ['v2 cap_net_raw+ep', '0100000200200000000000000000000000000000', { version: 2, permitted: b(CAP.net_raw), inheritable: 0n, effective: true, rootid: 0 }],
    ['v3 rootid 1000', '0100000300200000000000000000000000000000e8030000', { version: 3, permitted: b(CAP.net_raw), inheritable: 0n, effective: true, rootid: 1000 }],
    ['v1 (12 bytes)', '000000010020000000000000', { version: 1, permitted: b(CAP.net_raw), inheritable: 0n, effective: false, rootid: 0 }],
  ])('%s', (_n, bytes, caps) => {
    expect(decodeFileCaps(hex(bytes)).caps).toEqual(caps);
    expect(Buffer.from(encodeFileCaps(caps as never)).toString('hex')).toBe(bytes);
  });
  it.each([
    ['too short', '0100'],
    ['v2 header with v3 size', '010000020020000000000000000000000000000000000000'],
    ['unknown revision', '0100000400200000000000000000000000000000'],
  ])('%s → EINVAL', (_n, bytes) => {
    expect(decodeFileCaps(hex(bytes)).errno).toBe(-22);
  });
  it('bits above LAST are masked', () => {
    const caps = decodeFileCaps(encodeFileCaps({ version: 2, permitted: (1n << 50n) | 1n, inheritable: 0n, effective: false, rootid: 0 }), 40).caps!;
    expect(caps.permitted).toBe(1n);
  });
});

describe('ownership (lines 215–217)', () => {
  const ns = (() => { const u = unshareUserNs(K, user(1000)).state; return writeIdMap(u, u.ns, [{ inside: 0, outside: 1000, count: 1 }], 'uid').state.ns; })();
  const v3 = (rootid: number) => ({ version: 3 as const, permitted: 1n, inheritable: 0n, effective: false, rootid });
  it('v2 applies everywhere below the initial namespace', () => {
    expect(fileCapsApply({ ...v3(0), version: 2 }, INITIAL_USER_NS, ns)).toBe(true);
  });
  it('v3 rootid 1000 applies in the namespace whose root is 1000, not on the host', () => {
    expect(fileCapsApply(v3(1000), INITIAL_USER_NS, ns)).toBe(true);
    expect(fileCapsApply(v3(1000), INITIAL_USER_NS, INITIAL_USER_NS)).toBe(false);
  });
});

describe('write conversion (lines 218–221)', () => {
  const v2 = encodeFileCaps({ version: 2, permitted: b(CAP.net_raw), inheritable: 0n, effective: true, rootid: 0 });
  const target = { uid: 0, gid: 0 };
  it('host root writes v2 as v2', () => {
    expect(convertFileCapsWrite(root(), target, v2).result).toEqual(v2);
  });
  it('without CAP_SETFCAP → EPERM; v1 or extra flags → EINVAL', () => {
    expect(convertFileCapsWrite(root({ effective: VM & ~b(CAP.setfcap) }), target, v2).errno).toBe(-1);
    expect(convertFileCapsWrite(root(), target, encodeFileCaps({ version: 1, permitted: 1n, inheritable: 0n, effective: false, rootid: 0 })).errno).toBe(-22);
    const flagged = Uint8Array.from(v2); flagged[0] = 3;
    expect(convertFileCapsWrite(root(), target, flagged).errno).toBe(-22);
  });
  it('namespace root writes v2: stored as v3 with its root id in the fs namespace', () => {
    const u = unshareUserNs(K, user(1000)).state;
    const uidMapped = writeIdMap(u, u.ns, [{ inside: 0, outside: 1000, count: 1 }], 'uid').state;
    expect(convertFileCapsWrite(uidMapped, { uid: 1000, gid: 1000 }, v2).errno).toBe(-1); // the file's gid is unmapped there
    const denied = applyStep(K, uidMapped, { op: 'write-setgroups', value: 'deny' }).state;
    const mapped = applyStep(K, denied, { op: 'write-gid-map', extents: [{ inside: 0, outside: 1000, count: 1 }] }).state;
    const t = convertFileCapsWrite(mapped, { uid: 1000, gid: 1000 }, v2);
    expect(t.errno).toBeUndefined();
    expect(decodeFileCaps(t.result!).caps).toMatchObject({ version: 3, rootid: 1000 });
    // and reading it back from inside shows v2; from the host v3 rootid 1000
    expect(decodeFileCaps(viewFileCaps(t.result!, mapped.ns).bytes!).caps?.version).toBe(2);
    expect(decodeFileCaps(viewFileCaps(t.result!, INITIAL_USER_NS).bytes!).caps).toMatchObject({ version: 3, rootid: 1000 });
  });
  it('a v3 owned elsewhere is EOVERFLOW to an unrelated namespace (line 224)', () => {
    const other = unshareUserNs(K, user(3000)).state;
    const mapped = writeIdMap(other, other.ns, [{ inside: 0, outside: 3000, count: 1 }], 'uid').state;
    const stored = encodeFileCaps({ version: 3, permitted: 1n, inheritable: 0n, effective: false, rootid: 1000 });
    expect(viewFileCaps(stored, mapped.ns).errno).toBe(-75);
  });
});
