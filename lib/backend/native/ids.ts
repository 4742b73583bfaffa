/**
 * Process-wide id changes on the kernel: libc's own setgroups, setresgid and setresuid called from
 * the addon, which glibc (its SIGSETXID broadcast, spec node-engineering §2.1) and musl apply to
 * every thread, as Node's process.setgroups/setgid/setuid do; no runtime's `process` object is
 * needed (issue 25: Deno's has no setgroups). Errors are thrown as CapsError with the syscall and
 * what was asked; nothing after a refused call runs.
 */
import { readFileSync } from 'node:fs';
import { CapsError, syscallError } from '../../vocabulary/errors.js';
import { parseIdMap, type UserNamespaceView } from '../../accounts/id-checks.js';
import { assertProcfs } from '../../proc/procfs.js';
import { requireNative } from './addon.js';

const STEPS = ['', 'setgroups', 'setresgid', 'setresuid'] as const;

export function setIdsEverywhere(ids: { groups?: readonly number[]; gid?: number; uid?: number }): void {
  const addon = requireNative('whole-process id changes');
  const [step, errno] = addon.setIds(ids.groups === undefined ? null : Uint32Array.from(ids.groups), ids.gid ?? -1, ids.uid ?? -1);
  if (step === 0) return;
  const detail = step === 1 ? `[${ids.groups!.join(',')}]` : String(step === 2 ? ids.gid : ids.uid);
  throw syscallError({ errno: errno!, syscall: STEPS[step!]!, detail: `${detail} (every thread, via libc)` });
}

/**
 * Whether this addon can change ids process-wide (an addon built before setIds cannot): checked
 * before a whole-process call changes anything.
 */
export function idsRefusal(): CapsError | undefined {
  const addon = requireNative('whole-process id changes');
  if (typeof addon.setIds === 'function') return undefined;
  return new CapsError({
    code: 'ERR_CAPS_UNSUPPORTED',
    message: 'this linux-caps addon has no setIds (it is older than the package\'s code): rebuild it (npm rebuild linux-caps); nothing was changed',
  });
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
