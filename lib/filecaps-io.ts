/**
 * Where fileCaps reads and writes the raw `security.capability` bytes: the Backend when it
 * has the xattr methods (the kernel through the addon, or the model's simulated files).
 * Internal: not exported from the package root.
 */
import { getBackend, type Backend } from './backend.js';
import { CapsError } from './errors.js';

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
  throw new CapsError({
    code: 'ERR_CAPS_UNSUPPORTED',
    message: `the ${backend.kind} backend cannot read or write file capabilities (it has no security.capability methods)`,
  });
}
