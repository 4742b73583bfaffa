/**
 * The kernel backend: the Backend contract over the addon (lib/backend/native/addon.ts).
 *
 * Whole-process calls refuse here, before anything changes, where the signal broadcast
 * cannot be trusted (spec node-engineering §3–4, DESIGN "Decisions"). If the addon cannot
 * load, every kernel-touching call throws ERR_CAPS_UNSUPPORTED with the load error as
 * `cause` — never a fallback to the model.
 */
import { readdirSync, writeSync } from 'node:fs';
import type { Backend, BroadcastOutcome, ThreadTable } from '../contract.js';
import { CapSet } from '../../vocabulary/capset.js';
import { CapsError, errnoName, syscallError } from '../../vocabulary/errors.js';
import type { CapsErrorCode } from '../../vocabulary/error-codes.js';
import { requireNative, runningLibc, type NativeAddon, type NativeBroadcast } from './addon.js';
import { BROADCAST_SIGNAL } from './broadcast-signal.js';
import { encodeConvergence, encodeProgram, type ConvergenceTarget } from '../wire.js';
import { ioUringTasks, readThreadTable, selfThreadStates, STATUS_NOT_PROCFS } from './tasks.js';
import { idsRefusal, readUserNamespace, setIdsEverywhere } from './ids.js';
import { nativeSpawner } from './spawner.js';
import { readFileCaps, removeFileCaps, writeFileCaps } from './xattr.js';
import type { CredProgram, OpFailure, ThreadState } from '../../vocabulary/types.js';
import { EBUSY, PR_GET_SECUREBITS, SECBIT_KEEP_CAPS } from '../../vocabulary/abi.js';

/** The architectures native/arch.h has a broadcast port for (the addon answers ENOSYS elsewhere). */
const BROADCAST_ARCHES: readonly string[] = ['x64', 'arm64'];


// The calling thread's snapshot lands here (JS thread only; never shared across calls' results).
const snapCaps = new BigUint64Array(5);
/** The same five masks as 32-bit halves: compared without making a BigInt per set. */
const snapHalves = new Uint32Array(snapCaps.buffer);
const snapWords = new Uint32Array(12);
let snapGroups = new Uint32Array(64);
/** The last snapshot's sets and their halves: a set that did not change is the same CapSet (issue 14 goal 5). */
const snapSets: CapSet[] = [CapSet.EMPTY, CapSet.EMPTY, CapSet.EMPTY, CapSet.EMPTY, CapSet.EMPTY];
const seenHalves = new Uint32Array(10);
function snapSet(k: number): CapSet {
  const lo = snapHalves[2 * k]!, hi = snapHalves[2 * k + 1]!;
  if (seenHalves[2 * k] === lo && seenHalves[2 * k + 1] === hi) return snapSets[k]!;
  seenHalves[2 * k] = lo;
  seenHalves[2 * k + 1] = hi;
  return (snapSets[k] = CapSet.fromMask(snapCaps[k]!));
}
/** The first `count` groups of the last snapshot, as an array. */
function snapGroupList(count: number): number[] {
  const groups: number[] = [];
  for (let i = 0; i < count; i++) groups.push(snapGroups[i]!);
  return groups;
}
const STATUS_NOT_MAIN_THREAD = -1001;
const STATUS_TOO_MANY_THREADS = -1002;

const PURPOSE = 'the kernel backend (every capability call on Linux)';
const addon = (): NativeAddon => requireNative(PURPOSE);

let libcRefusal: CapsError | null | undefined;
/** The signal whole-process calls use in this process (33 until checkLibc chose for musl). */
let chosenSignal: number = BROADCAST_SIGNAL.glibc;

/**
 * Chooses the broadcast's signal for the running libc (BROADCAST_SIGNAL), once: glibc and musl
 * each leave theirs unblocked; on any other libc no signal is known to reach every thread.
 */
function checkLibc(): CapsError | undefined {
  if (libcRefusal === undefined) {
    const libc = runningLibc();
    if (libc === 'other') {
      libcRefusal = new CapsError({
        code: 'ERR_CAPS_UNSUPPORTED_LIBC',
        message: 'whole-process capability calls need glibc or musl (a signal that libc leaves unblocked on every thread); this Node runs on neither. The calling-thread API (thread.*) still works',
      });
    } else {
      const status = addon().setBroadcastSignal(BROADCAST_SIGNAL[libc]);
      if (status === 0) chosenSignal = BROADCAST_SIGNAL[libc];
      libcRefusal = status === 0 ? null : new CapsError({
        code: 'ERR_CAPS_UNSUPPORTED_LIBC',
        message: `could not choose signal ${BROADCAST_SIGNAL[libc]} for ${libc}'s whole-process calls (${errnoName(-status)[0]}): the addon has already broadcast over signal ${chosenSignal} in this process`,
        errno: status,
      });
    }
  }
  return libcRefusal ?? undefined;
}

/** The caller's state as the broadcast's convergence prefix takes it (lib/backend/wire.ts). */
function convergenceTarget(t: ThreadState): ConvergenceTarget {
  return {
    effective: t.effective.mask, permitted: t.permitted.mask, inheritable: t.inheritable.mask,
    bounding: t.bounding.mask, ambient: t.ambient.mask, securebits: t.securebits ?? 0, noNewPrivs: t.noNewPrivs,
  };
}

function refusal(code: CapsErrorCode, message: string, extra: { tids?: number[]; cause?: unknown } = {}): CapsError {
  return new CapsError({ code, message, ...extra });
}

export function createNativeBackend(): Backend {
  /** Read-back of securebits per tid from the last broadcast (not visible in /proc). */
  let readBack = new Map<number, number>();

  /**
   * Every other thread is first brought to the caller's present state (a no-op where it already
   * is), then runs the program: afterwards every thread is equal (DESIGN "All per-thread
   * attributes travel together"), even if a thread.* call made them differ. `withoutCaps`: the
   * other threads converge to the caller's state with E, P, I and A empty (uniform: false).
   */
  function broadcastAfterConvergence(program: CredProgram, opts: { deadlineMs: number; caller?: ThreadState }, withoutCaps: boolean): BroadcastOutcome {
    const a = addon();
    const me = convergenceTarget(opts.caller ?? backend.threadState());
    const prefix = encodeConvergence(withoutCaps ? { ...me, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n } : me);
    const body = encodeProgram(program);
    const words = new Uint32Array(prefix.length + body.length);
    words.set(prefix);
    words.set(body, prefix.length);
    const skip = prefix.length / 8;
    const out: NativeBroadcast = a.broadcast(words, Math.max(1, Math.min(2 ** 31 - 1, Math.round(opts.deadlineMs))), skip);
    const elapsedMs = out.elapsedNs / 1e6;
    if (out.callerIndex >= 0) {
      return { callerFailure: { index: out.callerIndex - skip, errno: out.callerErrno }, threadCount: 0, failures: [], unreached: [], elapsedMs };
    }
    if (out.status !== 0 && out.sweeps === 0) {
      // Refused before the caller changed anything.
      if (out.status === STATUS_NOT_MAIN_THREAD) throw refusal('ERR_CAPS_NOT_MAIN_THREAD', 'whole-process capability calls run only on the main thread');
      if (out.status === -EBUSY) throw refusal('ERR_CAPS_BUSY', 'another whole-process capability call is running');
      if (out.status === STATUS_NOT_PROCFS) throw refusal('ERR_CAPS_NO_PROCFS', '/proc/self/task, as the broadcast opened it, is not on procfs: its threads cannot be found, so nothing was changed');
      if (out.status === STATUS_TOO_MANY_THREADS) throw refusal('ERR_CAPS_TOO_MANY_THREADS', 'this process has more threads than a broadcast tracks (4096): nothing was changed');
      throw syscallError({ errno: out.status, syscall: 'rt_sigaction', detail: `signal ${chosenSignal} handler or /proc/self/task` });
    }
    readBack = new Map(out.results.map((r) => [r.tid, r.securebits]));
    const failures = out.results
      .filter((r) => r.index >= 0)
      .map((r) => ({
        tid: r.tid,
        failure: r.index < skip
          ? { index: -1, errno: r.errno, reason: 'the thread could not be made equal to the calling thread before the program ran' }
          : { index: r.index - skip, errno: r.errno },
      }));
    const unreached = [...out.unreported];
    if (out.status !== 0) {
      // The sweep itself broke after the caller changed: every thread not reported is unreached.
      const reported = new Set(out.results.map((r) => r.tid));
      const self = a.gettid();
      for (const name of safeList()) {
        const tid = Number(name);
        if (tid !== self && !reported.has(tid) && !unreached.includes(tid)) unreached.push(tid);
      }
      if (unreached.length === 0) unreached.push(out.status === STATUS_TOO_MANY_THREADS ? -1 : out.status);
    }
    return { threadCount: 1 + out.results.length - failures.length, failures, unreached, elapsedMs, signal: chosenSignal };
  }

  /** What /proc does not show: the caller's securebits (prctl), the others' from the last broadcast. */
  function securebitsOf(a: NativeAddon): (tid: number) => number | undefined {
    const self = a.gettid();
    return (tid) => {
      const sb = tid === self ? a.prctl(PR_GET_SECUREBITS) : readBack.get(tid);
      return sb !== undefined && sb >= 0 ? sb : undefined;
    };
  }

  const backend: Backend = {
    kind: 'native',

    lastCap: () => addon().lastCap(),

    callingTid: () => addon().gettid(),

    threadState(): ThreadState {
      const a = addon();
      let r = a.snapshotInto(snapCaps, snapWords, snapGroups);
      if (r === 1) {
        snapGroups = new Uint32Array(snapWords[10]! + 16);
        r = a.snapshotInto(snapCaps, snapWords, snapGroups);
      }
      if (r !== 0) throw syscallError({ errno: r === 1 ? -11 : r, syscall: 'capget', detail: 'snapshot of the calling thread' });
      const w = snapWords;
      return {
        tid: w[11]!,
        effective: snapSet(0),
        permitted: snapSet(1),
        inheritable: snapSet(2),
        bounding: snapSet(3),
        ambient: snapSet(4),
        noNewPrivs: w[1] === 1,
        securebits: w[0]!,
        keepCaps: (w[0]! & SECBIT_KEEP_CAPS) !== 0,
        uid: { real: w[2]!, effective: w[3]!, saved: w[4]!, fs: w[5]! },
        gid: { real: w[6]!, effective: w[7]!, saved: w[8]!, fs: w[9]! },
        groups: snapGroupList(w[10]!),
      };
    },

    runOnThread(program: CredProgram): OpFailure | undefined {
      const [index, errno] = addon().runProgram(encodeProgram(program));
      return index! >= 0 ? { index: index!, errno: errno! } : undefined;
    },

    processRefusal(): CapsError | undefined {
      // worker_threads loads on the first whole-process call, not with the package (issue 14).
      if (!process.getBuiltinModule('node:worker_threads').isMainThread) {
        return refusal('ERR_CAPS_NOT_MAIN_THREAD', 'whole-process capability calls run only on the main thread (like process.setuid); in a Worker, use thread.* for the calling thread');
      }
      if (process.env.LINUX_CAPS_BROADCAST === 'off') {
        return refusal('ERR_CAPS_BROADCAST_OFF', 'LINUX_CAPS_BROADCAST=off: whole-process capability calls are disabled (no signal broadcast); thread.* still acts on the calling thread');
      }
      if (!BROADCAST_ARCHES.includes(process.arch)) {
        return refusal('ERR_CAPS_UNSUPPORTED_ARCH', `whole-process capability calls support ${BROADCAST_ARCHES.join(' and ')} (native/arch.h knows their sigaction layout and syscall instruction); this is ${process.arch}: thread.* still acts on the calling thread`);
      }
      const libc = checkLibc();
      if (libc) return libc;
      try {
        addon();
      } catch (err) {
        return err as CapsError;
      }
      let iou: number[];
      try {
        iou = ioUringTasks(addon());
      } catch (err) {
        if (err instanceof CapsError && err.code === 'ERR_CAPS_NO_PROCFS') return err;
        return refusal('ERR_CAPS_NO_PROCFS', `/proc/self/task cannot be read (${(err as Error).message}): every thread must be found and verified, so nothing was changed`, { cause: err });
      }
      const env = process.env.UV_USE_IO_URING;
      if (iou.length > 0 || (env !== undefined && env !== '' && env !== '0')) {
        return refusal(
          'ERR_CAPS_IO_URING',
          iou.length > 0
            ? `io_uring worker tasks (${iou.join(', ')}) keep the credentials of their ring and never run a signal handler: refusing before anything changes`
            : `UV_USE_IO_URING=${env}: libuv may run file operations through io_uring workers that keep the old credentials; unset it to change capabilities process-wide`,
          iou.length > 0 ? { tids: iou } : {},
        );
      }
      return undefined;
    },

    broadcast(program: CredProgram, opts: { deadlineMs: number; caller?: ThreadState }): BroadcastOutcome {
      return broadcastAfterConvergence(program, opts, false);
    },

    stripOtherThreads(opts: { deadlineMs: number; caller?: ThreadState }): BroadcastOutcome {
      return broadcastAfterConvergence([], opts, true);
    },

    threads(): ThreadState[] {
      const a = addon();
      return selfThreadStates(a, securebitsOf(a));
    },

    threadTable(): ThreadTable {
      const a = addon();
      return readThreadTable(a, securebitsOf(a));
    },

    killProcess(message: string): never {
      try {
        writeSync(2, `linux-caps: ${message.replace(/\n/g, ' ')}\n`);
      } finally {
        process.kill(process.pid, 'SIGKILL');
      }
      throw new Error('unreachable: SIGKILL was sent to this process');
    },

    spawner: nativeSpawner,
    setIds: setIdsEverywhere,
    idsRefusal,
    userNamespace: readUserNamespace,
    readFileCaps,
    writeFileCaps,
    removeFileCaps,
  };
  return backend;
}

function safeList(): string[] {
  try {
    return readdirSync('/proc/self/task');
  } catch {
    return [];
  }
}
