/**
 * The `security.capability` xattr, byte for byte as the kernel lays it out
 * (kernel-semantics §2.7): little-endian u32 words, `magic_etc = revision | flags`.
 *
 * | rev | magic      | size | words                                   |
 * |-----|------------|------|-----------------------------------------|
 * | v1  | 0x01000000 | 12   | magic, P[0..31], I[0..31]               |
 * | v2  | 0x02000000 | 20   | magic, P lo, I lo, P hi, I hi           |
 * | v3  | 0x03000000 | 24   | the v2 words, then rootid               |
 *
 * Pure: no I/O. Malformed bytes give `CapsError` code `ERR_CAPS_BAD_XATTR` saying what is wrong.
 */
import { CapSet, type CapSetInput } from '../vocabulary/capset.js';
import { CapsError, invalidArg } from '../vocabulary/errors.js';
import { EINVAL, VFS_CAP_FLAGS_EFFECTIVE, VFS_CAP_REVISION_MASK, XATTR_CAPS_SZ_1, XATTR_CAPS_SZ_2, XATTR_CAPS_SZ_3 } from '../vocabulary/abi.js';
export { VFS_CAP_REVISION_MASK, VFS_CAP_FLAGS_EFFECTIVE } from '../vocabulary/abi.js';

/** A revision number of the xattr format. */
export type FileCapsVersion = 1 | 2 | 3;

/** A decoded `security.capability` value. */
export interface FileCapsXattr {
  version: FileCapsVersion;
  /** The single fE flag: at exec, E' = P' when set, else E' = A' (kernel-semantics §2.6 step 8). */
  effective: boolean;
  permitted: CapSet;
  inheritable: CapSet;
  /** v3 only: the uid, in the filesystem's user namespace, whose root the caps belong to. */
  rootid?: number;
}

/** What `encodeFileCaps` takes: sets as CapSet, bigint mask or names/numbers. */
export interface FileCapsFields {
  effective: boolean;
  permitted?: CapSetInput;
  inheritable?: CapSetInput;
}

export interface EncodeOptions {
  /** Default: 3 when `rootid` is given, else 2 (what setcap writes). */
  version?: FileCapsVersion;
  /** v3 root id (0..2^32-1); implies version 3. */
  rootid?: number;
}

const REVISION_MAGIC: Record<FileCapsVersion, number> = { 1: 0x01000000, 2: 0x02000000, 3: 0x03000000 };
const SIZE: Record<FileCapsVersion, number> = { 1: XATTR_CAPS_SZ_1, 2: XATTR_CAPS_SZ_2, 3: XATTR_CAPS_SZ_3 };
const WORD = 0xffffffffn;

const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function badXattr(problem: string): CapsError {
  return new CapsError({
    code: 'ERR_CAPS_BAD_XATTR',
    errno: -EINVAL,
    message: `malformed security.capability xattr: ${problem}`,
    reason: problem,
    rule: 'kernel-semantics §2.7',
  });
}

/**
 * Decodes a raw `security.capability` value (v1, v2 or v3) into its sets, fE flag and rootid.
 * Checks what the kernel checks before using one — the size must be exactly the revision's
 * (kernel-semantics §2.7) — and also refuses flag bits other than fE, which the kernel never
 * accepts on write.
 * @throws CapsError `ERR_CAPS_BAD_XATTR` naming the problem (size, revision or flags).
 */
export function decodeFileCaps(bytes: Uint8Array): FileCapsXattr {
  if (!(bytes instanceof Uint8Array)) throw invalidArg('xattr bytes', bytes, 'a Uint8Array (e.g. a Buffer)');
  if (bytes.length < 4) {
    throw badXattr(`${bytes.length} bytes is too short for the 4-byte magic_etc header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const revision = (magic & VFS_CAP_REVISION_MASK) >>> 0;
  const version = ([1, 2, 3] as const).find((v) => REVISION_MAGIC[v] === revision);
  if (version === undefined) {
    throw badXattr(
      `unknown revision ${hex32(revision)} in magic_etc ${hex32(magic)}; ` +
        'expected 0x01000000 (v1), 0x02000000 (v2) or 0x03000000 (v3)',
    );
  }
  if (bytes.length !== SIZE[version]) {
    throw badXattr(`a v${version} value must be ${SIZE[version]} bytes, this one is ${bytes.length}`);
  }
  const flags = (magic & ~VFS_CAP_REVISION_MASK) >>> 0;
  if ((flags & ~VFS_CAP_FLAGS_EFFECTIVE) !== 0) {
    throw badXattr(
      `magic_etc ${hex32(magic)} has unknown flag bits ${hex32(flags & ~VFS_CAP_FLAGS_EFFECTIVE)}; ` +
        'only 0x00000001 (effective) is defined',
    );
  }
  const word = (i: number): bigint => BigInt(view.getUint32(4 * i, true));
  const permitted = version === 1 ? word(1) : word(1) | (word(3) << 32n);
  const inheritable = version === 1 ? word(2) : word(2) | (word(4) << 32n);
  const decoded: FileCapsXattr = {
    version,
    effective: (flags & VFS_CAP_FLAGS_EFFECTIVE) !== 0,
    permitted: CapSet.fromMask(permitted),
    inheritable: CapSet.fromMask(inheritable),
  };
  if (version === 3) decoded.rootid = view.getUint32(20, true);
  return decoded;
}

/**
 * Encodes sets and the fE flag as a `security.capability` value. v2 by default (what setcap
 * writes), v3 with `rootid` (what `setcap -n ROOTID` writes), v1 only for sets within caps 0–31
 * (the kernel reads v1 but no longer accepts it on write).
 * @throws CapsError `ERR_CAPS_INVALID_ARG` for a bad version/rootid, or caps ≥ 32 in a v1 value.
 */
export function encodeFileCaps(caps: FileCapsFields, options: EncodeOptions = {}): Uint8Array {
  if (caps === null || typeof caps !== 'object') {
    throw invalidArg('file capabilities', caps, '{ effective: boolean, permitted?, inheritable? }');
  }
  if (typeof caps.effective !== 'boolean') {
    throw invalidArg('effective flag', caps.effective, 'a boolean (the file-caps E flag is all or nothing)');
  }
  const { rootid } = options;
  const version = options.version ?? (rootid === undefined ? 2 : 3);
  if (version !== 1 && version !== 2 && version !== 3) {
    throw invalidArg('xattr version', options.version, '1, 2 or 3');
  }
  if (rootid !== undefined) {
    if (!Number.isInteger(rootid) || rootid < 0 || rootid > 0xffffffff) {
      throw invalidArg('rootid', rootid, 'an integer uid from 0 to 4294967295');
    }
    if (version !== 3) throw invalidArg('xattr version', version, '3 (only v3 carries a rootid)');
  }
  const permitted = CapSet.from(caps.permitted ?? CapSet.EMPTY).toMask();
  const inheritable = CapSet.from(caps.inheritable ?? CapSet.EMPTY).toMask();
  if (version === 1 && (permitted | inheritable) > WORD) {
    throw invalidArg('v1 file capabilities', `${(permitted | inheritable).toString(16)}`, 'capabilities 0–31 only (v1 holds one 32-bit word per set)');
  }
  const bytes = new Uint8Array(SIZE[version]);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, (REVISION_MAGIC[version] | (caps.effective ? VFS_CAP_FLAGS_EFFECTIVE : 0)) >>> 0, true);
  view.setUint32(4, Number(permitted & WORD), true);
  view.setUint32(8, Number(inheritable & WORD), true);
  if (version >= 2) {
    view.setUint32(12, Number(permitted >> 32n), true);
    view.setUint32(16, Number(inheritable >> 32n), true);
  }
  if (version === 3) view.setUint32(20, rootid ?? 0, true);
  return bytes;
}
