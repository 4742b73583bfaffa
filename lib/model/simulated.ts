/**
 * A simulated process that implements Backend over the kernel model: several threads, each
 * with its own credential (the kernel's per-thread truth), a few files to exec, and switches
 * to simulate trouble (a thread that never answers a broadcast, one whose run fails, a
 * process that refuses whole-process calls). Nothing here touches the real kernel.
 */
import type { Backend, BroadcastOutcome } from '../backend/contract.js';
import { CapSet } from '../vocabulary/capset.js';
import { CapsError, invalidArg, syscallError } from '../vocabulary/errors.js';
import type { CredProgram, OpFailure, ThreadState } from '../vocabulary/types.js';
import type { Cred, ExecContext, ExecResult, FileCaps, KernelConfig, ModelFile, ModelStep, MountInfo, Transition } from './modern/types.js';
import { SECBIT_KEEP_CAPS } from './modern/types.js';
import { applyStep, createCred, credOpToStep, isCred, resolveKernel, type CredInit, type KernelOptions } from './modern/kernel.js';
import { execve } from './modern/exec.js';
import { gidSeenFrom, uidSeenFrom } from './modern/userns.js';
import { convertFileCapsWrite, encodeFileCaps, viewFileCaps } from './modern/xattr-rules.js';
import { convergenceOps } from './modern/converge.js';
import { EBADF, ENODATA, ENOENT } from '../vocabulary/abi.js';


/**
 * Options of createSimulatedBackend().
 * @example
 * const options: SimulatedOptions = { cred: { uid: 1000, permitted: ['cap_net_raw'] }, threadCount: 4 };
 * useBackend(model.createSimulatedBackend(options));
 * caps.threads().length;   // 4
 */
export interface SimulatedOptions {
  /** The kernel modelled (a KernelConfig or createKernel() options). Default 6.18, lastCap 40. */
  kernel?: KernelConfig | KernelOptions;
  /** The process id = the main thread's tid. Default 4242. */
  pid?: number;
  /** How many threads, the main one included. Default 11 (a fresh Node: main + 4 libuv + 6 V8/inspector). */
  threadCount?: number;
  /** Every thread's initial credential. Default: root with P = E = B = {0..lastCap}. */
  cred?: Cred | CredInit;
  /** Files that can be exec'd or carry file capabilities. */
  files?: ReadonlyArray<FileInit>;
  /** processRefusal() answers this (e.g. an ERR_CAPS_IO_URING error). Default: none. */
  refusal?: CapsError;
}

/** A file to add: only the path is required (default root:root 0755 on the root filesystem, no xattr). */
export interface FileInit {
  /** The path execve and fileCaps look it up by. */
  path: string;
  /** Owner uid (default 0). */
  uid?: number;
  /** Owner gid (default 0). */
  gid?: number;
  /** Mode bits, setuid/setgid included (default 0o755). */
  mode?: number;
  /** security.capability: raw bytes or decoded (default none). */
  xattr?: Uint8Array | FileCaps;
  /** The mount it is on (default: the root filesystem, suid allowed). */
  mount?: MountInfo;
}

/**
 * The simulated process: a Backend plus the handles to build scenarios.
 * @example
 * const sim: SimulatedBackend = model.createSimulatedBackend({ cred: { uid: 1000 } });
 * useBackend(sim);
 * thread.get().uid.real;   // 1000: the API answers from the simulated process
 * sim.tids().length;
 */
export interface SimulatedBackend extends Backend {
  /** Always 'model'. */
  readonly kind: 'model';
  /** The kernel simulated (lastCap, exec rule, securebits). */
  readonly kernel: KernelConfig;
  /** The simulated process's id. */
  readonly pid: number;
  /** Thread ids, the main thread first. */
  tids(): number[];
  /** A thread's credential (default: the main thread). */
  cred(tid?: number): Cred;
  /** Replaces a thread's credential (scenario building; no kernel rule applies). */
  setCred(tid: number, cred: Cred | CredInit): void;
  /** Adds a thread (a copy of the main thread's credential, as clone does). Returns its tid. */
  spawnThread(): number;
  /** A thread ends. */
  exitThread(tid: number): void;
  /** A blocked thread never runs broadcast programs (it is reported as unreached). */
  block(tid: number): void;
  /** Lets a blocked thread run broadcast programs again. */
  unblock(tid: number): void;
  /** The next broadcast run on `tid` fails at its first step with `errno` (negative or positive). */
  failNext(tid: number, errno: number): void;
  /** processRefusal() answers `err` from now on (undefined: accept). */
  refuse(err: CapsError | undefined): void;
  /** Adds or replaces a file. */
  addFile(file: FileInit): ModelFile;
  /** The simulated file at `path` (owner, mode, xattr, mount), if any. */
  file(path: string): ModelFile | undefined;
  /** Any model step on one thread (default: main), committed to that thread. */
  run(step: ModelStep, tid?: number): Transition<Cred, unknown>;
  /**
   * execve of a file by the main thread. On success the other threads are gone (the kernel's
   * de_thread), and the process holds the new credential.
   */
  exec(path: string, context?: ExecContext): Transition<Cred, ExecResult>;
  /**
   * setgroups / setresgid / setresuid on every thread (glibc's set*id broadcast), in that order,
   * with the kernel's checks and §2.4 fixups; throws the first refusal as a CapsError (earlier
   * steps stay).
   */
  setIds(ids: { groups?: readonly number[]; gid?: number; uid?: number }): void;
  /** security.capability as getxattr shows it to the main thread: bytes, or a negative errno. */
  readFileCaps(target: string | number): Uint8Array | number;
  /** setxattr with the kernel's write rules (kernel-semantics §2.7): 0 or a negative errno. */
  writeFileCaps(target: string | number, value: Uint8Array): number;
  /** removexattr: 0 or a negative errno (-ENODATA when there is nothing to remove). */
  removeFileCaps(target: string | number): number;
}

function toThreadState(tid: number, c: Cred): ThreadState {
  return {
    tid,
    effective: CapSet.fromMask(c.effective),
    permitted: CapSet.fromMask(c.permitted),
    inheritable: CapSet.fromMask(c.inheritable),
    bounding: CapSet.fromMask(c.bounding),
    ambient: CapSet.fromMask(c.ambient),
    noNewPrivs: c.noNewPrivs,
    securebits: c.securebits,
    keepCaps: (c.securebits & SECBIT_KEEP_CAPS) !== 0,
    uid: { real: uidSeenFrom(c.ns, c.uid), effective: uidSeenFrom(c.ns, c.euid), saved: uidSeenFrom(c.ns, c.suid), fs: uidSeenFrom(c.ns, c.fsuid) },
    gid: { real: gidSeenFrom(c.ns, c.gid), effective: gidSeenFrom(c.ns, c.egid), saved: gidSeenFrom(c.ns, c.sgid), fs: gidSeenFrom(c.ns, c.fsgid) },
    groups: c.groups.map((g) => gidSeenFrom(c.ns, g)),
    seccomp: 0,
  };
}


const simulatedBackends = new WeakSet<object>();

/** Whether a value is a simulated process made by createSimulatedBackend (useBackend takes one). */
export function isSimulatedBackend(value: unknown): value is SimulatedBackend {
  return typeof value === 'object' && value !== null && simulatedBackends.has(value);
}

/**
 * A simulated process implementing Backend. Every result it gives through the public API
 * says `backend: 'model'`.
 * @example
 * const sim = createSimulatedBackend({ cred: { uid: 1000, permitted: ['cap_net_raw'] } });
 * useBackend(sim);
 */
export function createSimulatedBackend(options: SimulatedOptions = {}): SimulatedBackend {
  const kernel = resolveKernel(options.kernel);
  const pid = options.pid ?? 4242;
  if (!Number.isInteger(pid) || pid < 1) throw invalidArg('pid', pid, 'a positive integer');
  const count = options.threadCount ?? 11;
  if (!Number.isInteger(count) || count < 1 || count > 4096) throw invalidArg('thread count', count, 'an integer from 1 to 4096');
  const initial = options.cred === undefined ? createCred(kernel) : isCred(options.cred) ? options.cred : createCred(kernel, options.cred);

  const creds = new Map<number, Cred>();
  for (let i = 0; i < count; i++) creds.set(pid + i, initial);
  let nextTid = pid + count;
  const blocked = new Set<number>();
  const failing = new Map<number, number>();
  const files = new Map<string, ModelFile>();
  let refusal = options.refusal;

  const main = (): Cred => creds.get(pid)!;
  const need = (tid: number): Cred => {
    const c = creds.get(tid);
    if (c === undefined) throw invalidArg('thread id', tid, `one of ${[...creds.keys()].join(', ')}`);
    return c;
  };

  /** Runs a library program on one thread; commits each successful step; stops at the first failure. */
  function runProgram(tid: number, program: CredProgram): OpFailure | undefined {
    let cred = need(tid);
    for (let index = 0; index < program.length; index++) {
      const t = applyStep(kernel, cred, credOpToStep(program[index]!), { selfTid: tid });
      if (t.errno !== undefined) {
        creds.set(tid, cred);
        return t.reason === undefined ? { index, errno: t.errno, rule: t.rule } : { index, errno: t.errno, reason: t.reason, rule: t.rule };
      }
      cred = t.state;
    }
    creds.set(tid, cred);
    return undefined;
  }

  /**
   * The caller runs the program, then every other thread is brought to the caller's state from
   * before it (the kernel backend's convergence prefix) and runs it. `withoutCaps`: the others
   * converge to that state with E, P, I and A empty (stripOtherThreads).
   */
  function broadcastAfterConvergence(program: CredProgram, withoutCaps: boolean): BroadcastOutcome {
    const started = performance.now();
    const caller = need(pid);
    const before = withoutCaps ? { ...caller, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n } : caller;
    const callerFailure = runProgram(pid, program);
    if (callerFailure) return { callerFailure, threadCount: 0, failures: [], unreached: [], elapsedMs: performance.now() - started };
    let threads = 1;
    const failures: BroadcastOutcome['failures'] = [];
    const unreached: number[] = [];
    for (const tid of creds.keys()) {
      if (tid === pid) continue;
      if (blocked.has(tid)) { unreached.push(tid); continue; }
      const injected = failing.get(tid);
      if (injected !== undefined) {
        failing.delete(tid);
        failures.push({ tid, failure: { index: 0, errno: -Math.abs(injected), reason: 'failure injected by the simulation' } });
        continue;
      }
      // As the kernel backend: first bring the thread to the caller's state (kernel-semantics
      // §2.3–§2.5 decide whether it can be); a thread that cannot be fails with index -1.
      const converge = runProgram(tid, convergenceOps(need(tid), before));
      if (converge) {
        failures.push({ tid, failure: { ...converge, index: -1, reason: `could not be brought to the calling thread's state: ${converge.reason ?? `errno ${converge.errno}`}` } });
        continue;
      }
      const failure = runProgram(tid, program);
      if (failure) failures.push({ tid, failure });
      else threads++;
    }
    return { threadCount: threads, failures, unreached, elapsedMs: performance.now() - started };
    }

  function addFile(init: FileInit): ModelFile {
    if (!init || typeof init.path !== 'string' || init.path === '') throw invalidArg('file path', init?.path, 'a non-empty string');
    const file: ModelFile = {
      path: init.path,
      uid: init.uid ?? 0,
      gid: init.gid ?? 0,
      mode: init.mode ?? 0o755,
      ...(init.xattr !== undefined ? { xattr: init.xattr } : {}),
      ...(init.mount !== undefined ? { mount: init.mount } : {}),
    };
    files.set(file.path, file);
    return file;
  }
  for (const f of options.files ?? []) addFile(f);

  function fileFor(target: string | number): ModelFile | number {
    if (typeof target === 'number') return -EBADF;
    return files.get(target) ?? -ENOENT;
  }

  const backend: SimulatedBackend = {
    kind: 'model',
    kernel,
    pid,
    lastCap: () => kernel.lastCap,
    threadState: () => toThreadState(pid, main()),
    callingTid: () => pid,
    runOnThread: (program) => runProgram(pid, program),
    processRefusal: () => refusal,
    broadcast(program, _opts): BroadcastOutcome {
      return broadcastAfterConvergence(program, false);
    },
    stripOtherThreads(_opts): BroadcastOutcome {
      return broadcastAfterConvergence([], true);
    },
    threads: () => [...creds].map(([tid, c]) => toThreadState(tid, c)),
    threadTable() {
      // No raw records to compare: every thread is compared by its state (same/holds claim nothing).
      const states = backend.threads();
      return { tids: states.map((t) => t.tid), state: (i) => states[i]!, same: (i, j) => i === j, holds: () => false };
    },
    killProcess(message: string): never {
      throw new CapsError({
        code: 'ERR_CAPS_PARTIAL',
        message: `${message} (model backend: there is no real process to kill)`,
        tids: [...creds.keys()],
      });
    },
    tids: () => [...creds.keys()],
    cred: (tid = pid) => need(tid),
    setCred(tid, cred) {
      need(tid);
      creds.set(tid, isCred(cred) ? cred : createCred(kernel, cred));
    },
    spawnThread() {
      const tid = nextTid++;
      creds.set(tid, main());
      return tid;
    },
    exitThread(tid) {
      need(tid);
      if (tid === pid) throw invalidArg('thread id', tid, 'a thread other than the main one');
      creds.delete(tid);
      blocked.delete(tid);
      failing.delete(tid);
    },
    block(tid) { need(tid); blocked.add(tid); },
    unblock(tid) { blocked.delete(tid); },
    failNext(tid, errno) { need(tid); failing.set(tid, errno); },
    refuse(err) { refusal = err; },
    addFile,
    file: (path) => files.get(path),
    run(step, tid = pid) {
      const t = applyStep(kernel, need(tid), step, { selfTid: tid, multithreaded: creds.size > 1, resolve: (p) => creds.get(p) });
      creds.set(tid, t.state);
      return t;
    },
    exec(path, context) {
      const file = files.get(path);
      if (file === undefined) return { state: main(), errno: -ENOENT, rule: 'kernel-semantics §2.6', reason: `no file ${path} in the simulation` };
      const t = execve(kernel, main(), file, context);
      if (t.errno === undefined) {
        creds.clear();
        blocked.clear();
        failing.clear();
        creds.set(pid, t.state);
      }
      return t;
    },
    setIds(ids) {
      if (ids === null || typeof ids !== 'object') throw invalidArg('ids', ids, '{ groups?, gid?, uid? }');
      const steps: Array<[string, string, ModelStep]> = [];
      if (ids.groups !== undefined) steps.push(['setgroups', `[${ids.groups.join(', ')}]`, { op: 'setgroups', groups: ids.groups }]);
      if (ids.gid !== undefined) steps.push(['setresgid', `${ids.gid}`, { op: 'setresgid', rgid: ids.gid, egid: ids.gid, sgid: ids.gid }]);
      if (ids.uid !== undefined) steps.push(['setresuid', `${ids.uid}`, { op: 'setresuid', ruid: ids.uid, euid: ids.uid, suid: ids.uid }]);
      for (const [syscall, detail, step] of steps) {
        const t = applyStep(kernel, main(), step, { selfTid: pid });
        if (t.errno !== undefined) throw syscallError({ errno: t.errno, syscall, detail, reason: t.reason, rule: t.rule });
        creds.set(pid, t.state);
        for (const tid of creds.keys()) {
          if (tid !== pid) creds.set(tid, applyStep(kernel, creds.get(tid)!, step, { selfTid: tid }).state);
        }
      }
    },
    userNamespace() {
      const ns = main().ns;
      // The initial namespace maps every id to itself (its maps are implicit in the model).
      const full = [{ inside: 0, outside: 0, count: 4294967295 }];
      if (ns.parent === null) return { setgroups: 'allow', uidMap: full, gidMap: full };
      return { setgroups: ns.setgroupsDenied === true ? 'deny' : 'allow', uidMap: [...ns.uidMap], gidMap: [...ns.gidMap] };
    },
    readFileCaps(target) {
      const f = fileFor(target);
      if (typeof f === 'number') return f;
      if (f.xattr === undefined) return -ENODATA;
      const stored = f.xattr instanceof Uint8Array ? f.xattr : encodeFileCaps(f.xattr);
      const view = viewFileCaps(stored, main().ns, f.mount?.userns);
      return view.bytes ?? view.errno!;
    },
    writeFileCaps(target, value) {
      const f = fileFor(target);
      if (typeof f === 'number') return f;
      const t = convertFileCapsWrite(main(), { uid: f.uid, gid: f.gid, fsNs: f.mount?.userns }, value);
      if (t.errno !== undefined) return t.errno;
      files.set(f.path, { ...f, xattr: t.result! });
      return 0;
    },
    removeFileCaps(target) {
      const f = fileFor(target);
      if (typeof f === 'number') return f;
      if ((main().effective & (1n << 31n)) === 0n) return -1; // the LSM hook (CAP_SETFCAP) runs before the removal
      if (f.xattr === undefined) return -ENODATA;
      const { xattr: _dropped, ...rest } = f;
      files.set(f.path, rest);
      return 0;
    },
  };
  simulatedBackends.add(backend);
  return backend;
}
