/**
 * `promises`: the /proc readers for other processes, asynchronous (as `fs/promises` is to
 * `fs`): a listing of every process does not block the event loop. The same readers as the
 * synchronous calls (lib/proc/io.ts), so both give the same results and errors.
 *
 * This process is refused: its per-thread files must be read on the calling thread, while its
 * view of the process holds still (node-engineering §0.7, E7); use the synchronous calls.
 */
import { invalidArg } from '../vocabulary/errors.js';
import { runAsync } from '../proc/io.js';
import {
  checkPid, procRootOf, processList, processThreads, statusFile,
  type ProcessList, type ProcessThreads, type ProcPid, type ProcReadOptions, type ProcStatus,
} from '../proc/read.js';
import { profileOf, type ContainerProfile } from './container.js';

/** Another process's pid: this process is read synchronously (see the file comment). */
function otherPid(pid: ProcPid, call: string, options: ProcReadOptions | undefined): number {
  checkPid(pid);
  if ((pid === 'self' || pid === process.pid) && procRootOf(options) === '/proc') {
    throw invalidArg('pid', pid, `another process: read this one with the synchronous ${call}() (its threads must be read on the calling thread)`);
  }
  return pid === 'self' ? process.pid : pid;
}

/**
 * Asynchronous readers of other processes' credentials, with a `procRoot` option (libcap's cap_proc_root).
 * @example
 * const { processes } = await promises.listProcesses();   // the event loop stays free
 * const init = await promises.readProcessThreads(1);
 * processes.length + init.threads.length;
 */
export const promises = {
  /** `readProcessStatus(pid)` without blocking: `/proc/<pid>/status`. */
  async readProcessStatus(pid: ProcPid, options?: ProcReadOptions): Promise<ProcStatus> {
    const target = otherPid(pid, 'readProcessStatus', options);
    return runAsync(statusFile(`${procRootOf(options)}/${target}/status`));
  },
  /** `readProcessThreads(pid)` without blocking: every thread of another process. */
  async readProcessThreads(pid: ProcPid, options?: ProcReadOptions): Promise<ProcessThreads> {
    const target = otherPid(pid, 'readProcessThreads', options);
    return runAsync(processThreads(procRootOf(options), target));
  },
  /**
   * `listProcesses()` without blocking: every process, as pscap lists them.
   *
   * @example const { processes } = await promises.listProcesses();
   */
  async listProcesses(options?: ProcReadOptions): Promise<ProcessList> {
    return runAsync(processList(procRootOf(options)));
  },
  /** `containerProfile(pid)` without blocking. */
  async containerProfile(pid: ProcPid, options?: ProcReadOptions): Promise<ContainerProfile> {
    const target = otherPid(pid, 'containerProfile', options);
    return runAsync(profileOf(procRootOf(options), target));
  },
};
