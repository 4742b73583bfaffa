/**
 * Where fileCaps reads and writes the raw `security.capability` bytes: the Backend's xattr
 * methods (the kernel through the addon, or the model's simulated files), or a test's override.
 * Internal: not exported from the package root.
 */
import { getBackend } from './backend.js';

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

/** The I/O that answers now: the backend's (the kernel through the addon, or the model's files). */
export function fileCapsIo(): FileCapsIo {
  return override ?? getBackend();
}
