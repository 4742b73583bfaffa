/**
 * The kernel's rules for the `security.capability` xattr (kernel-semantics §2.7): decoding
 * and validation as exec reads it, which namespaces it applies in, the conversion a write
 * undergoes, and how getxattr shows it from a namespace.
 */
import type { Cred, FileCaps, Transition, UserNamespace } from './types.js';
import { EINVAL, EOVERFLOW, EPERM } from './types.js';
import { readXattrLayout, writeXattrLayout, XATTR_SIZE } from '../../filecaps/codec.js';
import { INITIAL_USER_NS, capable, fromKgid, fromKuid, isSameOrAncestor, makeKuid } from './userns.js';
import { CAP_SETFCAP, VFS_CAP_FLAGS_EFFECTIVE, VFS_CAP_REVISION_2, VFS_CAP_REVISION_3 } from '../../vocabulary/abi.js';
export { VFS_CAP_REVISION_MASK, VFS_CAP_REVISION_1, VFS_CAP_REVISION_2, VFS_CAP_REVISION_3, VFS_CAP_FLAGS_EFFECTIVE } from '../../vocabulary/abi.js';

/** Sizes in bytes of each revision (kernel-semantics §2.7). */
export const XATTR_CAPS_SIZE = XATTR_SIZE;

const R = 'kernel-semantics §2.7';

function word(bytes: Uint8Array, i: number): number {
  const o = i * 4;
  return (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
}

/** Decoded caps or why the kernel rejects the bytes (EINVAL), as exec reads them. */
export type DecodeResult =
  | {
    /** The decoded capabilities. */
    caps: FileCaps;
    /** No error. */
    errno?: undefined;
    /** No error. */
    reason?: undefined;
  }
  | {
    /** Nothing decoded. */
    caps?: undefined;
    /** Why the kernel would not read it, as a negative errno (-EINVAL). */
    errno: number;
    /** The rule broken, in words (size, revision). */
    reason: string;
  };

/**
 * Decodes the xattr the way `get_vfs_caps_from_disk` does: the size must equal the revision's
 * size, unknown revisions are EINVAL; flags other than fE are ignored when reading.
 * Bits above `lastCap` are masked when `lastCap` is given.
 */
export function decodeFileCaps(bytes: Uint8Array, lastCap?: number): DecodeResult {
  const layout = readXattrLayout(bytes);
  if (!layout.ok) {
    if (layout.problem === 'short') return { errno: -EINVAL, reason: `security.capability of ${bytes.length} bytes is shorter than its header` };
    if (layout.problem === 'revision') return { errno: -EINVAL, reason: `unknown security.capability revision 0x${layout.revision.toString(16)}` };
    return { errno: -EINVAL, reason: `a v${layout.version} security.capability must be ${XATTR_SIZE[layout.version!]} bytes, not ${bytes.length}` };
  }
  const valid = lastCap === undefined ? -1n : (1n << BigInt(lastCap + 1)) - 1n;
  return {
    caps: {
      version: layout.version, permitted: layout.permitted & valid, inheritable: layout.inheritable & valid,
      effective: (layout.flags & VFS_CAP_FLAGS_EFFECTIVE) !== 0, rootid: layout.rootid,
    },
  };
}

/** Encodes decoded caps as the kernel stores them (v1: caps 0–31 only; v3 carries rootid). */
export function encodeFileCaps(caps: FileCaps): Uint8Array {
  return writeXattrLayout(caps.version, caps.effective, caps.permitted, caps.inheritable, caps.rootid);
}

/**
 * Whether file caps owned by `rootid` (a uid in `fsNs`; v1/v2 mean 0) apply to a task in
 * `ns`: the root kuid must be uid 0 in `ns` or in one of its ancestors (`rootid_owns_currentns`).
 */
export function fileCapsApply(caps: FileCaps, fsNs: UserNamespace, ns: UserNamespace): boolean {
  const kroot = makeKuid(fsNs, caps.version === 3 ? caps.rootid : 0);
  if (kroot < 0) return false;
  for (let cur: UserNamespace | null = ns; cur !== null; cur = cur.parent) if (fromKuid(cur, kroot) === 0) return true;
  return false;
}

/** A file as setxattr sees it: owner/group kuids and the superblock's namespace. */
export interface XattrTarget {
  /** The file's owner (a kernel id). */
  readonly uid: number;
  /** The file's group (a kernel id). */
  readonly gid: number;
  /** The user namespace of the filesystem it is on (default: the initial one). */
  readonly fsNs?: UserNamespace;
}

/**
 * setxattr("security.capability") by `writer` (kernel-semantics §2.7; `cap_convert_nscap`):
 * only exact v2/v3 headers (flag bit 0 only) → else EINVAL; CAP_SETFCAP in the writer's
 * namespace with the inode's uid/gid mapped there → else EPERM. A v2 from a writer with
 * CAP_SETFCAP over the superblock's namespace is stored as is; anything else is stored as v3
 * with the root id translated from the writer's namespace into the filesystem's (EINVAL if
 * it has no mapping). `result` is the bytes stored.
 */
export function convertFileCapsWrite(writer: Cred, target: XattrTarget, bytes: Uint8Array): Transition<Cred, Uint8Array> {
  const fsNs = target.fsNs ?? INITIAL_USER_NS;
  const magic = bytes.length >= 4 ? word(bytes, 0) : 0;
  const header = (magic & ~VFS_CAP_FLAGS_EFFECTIVE) >>> 0;
  const v2 = bytes.length === XATTR_CAPS_SIZE[2] && header === VFS_CAP_REVISION_2;
  const v3 = bytes.length === XATTR_CAPS_SIZE[3] && header === VFS_CAP_REVISION_3;
  if (!v2 && !v3) return { state: writer, errno: -EINVAL, rule: R, reason: 'only a 20-byte v2 or 24-byte v3 security.capability (flag 0x1 only) can be written' };
  if (!capable(writer, writer.ns, CAP_SETFCAP) || fromKuid(writer.ns, target.uid) < 0 || fromKgid(writer.ns, target.gid) < 0) {
    return { state: writer, errno: -EPERM, rule: R, reason: "writing file capabilities needs cap_setfcap in the writer's namespace, with the file's owner and group mapped there" };
  }
  if (v2 && capable(writer, fsNs, CAP_SETFCAP)) return { state: writer, result: bytes, rule: R };
  const rootInWriterNs = v3 ? word(bytes, 5) : 0;
  const kroot = makeKuid(writer.ns, rootInWriterNs);
  const nsroot = kroot < 0 ? -1 : fromKuid(fsNs, kroot);
  if (nsroot < 0) return { state: writer, errno: -EINVAL, rule: R, reason: "the root id cannot be expressed in the filesystem's namespace" };
  const out = new Uint8Array(XATTR_CAPS_SIZE[3]);
  out.set(bytes.subarray(0, XATTR_CAPS_SIZE[2]));
  const view = new DataView(out.buffer);
  view.setUint32(0, (VFS_CAP_REVISION_3 | (magic & VFS_CAP_FLAGS_EFFECTIVE)) >>> 0, true);
  view.setUint32(20, nsroot >>> 0, true);
  return { state: writer, result: out, rule: R, reason: v2 ? `v2 converted to v3 with rootid ${nsroot}` : undefined };
}

/**
 * getxattr("security.capability") as a task in `readerNs` sees it (`cap_inode_getsecurity`):
 * v3 whose root maps to a non-zero uid there → v3 with that rootid; one that maps to 0 or
 * owns the reader's namespace through an ancestor → v2; otherwise EOVERFLOW. v1/v2 as stored.
 */
export function viewFileCaps(stored: Uint8Array, readerNs: UserNamespace, fsNs: UserNamespace = INITIAL_USER_NS): {
  /** The bytes the reader sees (a v3 xattr converted for its namespace, or as stored). */
  bytes?: Uint8Array;
  /** The reader cannot see it: a negative errno. */
  errno?: number;
} {
  const decoded = decodeFileCaps(stored);
  if (decoded.errno !== undefined || decoded.caps.version !== 3) return { bytes: stored };
  const kroot = makeKuid(fsNs, decoded.caps.rootid);
  const mapped = kroot < 0 ? -1 : fromKuid(readerNs, kroot);
  if (mapped > 0) return { bytes: encodeFileCaps({ ...decoded.caps, rootid: mapped }) };
  if (!fileCapsApply(decoded.caps, fsNs, readerNs)) return { errno: -EOVERFLOW };
  return { bytes: encodeFileCaps({ ...decoded.caps, version: 2, rootid: 0 }) };
}

/** True if `fsNs` is a namespace whose suid/file caps a task in `ns` honours (`current_in_userns`). */
export function mountHonoured(fsNs: UserNamespace, ns: UserNamespace): boolean {
  return isSameOrAncestor(fsNs, ns);
}
