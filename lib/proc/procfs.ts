/**
 * /proc is authenticated (DESIGN "/proc is authenticated"; issue 11, F1): every /proc directory
 * or file that a check trusts must be on procfs. A tmpfs or bind mount over /proc with forged
 * status files would otherwise make a partial drop look complete.
 */
import { fsType, runSync, type Reader } from './io.js';
import { CapsError } from '../vocabulary/errors.js';

/** The f_type statfs(2) reports for procfs (linux/magic.h). */
export const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * Throws ERR_CAPS_NO_PROCFS unless `path` is on procfs. A path that cannot be stat'ed throws the
 * fs error unchanged (ENOENT: a task that exited), so callers keep their own handling of it.
 */
export function assertProcfs(path: string): void {
  runSync(checkProcfs(path));
}

/** assertProcfs as a step of a /proc reader (lib/proc/io.ts). */
export function* checkProcfs(path: string): Reader<void> {
  assertLinuxProc(path);
  const type = yield* fsType(path);
  if (type === PROC_SUPER_MAGIC) return;
  throw new CapsError({
    code: 'ERR_CAPS_NO_PROCFS',
    message: `${path} is on a filesystem of type 0x${type.toString(16)}, not procfs (0x${PROC_SUPER_MAGIC.toString(16)}): thread and process state read there cannot be trusted, so nothing was changed or listed`,
    path,
  });
}

/**
 * Throws ERR_CAPS_NO_PROCFS off Linux: there is no /proc to read another process from (win32,
 * darwin: the model backend simulates this process only; caps.get() and caps.threads() work).
 * Under wine, `/proc` even names the Linux host's through the Z: drive: never read it.
 */
export function assertLinuxProc(path: string): void {
  if (process.platform === 'linux') return;
  throw new CapsError({
    code: 'ERR_CAPS_NO_PROCFS',
    message: `${path}: there is no /proc on ${process.platform}, only on Linux: another process's threads cannot be read here (the model backend simulates this process: use caps.get() and caps.threads())`,
    path,
  });
}
