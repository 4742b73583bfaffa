/**
 * Every task of this process from one addon call (native/tasks.h): the io_uring pre-check reads
 * each task's comm, the verification each task's status, listed and parsed at C speed (issue
 * 14). The policy stays here: which tasks count, the listing's cross-check against the
 * kernel's thread count (issue 11, F1), and the errors.
 */
import { CapSet } from '../../vocabulary/capset.js';
import { CapsError, errnoName } from '../../vocabulary/errors.js';
import { ENOENT, ESRCH, SECBIT_KEEP_CAPS } from '../../vocabulary/abi.js';
import type { Building, ThreadState } from '../../vocabulary/types.js';
import type { ThreadTable, ThreadTarget } from '../contract.js';
import type { NativeAddon } from './addon.js';

/** native/tasks.h TaskReadMode. */
const READ_COMM = 0;
const READ_STATUS = 1;

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
/** native/broadcast.h kStatusNotProcfs: /proc/self/task, as the addon opened it, is not procfs. */
export const STATUS_NOT_PROCFS = -1003;
const CROSS_CHECKS = 5;

/** The records of one read; valid until the next read (the arrays are reused). */
interface TaskRead {
  count: number;
  groupsUsed: number;
  words: Int32Array;
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
    const result = { count: listed, groupsUsed: needGroups, words, masks, groups };
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
  if (err === 0 || err === -ENOENT || err === -ESRCH) return undefined;
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
 * Every live thread of this process from one read of /proc/self/task/<tid>/status, as a
 * ThreadTable (lib/backend/contract.ts): states are built when asked, and `same`/`holds`
 * compare the raw records, so verifying a uniform process builds nothing (issue 14).
 * `securebitsOf` gives what /proc does not show (the caller's prctl, the broadcast's read-back).
 * Throws ERR_CAPS_NO_PROCFS, with the tids, if a thread's status cannot be read or is
 * malformed: a thread that cannot be verified fails the verification.
 */
export function readThreadTable(a: NativeAddon, securebitsOf: (tid: number) => number | undefined): ThreadTable {
  return new TaskTable(readAll(a, READ_STATUS), securebitsOf);
}

/** Every live thread's state (readThreadTable, every state built). */
export function selfThreadStates(a: NativeAddon, securebitsOf: (tid: number) => number | undefined = () => undefined): ThreadState[] {
  const table = readThreadTable(a, securebitsOf);
  return table.tids.map((_, i) => table.state(i));
}

class TaskTable implements ThreadTable {
  readonly tids: number[] = [];
  /** Per live thread: its record, and its securebits where known. */
  readonly #record: number[] = [];
  readonly #securebits: Array<number | undefined> = [];
  readonly #states: Array<ThreadState | undefined> = [];
  // Copies of the read's records: the reader's buffers are reused by the next read.
  readonly #words: Int32Array;
  readonly #ids: Uint32Array;
  readonly #masks: BigUint64Array;
  readonly #masks32: Uint32Array;
  readonly #groups: Uint32Array;
  /** One CapSet per distinct mask (threads nearly always share their sets). */
  readonly #capSets: CapSet[] = [];

  constructor(r: TaskRead, securebitsOf: (tid: number) => number | undefined) {
    this.#words = r.words.slice(0, r.count * TASK.words);
    this.#ids = new Uint32Array(this.#words.buffer);
    this.#masks = r.masks.slice(0, r.count * TASK_MASKS);
    this.#masks32 = new Uint32Array(this.#masks.buffer);
    this.#groups = r.groups.slice(0, r.groupsUsed);
    const problems: string[] = [];
    const bad: number[] = [];
    const w = this.#words;
    for (let k = 0; k < r.count; k++) {
      const at = k * TASK.words;
      const tid = w[at + TASK.tid]!;
      const problem = problemOf(w, at);
      if (problem !== undefined) { problems.push(problem); bad.push(tid); continue; }
      if (w[at + TASK.err] !== 0) continue; // exited while we looked
      this.tids.push(tid);
      this.#record.push(k);
      this.#securebits.push(securebitsOf(tid));
    }
    if (problems.length > 0) {
      throw noProcfs(`cannot read the status of thread(s) ${bad.join(', ')}: ${problems[0]}`, { tids: bad });
    }
  }

  #capSet(mask: bigint): CapSet {
    for (const c of this.#capSets) if (c.mask === mask) return c;
    const c = CapSet.fromMask(mask);
    if (this.#capSets.length < 16) this.#capSets.push(c);
    return c;
  }

  state(i: number): ThreadState {
    const built = this.#states[i];
    if (built !== undefined) return built;
    const k = this.#record[i]!;
    const at = k * TASK.words;
    const m = k * TASK_MASKS;
    const w = this.#words;
    const ids = this.#ids;
    const flags = w[at + TASK.flags]!;
    const g = w[at + TASK.groupsAt]!;
    const state: Building<ThreadState> = {
      tid: w[at + TASK.tid]!,
      effective: this.#capSet(this.#masks[m + 2]!),
      permitted: this.#capSet(this.#masks[m + 1]!),
      inheritable: this.#capSet(this.#masks[m]!),
      bounding: this.#capSet(this.#masks[m + 3]!),
      ambient: (flags & TASK_FLAG.hasAmbient) !== 0 ? this.#capSet(this.#masks[m + 4]!) : CapSet.EMPTY,
      noNewPrivs: (flags & TASK_FLAG.noNewPrivs) !== 0,
      uid: { real: ids[at + TASK.uid]!, effective: ids[at + TASK.uid + 1]!, saved: ids[at + TASK.uid + 2]!, fs: ids[at + TASK.uid + 3]! },
      gid: { real: ids[at + TASK.gid]!, effective: ids[at + TASK.gid + 1]!, saved: ids[at + TASK.gid + 2]!, fs: ids[at + TASK.gid + 3]! },
      groups: Array.from(this.#groups.subarray(g, g + w[at + TASK.groupsCount]!)),
    };
    if ((flags & TASK_FLAG.hasSeccomp) !== 0) state.seccomp = w[at + TASK.seccomp]!;
    const sb = this.#securebits[i];
    if (sb !== undefined) {
      state.securebits = sb;
      state.keepCaps = (sb & SECBIT_KEEP_CAPS) !== 0;
    }
    this.#states[i] = state;
    return state;
  }

  same(i: number, j: number): boolean {
    // As diff(): securebits (and keepCaps, which they hold) only where both threads' are known.
    const sa = this.#securebits[i];
    const sb = this.#securebits[j];
    if (sa !== undefined && sb !== undefined && sa !== sb) return false;
    const a = this.#record[i]! * TASK.words;
    const b = this.#record[j]! * TASK.words;
    const w = this.#words;
    if ((w[a + TASK.flags]! & TASK_FLAG.noNewPrivs) !== (w[b + TASK.flags]! & TASK_FLAG.noNewPrivs)) return false;
    for (let x = 0; x < 8; x++) if (w[a + TASK.uid + x] !== w[b + TASK.uid + x]) return false; // uid, then gid
    const count = w[a + TASK.groupsCount]!;
    if (count !== w[b + TASK.groupsCount]) return false;
    const ga = w[a + TASK.groupsAt]!;
    const gb = w[b + TASK.groupsAt]!;
    for (let x = 0; x < count; x++) if (this.#groups[ga + x] !== this.#groups[gb + x]) return false;
    const ma = this.#record[i]! * TASK_MASKS * 2;
    const mb = this.#record[j]! * TASK_MASKS * 2;
    for (let x = 0; x < TASK_MASKS * 2; x++) if (this.#masks32[ma + x] !== this.#masks32[mb + x]) return false;
    return true;
  }

  holds(i: number, t: ThreadTarget): boolean {
    const sb = this.#securebits[i];
    if (sb !== undefined && sb !== t.securebits) return false;
    const k = this.#record[i]!;
    if (((this.#words[k * TASK.words + TASK.flags]! & TASK_FLAG.noNewPrivs) !== 0) !== t.noNewPrivs) return false;
    const m = k * TASK_MASKS;
    const masks = this.#masks;
    return masks[m]! === t.inheritable.mask && masks[m + 1]! === t.permitted.mask && masks[m + 2]! === t.effective.mask
      && masks[m + 3]! === t.bounding.mask && masks[m + 4]! === t.ambient.mask;
  }
}
