/**
 * The kernel's security.capability I/O: the addon's xattr functions (native/xattr.cc), path or
 * fd chosen by the target's type. A path is never followed (lgetxattr & co.; -ELOOP for a link).
 */
import { requireNative } from './addon.js';

const addon = () => requireNative('file capabilities');

/** The bytes, or -errno (-ENODATA: none; -ELOOP: the path is a symlink). */
export function readFileCaps(target: string | number): Uint8Array | number {
  const a = addon();
  return typeof target === 'number' ? a.xattrGetFd(target) : a.xattrGetPath(target);
}

/** 0 or -errno. */
export function writeFileCaps(target: string | number, value: Uint8Array): number {
  const a = addon();
  return typeof target === 'number' ? a.xattrSetFd(target, value) : a.xattrSetPath(target, value);
}

/** 0 or -errno (-ENODATA: nothing to remove). */
export function removeFileCaps(target: string | number): number {
  const a = addon();
  return typeof target === 'number' ? a.xattrRemoveFd(target) : a.xattrRemovePath(target);
}
