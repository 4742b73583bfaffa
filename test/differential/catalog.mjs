/**
 * The exec targets of a run: copies of the executor with chosen owners, modes (setuid/setgid)
 * and security.capability xattrs (v2, or v3 with a rootid), on the private tmpfs ('s') or on its
 * nosuid sibling ('n'); and on a read-only ext4 image ('r', raw) xattrs no setxattr can store:
 * v1 and malformed ones. Derived from the seed alone, so `--only I` sees the same files.
 * Most files' caps fit the bounding set (so exec succeeds); a few do not (the partial-caps EPERM).
 */
import { Rng } from './prng.mjs';

const u32le = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b.toString('hex');
};

/** security.capability bytes (kernel-semantics §2.7) as hex. */
export function encodeFileCaps({ version, permitted, inheritable, effective, rootid = 0 }) {
  const lo = (m) => Number(m & 0xffffffffn);
  const hi = (m) => Number((m >> 32n) & 0xffffffffn);
  const magic = (version === 3 ? 0x03000000 : 0x02000000) | (effective ? 1 : 0);
  let hex = u32le(magic) + u32le(lo(permitted)) + u32le(lo(inheritable)) + u32le(hi(permitted)) + u32le(hi(inheritable));
  if (version === 3) hex += u32le(rootid);
  return hex;
}

/** A v1 security.capability (12 bytes, capabilities 0–31) as hex. */
function encodeV1({ permitted, inheritable, effective }) {
  return u32le(0x01000000 | (effective ? 1 : 0)) + u32le(Number(permitted)) + u32le(Number(inheritable));
}

/**
 * @param {number} seed run seed
 * @param {bigint} bounding the observed initial bounding set
 * @param {number} lastCap cap_last_cap
 * @returns {{ files: Array<{nosuid:boolean,raw:boolean,index:number,uid:number,gid:number,mode:number,xattr?:string}>, s: object[], n: object[], r: object[] }}
 */
export function makeCatalog(seed, bounding, lastCap) {
  const rng = new Rng(seed, 0x7fffffff);
  const valid = (1n << BigInt(lastCap + 1)) - 1n;
  const outsideBounding = valid & ~bounding;
  const files = [];
  const dirOf = (f) => (f.raw ? 'r' : f.nosuid ? 'n' : 's');
  const addTo = (dir, spec) => files.push({ nosuid: dir === 'n', raw: dir === 'r', index: files.filter((f) => dirOf(f) === dir).length, ...spec });
  const add = (nosuid, spec) => addTo(nosuid ? 'n' : 's', spec);
  const randomCaps = (fit) => {
    const version = rng.chance(0.6) ? 2 : 3;
    let permitted = rng.chance(0.15) ? 0n : rng.subset(bounding, rng.pick([0.1, 0.5, 0.9]));
    if (!fit && outsideBounding) permitted |= outsideBounding;
    const inheritable = rng.chance(0.5) ? 0n : rng.subset(valid, 0.3);
    const rootid = version === 3 ? rng.pick([0, 0, 1000, 2000, 100000]) : 0;
    return encodeFileCaps({ version, permitted, inheritable, effective: rng.chance(0.6), rootid });
  };
  // Fixed shapes every run has.
  add(false, { uid: 0, gid: 0, mode: 0o755 });
  add(false, { uid: 0, gid: 0, mode: 0o4755 });
  add(false, { uid: 1000, gid: 1000, mode: 0o6755 });
  add(false, { uid: 0, gid: 0, mode: 0o755, xattr: encodeFileCaps({ version: 2, permitted: bounding & 0x3000n, inheritable: 0n, effective: true }) });
  add(false, { uid: 0, gid: 0, mode: 0o755, xattr: encodeFileCaps({ version: 2, permitted: 0n, inheritable: valid, effective: false }) });
  add(false, { uid: 0, gid: 0, mode: 0o755, xattr: encodeFileCaps({ version: 3, permitted: bounding & 0x400n, inheritable: 0n, effective: true, rootid: 1000 }) });
  // Exec permission (may_exec): no x for others, no x at all, setgid without group x.
  add(false, { uid: 0, gid: 0, mode: 0o700 });
  add(false, { uid: 1000, gid: 1000, mode: 0o750 });
  add(false, { uid: 0, gid: 0, mode: 0o644 });
  add(false, { uid: 0, gid: 0, mode: 0o2745 });
  // Random ones.
  for (let k = 0; k < 24; k++) {
    const uid = rng.pick([0, 0, 0, 1000, 2000]);
    const gid = rng.pick([0, 0, 1000, 3000]);
    const mode = rng.pick([0o755, 0o755, 0o755, 0o4755, 0o2755, 0o6755, 0o2745, 0o4711]);
    const xattr = rng.chance(0.65) ? randomCaps(rng.chance(0.85)) : undefined;
    add(false, xattr ? { uid, gid, mode, xattr } : { uid, gid, mode });
  }
  for (let k = 0; k < 5; k++) {
    const xattr = rng.chance(0.7) ? randomCaps(true) : undefined;
    const spec = { uid: rng.pick([0, 1000]), gid: rng.pick([0, 1000]), mode: rng.pick([0o4755, 0o6755, 0o755]) };
    add(true, xattr ? { ...spec, xattr } : spec);
  }
  // Raw xattrs (kernel-semantics §2.7: exec reads v1 as 32-bit caps; a size that is not its
  // revision's, or an unknown revision, is EINVAL).
  const low = (m) => m & 0xffffffffn;
  const raw = (spec, hex) => addTo('r', { uid: 0, gid: 0, mode: 0o755, ...spec, xattr: hex });
  raw({}, encodeV1({ effective: true, permitted: low(bounding & 0x3000n), inheritable: 0n }));
  raw({}, encodeV1({ effective: false, permitted: 0n, inheritable: low(valid) }));
  raw({ mode: 0o4755 }, encodeV1({ effective: true, permitted: low(bounding & 0x400n), inheritable: 0n }));
  raw({ uid: 1000, gid: 1000 }, encodeV1({ effective: rng.chance(0.5), permitted: low(rng.subset(bounding, 0.5)), inheritable: low(rng.subset(valid, 0.3)) }));
  raw({}, encodeFileCaps({ version: 2, permitted: bounding & 0x3000n, inheritable: 0n, effective: true }).slice(0, 32));   // v2, 16 bytes
  raw({}, encodeFileCaps({ version: 2, permitted: bounding & 0x3000n, inheritable: 0n, effective: true }) + '00000000');  // v2, 24 bytes
  raw({}, u32le(0x04000000) + encodeFileCaps({ version: 2, permitted: 0n, inheritable: 0n, effective: false }).slice(8));  // revision 4
  raw({}, u32le(0x02000003) + encodeFileCaps({ version: 2, permitted: bounding & 0x2000n, inheritable: 0n, effective: true }).slice(8));  // v2, an unknown flag bit
  raw({}, '0100');   // 2 bytes
  raw({}, encodeFileCaps({ version: 3, permitted: bounding & 0x2000n, inheritable: 0n, effective: true, rootid: 0 }).slice(0, 40));  // v3, 20 bytes
  return { files, s: files.filter((f) => dirOf(f) === 's'), n: files.filter((f) => dirOf(f) === 'n'), r: files.filter((f) => dirOf(f) === 'r') };
}
