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
 * The layout is read and written here only (`readXattrLayout`, `writeXattrLayout`); the public
 * codec below and the model's rules (model/modern/xattr-rules.ts) build on it.
 * Pure: no I/O. Malformed bytes give `CapsError` code `ERR_CAPS_BAD_XATTR` saying what is wrong.
 */
import { CapSet, type CapSetInput } from '../vocabulary/capset.js';
import { CapsError, invalidArg } from '../vocabulary/errors.js';
import {
  EINVAL, VFS_CAP_FLAGS_EFFECTIVE, VFS_CAP_REVISION_1, VFS_CAP_REVISION_2, VFS_CAP_REVISION_3, VFS_CAP_REVISION_MASK, XATTR_CAPS_SZ_1, XATTR_CAPS_SZ_2, XATTR_CAPS_SZ_3,
} from '../vocabulary/abi.js';
export { VFS_CAP_REVISION_MASK, VFS_CAP_FLAGS_EFFECTIVE } from '../vocabulary/abi.js';

/**
 * A revision number of the xattr format.
 * @example
 * const version: FileCapsVersion = decodeFileCaps(encodeFileCaps({ effective: true, permitted: ['cap_net_raw'] })).version;   // 2
 */
export type FileCapsVersion = 1 | 2 | 3;

/**
 * A decoded `security.capability` value.
 * @example
 * const x: FileCapsXattr = decodeFileCaps(encodeFileCaps({ effective: true, permitted: ['cap_net_raw'] }, { rootid: 1000 }));
 * x.rootid;   // 1000 (version 3)
 */
export interface FileCapsXattr {
  /** The revision the bytes declare: 1, 2 or 3. */
  version: FileCapsVersion;
  /** The single fE flag: at exec, E' = P' when set, else E' = A' (kernel-semantics §2.6 step 8). */
  effective: boolean;
  /** fP. */
  permitted: CapSet;
  /** fI. */
  inheritable: CapSet;
  /** v3 only: the uid, in the filesystem's user namespace, whose root the caps belong to. */
  rootid?: number;
}

/**
 * What `encodeFileCaps` takes: sets as CapSet, bigint mask or names/numbers.
 * @example
 * const fields: FileCapsFields = { effective: false, inheritable: ['cap_net_raw'] };
 * encodeFileCaps(fields).length;   // 20: a v2 xattr
 */
export interface FileCapsFields {
  /** The fE flag. */
  effective: boolean;
  /** fP (default empty). */
  permitted?: CapSetInput;
  /** fI (default empty). */
  inheritable?: CapSetInput;
}

/**
 * Options of encodeFileCaps: which revision to write.
 * @example
 * const options: FileCapsEncodeOptions = { rootid: 100000 };   // for a user namespace's root
 * encodeFileCaps({ effective: true, permitted: ['cap_net_bind_service'] }, options).length;   // 24: v3
 */
export interface EncodeOptions {
  /** Default: 3 when `rootid` is given, else 2 (what setcap writes). */
  version?: FileCapsVersion;
  /** v3 root id (0..2^32-1); implies version 3. */
  rootid?: number;
}

const REVISION_MAGIC: Record<FileCapsVersion, number> = { 1: VFS_CAP_REVISION_1, 2: VFS_CAP_REVISION_2, 3: VFS_CAP_REVISION_3 };
/** Sizes in bytes of each revision (kernel-semantics §2.7). */
export const XATTR_SIZE: Readonly<Record<FileCapsVersion, number>> = Object.freeze({ 1: XATTR_CAPS_SZ_1, 2: XATTR_CAPS_SZ_2, 3: XATTR_CAPS_SZ_3 });
const WORD = 0xffffffffn;

/**
 * The words of a `security.capability` value as the kernel reads them (get_vfs_caps_from_disk,
 * kernel-semantics §2.7): the revision must be known and the size exactly the revision's. Flag
 * bits are returned, not judged (the kernel ignores unknown ones on read).
 */
export type XattrLayout =
  | { ok: true; version: FileCapsVersion; magic: number; flags: number; permitted: bigint; inheritable: bigint; rootid: number }
  | { ok: false; problem: 'short' | 'revision' | 'size'; magic: number; revision: number; version?: FileCapsVersion; length: number };

/** The layout of `bytes`, or which of the kernel's read checks it fails (short, revision, size). */
export function readXattrLayout(bytes: Uint8Array): XattrLayout {
  const length = bytes.length;
  if (length < 4) return { ok: false, problem: 'short', magic: 0, revision: 0, length };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  const revision = (magic & VFS_CAP_REVISION_MASK) >>> 0;
  const version = ([1, 2, 3] as const).find((v) => REVISION_MAGIC[v] === revision);
  if (version === undefined) return { ok: false, problem: 'revision', magic, revision, length };
  if (length !== XATTR_SIZE[version]) return { ok: false, problem: 'size', magic, revision, version, length };
  const word = (i: number): bigint => BigInt(view.getUint32(4 * i, true));
  return {
    ok: true, version, magic, flags: (magic & ~VFS_CAP_REVISION_MASK) >>> 0,
    permitted: version === 1 ? word(1) : word(1) | (word(3) << 32n),
    inheritable: version === 1 ? word(2) : word(2) | (word(4) << 32n),
    rootid: version === 3 ? view.getUint32(20, true) : 0,
  };
}

/** The bytes for a value (v1 keeps the low word of each set; v3 carries rootid). Validation is the caller's. */
export function writeXattrLayout(version: FileCapsVersion, effective: boolean, permitted: bigint, inheritable: bigint, rootid = 0): Uint8Array {
  const bytes = new Uint8Array(XATTR_SIZE[version]);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, (REVISION_MAGIC[version] | (effective ? VFS_CAP_FLAGS_EFFECTIVE : 0)) >>> 0, true);
  view.setUint32(4, Number(permitted & WORD), true);
  view.setUint32(8, Number(inheritable & WORD), true);
  if (version >= 2) {
    view.setUint32(12, Number((permitted >> 32n) & WORD), true);
    view.setUint32(16, Number((inheritable >> 32n) & WORD), true);
  }
  if (version === 3) view.setUint32(20, rootid >>> 0, true);
  return bytes;
}

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
  * @example
  * const bytes = encodeFileCaps({ effective: true, permitted: ['cap_net_raw'] });
  * decodeFileCaps(bytes).permitted.names();   // ['cap_net_raw']
 */
export function decodeFileCaps(bytes: Uint8Array): FileCapsXattr {
  if (!(bytes instanceof Uint8Array)) throw invalidArg('xattr bytes', bytes, 'a Uint8Array (e.g. a Buffer)');
  const layout = readXattrLayout(bytes);
  if (!layout.ok) {
    if (layout.problem === 'short') throw badXattr(`${bytes.length} bytes is too short for the 4-byte magic_etc header`);
    if (layout.problem === 'revision') {
      throw badXattr(
        `unknown revision ${hex32(layout.revision)} in magic_etc ${hex32(layout.magic)}; ` +
          'expected 0x01000000 (v1), 0x02000000 (v2) or 0x03000000 (v3)',
      );
    }
    throw badXattr(`a v${layout.version} value must be ${XATTR_SIZE[layout.version!]} bytes, this one is ${bytes.length}`);
  }
  if ((layout.flags & ~VFS_CAP_FLAGS_EFFECTIVE) !== 0) {
    throw badXattr(
      `magic_etc ${hex32(layout.magic)} has unknown flag bits ${hex32(layout.flags & ~VFS_CAP_FLAGS_EFFECTIVE)}; ` +
        'only 0x00000001 (effective) is defined',
    );
  }
  const decoded: FileCapsXattr = {
    version: layout.version,
    effective: (layout.flags & VFS_CAP_FLAGS_EFFECTIVE) !== 0,
    permitted: CapSet.fromMask(layout.permitted),
    inheritable: CapSet.fromMask(layout.inheritable),
  };
  if (layout.version === 3) decoded.rootid = layout.rootid;
  return decoded;
}

/**
 * Encodes sets and the fE flag as a `security.capability` value. v2 by default (what setcap
 * writes), v3 with `rootid` (what `setcap -n ROOTID` writes), v1 only for sets within caps 0–31
 * (the kernel reads v1 but no longer accepts it on write).
 * @throws CapsError `ERR_CAPS_INVALID_ARG` for a bad version/rootid, or caps ≥ 32 in a v1 value.
  * @example
  * const bytes: Uint8Array = encodeFileCaps({ effective: true, permitted: ['cap_net_bind_service'] });
  * Buffer.from(bytes).toString('hex');   // what setcap writes as security.capability
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
  return writeXattrLayout(version, caps.effective, permitted, inheritable, rootid ?? 0);
}
