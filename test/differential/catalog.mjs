/**
 * The exec targets of a run: copies of the executor with chosen owners, modes (setuid/setgid)
 * and security.capability xattrs (v2, or v3 with a rootid), on the private tmpfs ('s') or on its
 * nosuid sibling ('n'). Derived from the seed alone, so `--only I` sees the same files.
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

/**
 * @param {number} seed run seed
 * @param {bigint} bounding the observed initial bounding set
 * @param {number} lastCap cap_last_cap
 * @returns {{ files: Array<{nosuid:boolean,index:number,uid:number,gid:number,mode:number,xattr?:string}>, s: object[], n: object[] }}
 */
export function makeCatalog(seed, bounding, lastCap) {
  const rng = new Rng(seed, 0x7fffffff);
  const valid = (1n << BigInt(lastCap + 1)) - 1n;
  const outsideBounding = valid & ~bounding;
  const files = [];
  const add = (nosuid, spec) => files.push({ nosuid, index: files.filter((f) => f.nosuid === nosuid).length, ...spec });
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
  return { files, s: files.filter((f) => !f.nosuid), n: files.filter((f) => f.nosuid) };
}
