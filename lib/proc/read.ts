/**
 * Reading credentials from /proc: one thread, every thread of a process, every process.
 *
 * Everything here is synchronous on purpose: a read of `/proc/thread-self` or `/proc/self/…`
 * through async fs runs on a libuv threadpool thread (node-engineering §0.7, E7), and the
 * per-thread files must be read while the caller's view of the process holds still.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { CapsError, invalidArg, syscallError } from '../vocabulary/errors.js';
import type { CapSet } from '../vocabulary/capset.js';
import { parseStatus, type ProcStatus } from './status.js';
import { readUserNames } from '../accounts/files.js';
import { assertLinuxProc, assertProcfs } from './procfs.js';

export { parseStatus, statusToThreadState } from './status.js';
export type { ProcStatus, SignalMasks } from './status.js';
export { parsePasswd } from '../accounts/files.js';

/** A pid as the /proc readers take it: a positive integer, or 'self' for this process. */
export type ProcPid = number | 'self';

function checkPid(pid: unknown): asserts pid is ProcPid {
  if (pid === 'self') return;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) {
    throw invalidArg('pid', pid, "a positive integer or 'self'");
  }
}

function checkTid(tid: unknown): asserts tid is number {
  if (typeof tid !== 'number' || !Number.isSafeInteger(tid) || tid <= 0) {
    throw invalidArg('tid', tid, 'a positive integer');
  }
}

interface NodeSystemError {
  errno?: number;
  code?: string;
  syscall?: string;
}

/** A Node fs error as a CapsError with the same errno, syscall and path. */
function fromFsError(err: unknown, path: string): CapsError {
  const e = err as NodeSystemError;
  if (typeof e?.errno !== 'number') {
    return new CapsError({ code: 'ERR_CAPS_PROC_READ', message: `cannot read ${path}: ${String(err)}`, path, cause: err });
  }
  return syscallError({ errno: e.errno, syscall: e.syscall ?? 'open', detail: `'${path}'`, path });
}

/** The task (or process) no longer exists: its directory is gone, or reads say ESRCH. */
function vanished(err: unknown): boolean {
  const code = (err as NodeSystemError)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

function readStatusFile(path: string): ProcStatus {
  assertLinuxProc(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    assertProcfs(path);
  } catch (err) {
    throw err instanceof CapsError ? err : fromFsError(err, path);
  }
  try {
    return parseStatus(text);
  } catch (err) {
    if (err instanceof CapsError) {
      throw new CapsError({ code: err.code, message: err.message.replace(/^\/proc status/, path), path, ...(err.expected ? { expected: err.expected } : {}) });
    }
    throw err;
  }
}

/** The status of a process as a whole (`/proc/<pid>/status`: its main thread's credentials). */
export function readProcessStatus(pid: ProcPid = 'self'): ProcStatus {
  checkPid(pid);
  return readStatusFile(`/proc/${pid}/status`);
}

/**
 * One thread's status (`/proc/<pid>/task/<tid>/status`). Throws CapsError with the errno of
 * the failed read (ENOENT once the thread has exited).
 */
export function readThreadStatus(pid: ProcPid, tid: number): ProcStatus {
  checkPid(pid);
  checkTid(tid);
  return readStatusFile(`/proc/${pid}/task/${tid}/status`);
}

/** A thread or process that exists but could not be read (permissions, a parse failure…). */
export interface Unreadable {
  tid: number;
  error: CapsError;
}

/** Every thread of a process, ascending by tid. */
export interface ProcessThreads {
  threads: ProcStatus[];
  /** Threads that exist but could not be read; threads that exited during the read are left out. */
  unreadable: Unreadable[];
}

function numericEntries(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
    assertProcfs(dir);
  } catch (err) {
    throw err instanceof CapsError ? err : fromFsError(err, dir);
  }
  return names.filter((n) => /^[0-9]+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/**
 * Reads every thread of a process (default: this one) from `/proc/<pid>/task/*\/status`.
 * A thread that exits mid-read is skipped silently; one that cannot be read is listed in
 * `unreadable`. Throws CapsError (ENOENT) if the process itself does not exist.
 */
export function readProcessThreads(pid: ProcPid = 'self'): ProcessThreads {
  checkPid(pid);
  assertLinuxProc(`/proc/${pid}/task`);
  let tids = numericEntries(`/proc/${pid}/task`);
  // Cross-check the listing with the kernel's own count (issue 11, F1). Threads come and go, so
  // only a count that holds still around the listing and differs from it, every time, refuses.
  let contradictions = 0;
  const attempts = 5;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const before = threadCount(pid);
    if (before === undefined) break;
    if (attempt > 0) tids = numericEntries(`/proc/${pid}/task`);
    const after = threadCount(pid);
    if (before !== after) continue;
    if (after === tids.length) break;
    if (++contradictions === attempts) {
      throw new CapsError({
        code: 'ERR_CAPS_NO_PROCFS',
        message: `/proc/${pid}/task lists ${tids.length} task(s) but /proc/${pid}/status counts ${after} threads: this /proc does not show the kernel's threads, so they cannot be verified`,
        path: `/proc/${pid}/task`,
      });
    }
  }
  const threads: ProcStatus[] = [];
  const unreadable: Unreadable[] = [];
  for (const tid of tids) {
    const path = `/proc/${pid}/task/${tid}/status`;
    try {
      threads.push(readStatusFile(path));
    } catch (err) {
      if (vanished(err)) continue;
      if (err instanceof CapsError && err.code === 'ERR_CAPS_NO_PROCFS') throw err;
      unreadable.push({ tid, error: err instanceof CapsError ? err : fromFsError(err, path) });
    }
  }
  return { threads, unreadable };
}

/** The `Threads:` count of /proc/<pid>/status (procfs-checked), or undefined if the process is gone. */
function threadCount(pid: ProcPid): number | undefined {
  const path = `/proc/${pid}/status`;
  let threads: number | undefined;
  try {
    threads = readStatusFile(path).threads;
  } catch (err) {
    if (vanished(err)) return undefined;
    throw err;
  }
  if (threads === undefined) throw new CapsError({ code: 'ERR_CAPS_NO_PROCFS', message: `${path} has no Threads: line: it is not the kernel's status file`, path });
  return threads;
}

/** What pscap shows about a process, and the full status behind it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The effective uid. */
  uid: number;
  /** The account name of the effective uid (from /etc/passwd), or undefined if it has none. */
  user: string | undefined;
  /** The command name (comm). */
  command: string;
  inheritable: CapSet;
  permitted: CapSet;
  effective: CapSet;
  bounding: CapSet;
  ambient: CapSet;
  noNewPrivs: boolean;
  seccomp: number | undefined;
  kernelThread: boolean;
  /** The `/proc/<pid>/ns/user` link, e.g. `user:[4026531837]`; undefined if unreadable. */
  userNamespace: string | undefined;
  /**
   * True when the process lives in another user namespace than ours — pscap's ` *` mark (pscap
   * compares with its own namespace too: the links of namespaces other than ours and our
   * descendants' cannot be read). Undefined if its namespace link cannot be read.
   */
  inChildUserNamespace: boolean | undefined;
  status: ProcStatus;
}

/** A process that exists but could not be read. */
export interface UnreadableProcess {
  pid: number;
  error: CapsError;
}

/** Every process on the host, ascending by pid. */
export interface ProcessList {
  processes: ProcessInfo[];
  /** Processes that exist but could not be read; processes that exited during the listing are left out. */
  unreadable: UnreadableProcess[];
}

function userNamespaceLink(pid: ProcPid): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/user`);
  } catch {
    return undefined;
  }
}

/**
 * Lists every process of this pid namespace with what pscap shows (ppid, pid, user, command,
 * capability sets, ambient/bounding, child user namespace) and no_new_privs. Processes that
 * exit during the listing are skipped; those that cannot be read are listed in `unreadable`.
 */
export function listProcesses(): ProcessList {
  const userName = readUserNames();
  const referenceNs = userNamespaceLink('self');
  const processes: ProcessInfo[] = [];
  const unreadable: UnreadableProcess[] = [];
  const pids = numericEntries('/proc');
  // A procfs lists the caller itself (as /proc/self names it); one that does not cannot be the
  // process list of our pid namespace (issue 11).
  let self: number;
  try {
    self = Number(readlinkSync('/proc/self'));
  } catch (err) {
    throw new CapsError({ code: 'ERR_CAPS_NO_PROCFS', message: `/proc/self cannot be read (${(err as Error).message}): /proc does not list this process`, path: '/proc/self', cause: err });
  }
  if (!pids.includes(self)) {
    throw new CapsError({ code: 'ERR_CAPS_NO_PROCFS', message: `/proc does not list this process (${self}): it is not the process list of this pid namespace`, path: '/proc' });
  }
  for (const pid of pids) {
    const path = `/proc/${pid}/status`;
    let status: ProcStatus;
    try {
      status = readStatusFile(path);
    } catch (err) {
      if (vanished(err)) continue;
      unreadable.push({ pid, error: err instanceof CapsError ? err : fromFsError(err, path) });
      continue;
    }
    const ns = userNamespaceLink(pid);
    processes.push({
      pid: status.tgid,
      ppid: status.ppid,
      uid: status.uid.effective,
      user: userName(status.uid.effective),
      command: status.name,
      inheritable: status.inheritable,
      permitted: status.permitted,
      effective: status.effective,
      bounding: status.bounding,
      ambient: status.ambient,
      noNewPrivs: status.noNewPrivs,
      seccomp: status.seccomp,
      kernelThread: status.kernelThread,
      userNamespace: ns,
      inChildUserNamespace: ns === undefined || referenceNs === undefined ? undefined : ns !== referenceNs,
      status,
    });
  }
  return { processes, unreadable };
}
