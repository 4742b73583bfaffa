/**
 * The Backend contract: what the public operations (thread.*, caps.*, dropPrivileges, launch,
 * fileCaps) need from a backend, and what each backend implements (native: the kernel through
 * the addon; model: a simulated process). It imports nothing but types below it, so the backends
 * and the selector (lib/operations/backend.ts) all point at it and never at each other.
 */
import type { CapsError } from '../vocabulary/errors.js';
import type { UserNamespaceView } from '../accounts/id-checks.js';
import type { BackendKind, CredProgram, OpFailure, ThreadState } from '../vocabulary/types.js';
import type { CapSet } from '../vocabulary/capset.js';

/**
 * What a whole-process call leaves on every thread: the five sets, securebits, no_new_privs.
 * @example
 * const t = thread.get();
 * const target: ThreadTarget = { ...t, securebits: t.securebits ?? 0 };
 * target.bounding.size > 0;   // true
 */
export interface ThreadTarget {
  /** The effective set. */
  effective: CapSet;
  /** The permitted set. */
  permitted: CapSet;
  /** The inheritable set. */
  inheritable: CapSet;
  /** The bounding set. */
  bounding: CapSet;
  /** The ambient set. */
  ambient: CapSet;
  /** The securebits (compared where the thread's are known). */
  securebits: number;
  /** no_new_privs. */
  noNewPrivs: boolean;
}

/**
 * Every thread of the process from one read, for comparing: states are built when asked, and a
 * backend may answer `same`/`holds` from its raw records (issue 14). Those two answer true only
 * when certain; false means "compare the states" (operations/state.ts diff decides).
 * @example
 * const table: ThreadTable = model.createSimulatedBackend({ threadCount: 3 }).threadTable();
 * table.tids.length;   // 3
 * table.state(0).effective.size > 0;   // true
 */
export interface ThreadTable {
  /** The threads, in the order read. */
  readonly tids: readonly number[];
  /** Thread i's state. */
  state(i: number): ThreadState;
  /** True only if threads i and j agree on everything diff() compares. */
  same(i: number, j: number): boolean;
  /** True only if thread i holds `target` (its securebits, where known). */
  holds(i: number, target: ThreadTarget): boolean;
}

/**
 * The result of running a program on the caller and then on every other thread.
 * @example
 * const outcome: BroadcastOutcome = getBackend().broadcast([{ op: 'ambient.clear' }], { deadlineMs: 2000 });
 * outcome.threadCount;   // every thread ran it
 */
export interface BroadcastOutcome {
  /** The caller's own run failed at this step: no other thread was touched. */
  callerFailure?: OpFailure;
  /** How many threads ran the whole program successfully, the caller included. */
  threadCount: number;
  /** Other threads whose run failed after the caller succeeded (a partial application). */
  failures: Array<{
    /** The thread whose run failed. */
    tid: number;
    /** Where it stopped, and why. */
    failure: OpFailure;
  }>;
  /** Threads that did not report before the deadline (a partial application). */
  unreached: number[];
  /** How long the broadcast took, in ms. */
  elapsedMs: number;
  /** The signal the other threads were reached through (native backend: 33 on glibc, 34 on musl). */
  signal?: number;
}

/**
 * What a ProcessSpawner needs to start a child (see lib/operations/launch/launch.ts and lib/operations/launch/plan.ts).
 * @example
 * // type-check only: a raw spawn, below launch(); launch() builds this from its options
 * const request: SpawnRequest = { file: '/bin/true', argv: ['true'], envp: [], stdio: new Int32Array([-2, -2, -2]), steps: new Uint32Array(0), groups: new Uint32Array(0), onExit: () => {} };
 * getBackend().spawner?.spawn(request);
 */
export interface SpawnRequest {
  /** The program to exec (a path; no PATH search here). */
  file: string;
  /** argv, argv[0] included. */
  argv: string[];
  /** The environment, as `NAME=value` strings. */
  envp: string[];
  /** The child's working directory (default: ours). */
  cwd?: string;
  /** fds 0..2: -1 pipe, -2 /dev/null, or an fd of ours to give the child. */
  stdio: Int32Array;
  /** The encoded credential plan (8 words a step). */
  steps: Uint32Array;
  /** Supplementary groups for the plan's setgroups step. */
  groups: Uint32Array;
  /**
   * Called once when the child ends (code, or -1 and the signal number). The spawner starts
   * watching before spawn returns, so a child is reaped even if its caller's environment (a
   * Worker) goes away before it could watch.
   */
  onExit: (code: number, signal: number) => void;
}

/**
 * What a spawn reports: the child (pid and pidfd), our pipe ends, or a failure before exec.
 * @example
 * const result: SpawnResult = { pid: 0, pidfd: -1, stdio: [-1, -1, -1], watchId: 0, failure: { step: -3, errno: -11 } };   // fork failed: EAGAIN
 * result.failure ? `step ${result.failure.step}: errno ${result.failure.errno}` : `pid ${result.pid}`;
 */
export interface SpawnResult {
  /** The child's process id. */
  pid: number;
  /** A pidfd for it (signals and exit without pid reuse races). */
  pidfd: number;
  /** Our ends of the pipes asked for (fd or -1). */
  stdio: number[];
  /** The exit watch started for onExit (for ref/unref). */
  watchId: number;
  /**
   * The child failed before exec: which step (steps.length = execve, -1 = stdio setup in the
   * child) and errno (negative). Parent-side failures: -2 pipe2, -3 fork, -4 a stdio fd that is
   * not open, -5 pidfd_open (the child was killed and reaped).
   */
  failure?: {
    /** The step that failed (see above for the special values). */
    step: number;
    /** The errno, negative. */
    errno: number;
  };
}

/**
 * Starts children with a credential plan applied between fork and exec (never in the parent).
 * @example
 * const spawner: ProcessSpawner | undefined = getBackend().spawner;   // absent on the model backend
 * spawner !== undefined;
 */
export interface ProcessSpawner {
  /** Forks, applies the plan in the child, execs, starts watching; reports a failure before exec instead of a child. */
  spawn(req: SpawnRequest): SpawnResult;
  /** Whether a running child keeps the event loop alive. */
  ref(watchId: number, ref: boolean): void;
  /** pidfd_send_signal: 0 or a negative errno. */
  kill(pidfd: number, signal: number): number;
  /** Applies the plan on the calling thread and execs in place; returns only on failure (step, negative errno). */
  execInPlace?(req: Omit<SpawnRequest, 'stdio' | 'onExit'>): {
    /** The step that failed (steps.length: execve). */
    step: number;
    /** The errno, negative. */
    errno: number;
  };
}

/**
 * What the public operations need from a backend: the kernel through the addon ('native') or a
 * simulated process ('model'). Implement it for a test double and install it with installBackend.
  * @example
  * const backend: Backend = getBackend();
  * backend.threadState().effective.size;   // what thread.get() reads
 */
export interface Backend {
  /** 'native' or 'model': what results report as `backend`. */
  readonly kind: BackendKind;
  /** Highest capability number this kernel (or model kernel) knows. */
  lastCap(): number;
  /** The calling thread's full state. */
  threadState(): ThreadState;
  /** The calling thread's id, without reading its state. */
  callingTid(): number;
  /** Runs the program on the calling thread in order; stops at the first failure (earlier steps stay). */
  runOnThread(program: CredProgram): OpFailure | undefined;
  /** Why whole-process calls cannot run here (worker thread, io_uring, libc, arch…), or undefined. */
  processRefusal(): CapsError | undefined;
  /**
   * Runs the program on the caller first, then on every other thread. Never rolls back.
   * `caller`: the calling thread's state as threadState() just read it (saves reading it again).
   */
  broadcast(program: CredProgram, opts: { deadlineMs: number; caller?: ThreadState }): BroadcastOutcome;
  /**
   * Brings every other thread to the caller's present state with E, P, I and ambient empty
   * (bounding, securebits and no_new_privs equal to the caller's); the caller is not changed.
   * How dropPrivileges({ uniform: false }) ends. Never rolls back.
   */
  stripOtherThreads(opts: { deadlineMs: number; caller?: ThreadState }): BroadcastOutcome;
  /** The state of every thread of the process (the kernel: /proc/self/task/<tid>/status). */
  threads(): ThreadState[];
  /** The same read as a table, for verifying without building every state. */
  threadTable(): ThreadTable;
  /** Fail closed: end the process at once (the model: throw, since it holds no real privilege). */
  killProcess(message: string): never;
  /** Starts real children; absent where the backend cannot (the model predicts an exec instead). */
  spawner?: ProcessSpawner;
  /**
   * Changes ids on every thread, in this order: setgroups, setresgid(gid×3), setresuid(uid×3) —
   * the kernel: libc's own calls from the addon, which glibc and musl apply to every thread (no
   * runtime's process.set* needed); the model: the
   * same transitions (with their capability fixups, kernel-semantics §2.4) on every simulated thread.
   * Throws the kernel's error for the first step that fails (earlier steps stay).
   */
  setIds(ids: { groups?: readonly number[]; gid?: number; uid?: number }): void;
  /** Why setIds cannot run here (checked before anything changes), or undefined. Absent: it always can. */
  idsRefusal?(): CapsError | undefined;
  /** The caller's user namespace as setIds meets it: /proc/self/setgroups and the uid and gid maps. */
  userNamespace(): UserNamespaceView;
  /** The raw security.capability xattr (a path is never followed): bytes, or a negative errno. */
  readFileCaps(target: string | number): Uint8Array | number;
  /** Writes the raw security.capability xattr: 0 or a negative errno. */
  writeFileCaps(target: string | number, value: Uint8Array): number;
  /** Removes it: 0 or a negative errno (-ENODATA: nothing to remove). */
  removeFileCaps(target: string | number): number;
}
