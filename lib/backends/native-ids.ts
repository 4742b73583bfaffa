/**
 * Process-wide id changes on the kernel: Node's process.setgroups/setgid/setuid, which glibc
 * applies to every thread (its SIGSETXID broadcast, spec node-engineering §2.1). Errors are
 * rethrown as CapsError with the syscall and what was asked.
 */
import { syscallError } from '../errors.js';

function run(syscall: string, detail: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw syscallError({ errno: typeof e.errno === 'number' ? e.errno : -1, syscall, detail: `${detail} (every thread, via glibc)` });
  }
}

export function setIdsEverywhere(ids: { groups?: readonly number[]; gid?: number; uid?: number }): void {
  if (ids.groups !== undefined) run('setgroups', `[${ids.groups.join(',')}]`, () => process.setgroups!([...ids.groups!]));
  if (ids.gid !== undefined) run('setresgid', String(ids.gid), () => process.setgid!(ids.gid!));
  if (ids.uid !== undefined) run('setresuid', String(ids.uid), () => process.setuid!(ids.uid!));
}
