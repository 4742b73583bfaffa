/**
 * Every task of this process from one addon call (native/tasks.h): the io_uring pre-check reads
 * each task's comm, the verification each task's status, listed and parsed at C speed (issue
 * 14). The policy stays here: which tasks count, the listing's cross-check against the
 * kernel's thread count (issue 11, F1), and the errors.
 */
import { CapSet } from '../../vocabulary/capset.js';
import { CapsError, errnoName } from '../../vocabulary/errors.js';
import type { Building, ThreadState } from '../../vocabulary/types.js';
import type { NativeAddon } from './addon.js';

/** native/tasks.h TaskReadMode. */
export const READ_COMM = 0;
export const READ_STATUS = 1;

/** native/tasks.h TaskWord: the int32 words of one task's record. */
export const TASK = {
  tid: 0, err: 1, flags: 2, uid: 3, gid: 7, groupsAt: 11, groupsCount: 12, seccomp: 13,
  malformedLine: 14, malformedKey: 15, threads: 16, words: 17,
} as const;
/** native/tasks.h TaskMask: the capability sets of one record, in this order. */
export const TASK_MASKS = 5;
/** native/tasks.h flags. */
export const TASK_FLAG = { ioUring: 1, hasAmbient: 2, hasNoNewPrivs: 4, noNewPrivs: 8, hasSeccomp: 16 } as const;
/** native/tasks.h kStatusKeys, as kTaskMalformedKey numbers them. */
export const STATUS_KEYS = ['Name', 'Pid', 'Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp', 'Threads'] as const;
const TASK_MALFORMED = -1004;
const STATUS_NOT_PROCFS = -1003;
const ENOENT = -2;
const ESRCH = -3;
const CROSS_CHECKS = 5;

/** The records of one read; valid until the next read (the arrays are reused). */
interface TaskRead {
  count: number;
  words: Int32Array;
  ids: Uint32Array;
  masks: BigUint64Array;
  groups: Uint32Array;
}

let capacity = 32;
let words = new Int32Array(capacity * TASK.words);
let masks = new BigUint64Array(capacity * TASK_MASKS);
let groups = new Uint32Array(256);
const counts = new Float64Array(4);

function noProcfs(message: string, extra: { tids?: number[]; errno?: number } = {}): CapsError {
  return new CapsError({ code: 'ERR_CAPS_NO_PROCFS', message, path: '/proc/self/task', ...extra });
}

/**
 * Lists and reads every task. Reading status, the listing must agree with the kernel's Threads:
 * count (each task's status shows its group's) when that count holds still from the first read
 * to the last (issue 11, F1: a /proc that hides threads); five contradictions in a row refuse.
 */
function readAll(a: NativeAddon, mode: number): TaskRead {
  let contradictions = 0;
  for (let attempt = 1; ; attempt++) {
    const status = a.readTasks(mode, words, masks, groups, counts);
    if (status === STATUS_NOT_PROCFS) throw noProcfs('/proc/self/task is not procfs (a tmpfs or bind mount over /proc?): this /proc does not show the kernel\'s threads, so they cannot be verified');
    if (status < 0) throw noProcfs(`cannot list /proc/self/task: ${errnoName(status)[0]}`, { errno: status });
    const [listed, needGroups, before, after] = counts as unknown as [number, number, number, number];
    if (listed > capacity || needGroups > groups.length) {
      capacity = Math.max(capacity, listed + 16);
      words = new Int32Array(capacity * TASK.words);
      masks = new BigUint64Array(capacity * TASK_MASKS);
      groups = new Uint32Array(Math.max(groups.length, needGroups + 64));
      attempt--;
      continue;
    }
    const result = { count: listed, words, ids: new Uint32Array(words.buffer), masks, groups };
    // Threads come and go: only a count that holds still around the listing and differs from it,
    // every time, refuses.
    if (before < 0 || after === listed) return result;
    if (before === after && ++contradictions === CROSS_CHECKS) {
      throw noProcfs(`/proc/self/task lists ${listed} task(s) but their status files count ${after} threads: this /proc does not show the kernel's threads, so they cannot be verified`);
    }
    if (attempt >= CROSS_CHECKS) return result;
  }
}

/** What is wrong with a record, or undefined for a task that exited (ENOENT, ESRCH) or is fine. */
function problemOf(w: Int32Array, at: number): string | undefined {
  const err = w[at + TASK.err]!;
  if (err === 0 || err === ENOENT || err === ESRCH) return undefined;
  const tid = w[at + TASK.tid]!;
  if (err !== TASK_MALFORMED) return `cannot read /proc/self/task/${tid}: ${errnoName(err)[0]}`;
  const key = STATUS_KEYS[w[at + TASK.malformedKey]!] ?? '?';
  const line = w[at + TASK.malformedLine]!;
  return `/proc/self/task/${tid}/status is not what the kernel writes: ${line === 0 ? `no ${key}: line` : `line ${line} (${key}:)`}`;
}

/** Tasks whose comm starts with `iou-`: io_uring workers, which never run a signal handler (spec §3.5). */
export function ioUringTasks(a: NativeAddon): number[] {
  const r = readAll(a, READ_COMM);
  const found: number[] = [];
  for (let k = 0; k < r.count; k++) {
    const at = k * TASK.words;
    if (r.words[at + TASK.err] === 0 && (r.words[at + TASK.flags]! & TASK_FLAG.ioUring) !== 0) found.push(r.words[at + TASK.tid]!);
  }
  return found;
}

/**
 * Every live thread's state from /proc/self/task/<tid>/status (no securebits: /proc does not
 * show them). Throws ERR_CAPS_NO_PROCFS, with the tids, if a thread's status cannot be read or
 * is malformed: a thread that cannot be verified fails the verification.
 */
export function selfThreadStates(a: NativeAddon): Array<Building<ThreadState>> {
  const r = readAll(a, READ_STATUS);
  const states: Array<Building<ThreadState>> = [];
  const problems: string[] = [];
  const bad: number[] = [];
  // Threads nearly always hold the same sets: one CapSet per distinct mask in this read, so
  // building and comparing the states costs little (a once-off call runs cold, issue 14).
  const seen: CapSet[] = [];
  const capSet = (mask: bigint): CapSet => {
    for (const c of seen) if (c.mask === mask) return c;
    const c = CapSet.fromMask(mask);
    if (seen.length < 16) seen.push(c);
    return c;
  };
  const w = r.words;
  const ids = r.ids;
  for (let k = 0; k < r.count; k++) {
    const at = k * TASK.words;
    const problem = problemOf(w, at);
    if (problem !== undefined) { problems.push(problem); bad.push(w[at + TASK.tid]!); continue; }
    if (w[at + TASK.err] !== 0) continue; // exited while we looked
    const flags = w[at + TASK.flags]!;
    const m = k * TASK_MASKS;
    const g = w[at + TASK.groupsAt]!;
    const state: Building<ThreadState> = {
      tid: w[at + TASK.tid]!,
      effective: capSet(r.masks[m + 2]!),
      permitted: capSet(r.masks[m + 1]!),
      inheritable: capSet(r.masks[m]!),
      bounding: capSet(r.masks[m + 3]!),
      ambient: (flags & TASK_FLAG.hasAmbient) !== 0 ? capSet(r.masks[m + 4]!) : CapSet.EMPTY,
      noNewPrivs: (flags & TASK_FLAG.noNewPrivs) !== 0,
      uid: { real: ids[at + TASK.uid]!, effective: ids[at + TASK.uid + 1]!, saved: ids[at + TASK.uid + 2]!, fs: ids[at + TASK.uid + 3]! },
      gid: { real: ids[at + TASK.gid]!, effective: ids[at + TASK.gid + 1]!, saved: ids[at + TASK.gid + 2]!, fs: ids[at + TASK.gid + 3]! },
      groups: Array.from(r.groups.subarray(g, g + w[at + TASK.groupsCount]!)),
    };
    if ((flags & TASK_FLAG.hasSeccomp) !== 0) state.seccomp = w[at + TASK.seccomp]!;
    states.push(state);
  }
  if (problems.length > 0) {
    throw noProcfs(`cannot read the status of thread(s) ${bad.join(', ')}: ${problems[0]}`, { tids: bad });
  }
  return states;
}
