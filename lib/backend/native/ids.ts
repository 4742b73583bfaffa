/**
 * Process-wide id changes on the kernel: Node's process.setgroups/setgid/setuid, which glibc
 * applies to every thread (its SIGSETXID broadcast, spec node-engineering §2.1). Errors are
 * rethrown as CapsError with the syscall and what was asked.
 */
import { readFileSync } from 'node:fs';
import { syscallError } from '../../vocabulary/errors.js';
import { parseIdMap, type UserNamespaceView } from '../../accounts/id-checks.js';
import { assertProcfs } from '../../proc/procfs.js';

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

function readProcSelf(name: string): string {
  const path = `/proc/self/${name}`;
  const text = readFileSync(path, 'utf8');
  assertProcfs(path);
  return text;
}

/** /proc/self/setgroups, uid_map and gid_map (procfs-checked): what setIdsEverywhere will meet. */
export function readUserNamespace(): UserNamespaceView {
  return {
    setgroups: readProcSelf('setgroups').trim() === 'deny' ? 'deny' : 'allow',
    uidMap: parseIdMap(readProcSelf('uid_map')),
    gidMap: parseIdMap(readProcSelf('gid_map')),
  };
}
