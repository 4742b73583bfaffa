/**
 * Where fileCaps reads and writes the raw `security.capability` bytes: the Backend when it
 * has the xattr methods (the kernel through the addon, or the model's simulated files); until
 * the Backend contract grows them (.coord/backend-requests.md), the addon's xattr functions.
 * Internal: not exported from the package root.
 */
import { getBackend, type Backend } from './backend.js';
import { CapsError } from './errors.js';
import { loadNative } from './native.js';

/** Raw xattr access, path or fd; every method returns a negative errno on failure. */
export interface FileCapsIo {
  /** The bytes, or -errno (-ENODATA: none; -ELOOP: the path is a symlink, never followed). */
  readFileCaps(target: string | number): Uint8Array | number;
  /** 0 or -errno. */
  writeFileCaps(target: string | number, value: Uint8Array): number;
  /** 0 or -errno (-ENODATA: nothing to remove). */
  removeFileCaps(target: string | number): number;
}

let override: FileCapsIo | undefined;

/** Tests only: answer file-caps I/O with `io` (undefined restores the backend). */
export function useFileCapsIo(io: FileCapsIo | undefined): void {
  override = io;
}

function hasFileCaps(backend: Backend): backend is Backend & FileCapsIo {
  const b = backend as Backend & Partial<FileCapsIo>;
  return typeof b.readFileCaps === 'function' && typeof b.writeFileCaps === 'function' && typeof b.removeFileCaps === 'function';
}

/** The I/O that answers now. @throws CapsError ERR_CAPS_UNSUPPORTED when the backend has no files. */
export function fileCapsIo(): FileCapsIo {
  if (override) return override;
  const backend = getBackend();
  if (hasFileCaps(backend)) return backend;
  if (backend.kind === 'native') return nativeFileCapsIo();
  throw new CapsError({
    code: 'ERR_CAPS_UNSUPPORTED',
    message: `the ${backend.kind} backend cannot read or write file capabilities (it has no security.capability methods)`,
  });
}

/** The addon's xattr functions (native/xattr.h), path or fd chosen by the target's type. */
interface NativeXattr {
  xattrGetPath(path: string): Uint8Array | number;
  xattrGetFd(fd: number): Uint8Array | number;
  xattrSetPath(path: string, value: Uint8Array): number;
  xattrSetFd(fd: number, value: Uint8Array): number;
  xattrRemovePath(path: string): number;
  xattrRemoveFd(fd: number): number;
}

let nativeIo: FileCapsIo | undefined;

function nativeFileCapsIo(): FileCapsIo {
  if (nativeIo) return nativeIo;
  let addon: NativeXattr;
  try {
    addon = loadNative() as unknown as NativeXattr;
  } catch (err) {
    throw new CapsError({ code: 'ERR_CAPS_UNSUPPORTED', message: `file capabilities need the linux-caps addon: ${(err as Error).message}`, cause: err });
  }
  if (typeof addon.xattrGetPath !== 'function') {
    throw new CapsError({ code: 'ERR_CAPS_UNSUPPORTED', message: 'this build of the linux-caps addon has no xattr functions (rebuild: npm run build:native)' });
  }
  nativeIo = {
    readFileCaps: (t) => (typeof t === 'number' ? addon.xattrGetFd(t) : addon.xattrGetPath(t)),
    writeFileCaps: (t, v) => (typeof t === 'number' ? addon.xattrSetFd(t, v) : addon.xattrSetPath(t, v)),
    removeFileCaps: (t) => (typeof t === 'number' ? addon.xattrRemoveFd(t) : addon.xattrRemovePath(t)),
  };
  return nativeIo;
}
