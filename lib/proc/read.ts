/**
 * Reading credentials from /proc: one thread, every thread of a process, every process.
 *
 * The exported calls are synchronous on purpose: a read of `/proc/thread-self` or `/proc/self/…`
 * through async fs runs on a libuv threadpool thread (node-engineering §0.7, E7), and the
 * per-thread files must be read while the caller's view of the process holds still. Each is
 * written once as a reader (lib/proc/io.ts); `promises.*` (lib/operations/promises.ts) runs the
 * same readers asynchronously for other processes.
 */
import { listDir, readLink, readText, runSync, type Reader } from './io.js';
import { CapsError, invalidArg, syscallError } from '../vocabulary/errors.js';
import type { CapSet } from '../vocabulary/capset.js';
import { parseStatus, type ProcStatus } from './status.js';
import { readUserNames } from '../accounts/files.js';
import { assertLinuxProc, checkProcfs } from './procfs.js';

export { parseStatus, statusToThreadState } from './status.js';
export type { ProcStatus, SignalMasks } from './status.js';
export { parsePasswd } from '../accounts/files.js';

/**
 * A pid as the /proc readers take it: a positive integer, or 'self' for this process.
 * @example
 * const who: ProcPid[] = ['self', 1];
 * who.map((pid) => readProcessStatus(pid).name);
 */
export type ProcPid = number | 'self';

/**
 * Where the readers find procfs: `procRoot` (default '/proc'), as libcap's cap_proc_root. It must be a procfs mount.
 * @example
 * const options: ProcReadOptions = { procRoot: '/proc' };   // or a container's /proc
 * readProcessStatus(1, options).bounding.size;
 */
export interface ProcReadOptions {
  /** Where procfs is mounted (default '/proc'): a container's /proc, or a fake tree in tests (libcap's cap_proc_root). */
  procRoot?: string;
}

/** The procfs root an options object names (checked: a non-empty absolute path). */
export function procRootOf(options: ProcReadOptions | undefined): string {
  if (options === undefined) return '/proc';
  if (options === null || typeof options !== 'object') throw invalidArg('options', options, '{ procRoot? }');
  const root = options.procRoot ?? '/proc';
  if (typeof root !== 'string' || !root.startsWith('/')) throw invalidArg('procRoot', root, "an absolute path to a procfs mount, such as '/proc'");
  return root.replace(/\/+$/, '') || '/';
}

export function checkPid(pid: unknown): asserts pid is ProcPid {
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

/** One status file, procfs-checked and parsed; errors name the path. */
export function* statusFile(path: string): Reader<ProcStatus> {
  assertLinuxProc(path);
  let text: string;
  try {
    text = yield* readText(path);
    yield* checkProcfs(path);
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

/**
 * The status of a process as a whole (`/proc/<pid>/status`: its main thread's credentials).
 * @example
 * const init = readProcessStatus(1);
 * init.name;                              // 'systemd', 'init', …
 * init.bounding.has('cap_sys_admin');
 */
export function readProcessStatus(pid: ProcPid = 'self', options?: ProcReadOptions): ProcStatus {
  checkPid(pid);
  return runSync(statusFile(`${procRootOf(options)}/${pid}/status`));
}

/**
 * One thread's status (`/proc/<pid>/task/<tid>/status`). Throws CapsError with the errno of
 * the failed read (ENOENT once the thread has exited).
  * @example
  * readThreadStatus('self', process.pid).tid;   // the main thread: tid = pid
 */
export function readThreadStatus(pid: ProcPid, tid: number): ProcStatus {
  checkPid(pid);
  checkTid(tid);
  return runSync(statusFile(`/proc/${pid}/task/${tid}/status`));
}

/**
 * A thread or process that exists but could not be read (permissions, a parse failure…).
 * @example
 * const { unreadable }: { unreadable: Unreadable[] } = readProcessThreads('self');
 * unreadable.map((u) => `${u.tid}: ${u.error.code}`);   // [] for our own threads
 */
export interface Unreadable {
  /** The thread that could not be read. */
  tid: number;
  /** Why (EACCES, a parse error, …). */
  error: CapsError;
}

/**
 * Every thread of a process, ascending by tid.
 * @example
 * const all: ProcessThreads = readProcessThreads('self');
 * all.threads.every((t) => t.effective.equals(all.threads[0]!.effective));   // uniform?
 */
export interface ProcessThreads {
  /** Every thread that could be read, ascending by tid. */
  threads: ProcStatus[];
  /** Threads that exist but could not be read; threads that exited during the read are left out. */
  unreadable: Unreadable[];
}

function* numericEntries(dir: string): Reader<number[]> {
  let names: string[];
  try {
    names = yield* listDir(dir);
    yield* checkProcfs(dir);
  } catch (err) {
    throw err instanceof CapsError ? err : fromFsError(err, dir);
  }
  return names.filter((n) => /^[0-9]+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/**
 * Reads every thread of a process (default: this one) from `/proc/<pid>/task/*\/status`.
 * A thread that exits mid-read is skipped silently; one that cannot be read is listed in
 * `unreadable`. Throws CapsError (ENOENT) if the process itself does not exist.
  * @example
  * const { threads } = readProcessThreads(1);
  * threads.map((t) => `${t.tid} ${t.effective.toHex()}`);
 */
export function readProcessThreads(pid: ProcPid = 'self', options?: ProcReadOptions): ProcessThreads {
  checkPid(pid);
  return runSync(processThreads(procRootOf(options), pid));
}

/** readProcessThreads as a reader. */
export function* processThreads(root: string, pid: ProcPid): Reader<ProcessThreads> {
  const taskDir = `${root}/${pid}/task`;
  assertLinuxProc(taskDir);
  let tids = yield* numericEntries(taskDir);
  // Cross-check the listing with the kernel's own count (issue 11, F1). Threads come and go, so
  // only a count that holds still around the listing and differs from it, every time, refuses.
  let contradictions = 0;
  const attempts = 5;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const before = yield* threadCount(root, pid);
    if (before === undefined) break;
    if (attempt > 0) tids = yield* numericEntries(taskDir);
    const after = yield* threadCount(root, pid);
    if (before !== after) continue;
    if (after === tids.length) break;
    if (++contradictions === attempts) {
      throw new CapsError({
        code: 'ERR_CAPS_NO_PROCFS',
        message: `${taskDir} lists ${tids.length} task(s) but ${root}/${pid}/status counts ${after} threads: this /proc does not show the kernel's threads, so they cannot be verified`,
        path: taskDir,
      });
    }
  }
  const threads: ProcStatus[] = [];
  const unreadable: Unreadable[] = [];
  for (const tid of tids) {
    const path = `${taskDir}/${tid}/status`;
    try {
      threads.push(yield* statusFile(path));
    } catch (err) {
      if (vanished(err)) continue;
      if (err instanceof CapsError && err.code === 'ERR_CAPS_NO_PROCFS') throw err;
      unreadable.push({ tid, error: err instanceof CapsError ? err : fromFsError(err, path) });
    }
  }
  return { threads, unreadable };
}

/** The `Threads:` count of <root>/<pid>/status (procfs-checked), or undefined if the process is gone. */
function* threadCount(root: string, pid: ProcPid): Reader<number | undefined> {
  const path = `${root}/${pid}/status`;
  let threads: number | undefined;
  try {
    threads = (yield* statusFile(path)).threadCount;
  } catch (err) {
    if (vanished(err)) return undefined;
    throw err;
  }
  if (threads === undefined) throw new CapsError({ code: 'ERR_CAPS_NO_PROCFS', message: `${path} has no Threads: line: it is not the kernel's status file`, path });
  return threads;
}

/**
 * What pscap shows about a process, and the full status behind it.
 * @example
 * const root: ProcessInfo[] = listProcesses().processes.filter((p) => p.uid === 0 && !p.kernelThread);
 * root.map((p) => `${p.pid} ${p.command} ${p.effective}`);
 */
export interface ProcessInfo {
  /** The process id. */
  pid: number;
  /** The parent's process id. */
  ppid: number;
  /** The effective uid. */
  uid: number;
  /** The account name of the effective uid (from /etc/passwd), or undefined if it has none. */
  user: string | undefined;
  /** The command name (comm). */
  command: string;
  /** I of the main thread. */
  inheritable: CapSet;
  /** P of the main thread. */
  permitted: CapSet;
  /** E of the main thread. */
  effective: CapSet;
  /** The bounding set of the main thread. */
  bounding: CapSet;
  /** The ambient set of the main thread. */
  ambient: CapSet;
  /** no_new_privs of the main thread. */
  noNewPrivs: boolean;
  /** Seccomp mode (0 none, 1 strict, 2 filter); undefined where the kernel does not print it. */
  seccomp: number | undefined;
  /** A kernel thread (no user space; pscap leaves these out). */
  kernelThread: boolean;
  /** The `/proc/<pid>/ns/user` link, e.g. `user:[4026531837]`; undefined if unreadable. */
  userNamespace: string | undefined;
  /**
   * True when the process lives in another user namespace than ours — pscap's ` *` mark (pscap
   * compares with its own namespace too: the links of namespaces other than ours and our
   * descendants' cannot be read). Undefined if its namespace link cannot be read.
   */
  inChildUserNamespace: boolean | undefined;
  /** The main thread's whole status file, parsed. */
  status: ProcStatus;
}

/**
 * A process that exists but could not be read.
 * @example
 * const skipped: UnreadableProcess[] = listProcesses().unreadable;
 * skipped.length;   // 0 as root
 */
export interface UnreadableProcess {
  /** The process that could not be read. */
  pid: number;
  /** Why (EACCES, a parse error, …). */
  error: CapsError;
}

/**
 * Every process on the host, ascending by pid.
 * @example
 * const list: ProcessList = listProcesses();
 * list.processes.filter((p) => p.ambient.size > 0).map((p) => p.pid);   // who runs with ambient caps
 */
export interface ProcessList {
  /** Every process that could be read, ascending by pid. */
  processes: ProcessInfo[];
  /** Processes that exist but could not be read; processes that exited during the listing are left out. */
  unreadable: UnreadableProcess[];
}

/** A /proc/<pid>/ns/user link, or undefined where it cannot be read. */
export function* userNamespaceLink(root: string, pid: ProcPid): Reader<string | undefined> {
  try {
    return yield* readLink(`${root}/${pid}/ns/user`);
  } catch {
    return undefined;
  }
}

/**
 * Lists every process of this pid namespace with what pscap shows (ppid, pid, user, command,
 * capability sets, ambient/bounding, child user namespace) and no_new_privs. Processes that
 * exit during the listing are skipped; those that cannot be read are listed in `unreadable`.
 * `procRoot`: another procfs mount (another pid namespace's); see `promises.listProcesses`
 * for a listing that does not block the event loop.
  * @example
  * for (const p of listProcesses().processes) {
  *   if (p.effective.size > 0 && p.uid !== 0) console.log(p.pid, p.command, p.effective.toString());
  * }
 */
export function listProcesses(options?: ProcReadOptions): ProcessList {
  return runSync(processList(procRootOf(options)));
}

/** listProcesses as a reader. */
export function* processList(root: string): Reader<ProcessList> {
  const userName = readUserNames();
  const referenceNs = yield* userNamespaceLink('/proc', 'self');
  const processes: ProcessInfo[] = [];
  const unreadable: UnreadableProcess[] = [];
  assertLinuxProc(root);
  const pids = yield* numericEntries(root);
  // Our own procfs lists the caller itself (as /proc/self names it); one that does not cannot be
  // the process list of our pid namespace (issue 11). Another procRoot is another namespace's.
  if (root === '/proc') {
    let self: number;
    try {
      self = Number(yield* readLink('/proc/self'));
    } catch (err) {
      throw new CapsError({ code: 'ERR_CAPS_NO_PROCFS', message: `/proc/self cannot be read (${(err as Error).message}): /proc does not list this process`, path: '/proc/self', cause: err });
    }
    if (!pids.includes(self)) {
      throw new CapsError({ code: 'ERR_CAPS_NO_PROCFS', message: `/proc does not list this process (${self}): it is not the process list of this pid namespace`, path: '/proc' });
    }
  }
  for (const pid of pids) {
    const path = `${root}/${pid}/status`;
    let status: ProcStatus;
    try {
      status = yield* statusFile(path);
    } catch (err) {
      if (vanished(err)) continue;
      unreadable.push({ pid, error: err instanceof CapsError ? err : fromFsError(err, path) });
      continue;
    }
    const ns = yield* userNamespaceLink(root, pid);
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
