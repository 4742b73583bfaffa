/**
 * Shapes shared by the kernel backend, the model and the public API.
 */
import type { CapSet, CapSetInput } from './capset.js';

/** A result type while it is being built (results are readonly once returned). Internal. */
export type Building<T> = { -readonly [K in keyof T]: T[K] };

/**
 * real / effective / saved / filesystem ids, as /proc prints them on the Uid: and Gid: lines.
 * @example
 * const { real, effective }: Ids = thread.get().uid;
 * real === effective;   // false inside a setuid program
 */
export interface Ids {
  /** The real id: who the process is. */
  readonly real: number;
  /** The effective id: what permission checks use. */
  readonly effective: number;
  /** The saved set-id: an id the process may switch back to. */
  readonly saved: number;
  /** The filesystem id: what file access checks use (follows the effective id unless set apart). */
  readonly fs: number;
}

/**
 * Everything the kernel keeps per thread that this library reads or changes.
 * @example
 * const me: ThreadState = thread.get();
 * me.permitted.has('cap_net_bind_service');
 * me.noNewPrivs;
 */
export interface ThreadState {
  /** The thread's id (the task id; the process id for the main thread). */
  readonly tid: number;
  /** E: the capabilities the kernel checks now. */
  readonly effective: CapSet;
  /** P: the limit of E, and what may be added back to E or I. */
  readonly permitted: CapSet;
  /** I: what may pass through execve (with the file's inheritable set, or as ambient). */
  readonly inheritable: CapSet;
  /** The bounding set: the limit of what execve may grant and of what I may gain. */
  readonly bounding: CapSet;
  /** The ambient set: what execve keeps for a program without file capabilities. */
  readonly ambient: CapSet;
  /** no_new_privs: execve grants nothing (setuid bits and file capabilities are ignored). */
  readonly noNewPrivs: boolean;
  /** The securebits word; undefined where it could not be read (another thread, read from /proc). */
  readonly securebits?: number;
  /** SECBIT_KEEP_CAPS (PR_GET_KEEPCAPS); undefined where unknown, as securebits. */
  readonly keepCaps?: boolean;
  /** User ids. */
  readonly uid: Ids;
  /** Group ids. */
  readonly gid: Ids;
  /** Supplementary groups. */
  readonly groups: readonly number[];
  /** Seccomp mode from /proc (0 none, 1 strict, 2 filter), where known. */
  readonly seccomp?: number | undefined;
}

/**
 * The three capability sets, each a CapSet, a bigint mask or names/numbers: what the absolute
 * calls `thread.set` and `caps.set` take. All three are required: like capset(2), the call sets
 * every one, so an omitted set would be emptied (issue 24 §4). To change one set, use
 * `caps.effective.raise(…)`, `caps.permitted.lower(…)`, `caps.inheritable.raise(…)` and their kin.
  * @example
  * const target: CapTriple = { effective: ['cap_net_raw'], permitted: ['cap_net_raw'], inheritable: [] };
  * thread.set(target);
 */
export interface CapTriple {
  /** E: what the kernel checks now. */
  effective: CapSetInput;
  /** P: the limit of E. */
  permitted: CapSetInput;
  /** I: what may pass through execve. */
  inheritable: CapSetInput;
}

/**
 * A thread's whole capability state, as `caps.setState`, `thread.setState` and `diff` take it:
 * E/P/I and, where given, the bounding and ambient sets, securebits, keep-caps and no_new_privs
 * (what capctl calls FullCapState). A `ThreadState` from `thread.get()`, a `ProcStatus` read
 * from /proc, and a structured clone of either (sets as `{ mask }`) are all CapStates. An
 * attribute left out is left as it is.
  * @example
  * const saved: CapState = thread.get();        // a snapshot is a CapState
  * thread.setState({ ...saved, ambient: [] });  // the same state with the ambient set emptied
 */
export interface CapState {
  /** E, as it should be. */
  effective: CapSetInput;
  /** P, as it should be. */
  permitted: CapSetInput;
  /** I, as it should be. */
  inheritable: CapSetInput;
  /** The bounding set, as it should be (it can only be lowered); left as it is where absent. */
  bounding?: CapSetInput;
  /** The ambient set, as it should be; left as it is where absent. */
  ambient?: CapSetInput;
  /** The whole securebits word (keep_caps included). */
  securebits?: number;
  /** SECBIT_KEEP_CAPS alone; where securebits is given too, the two must agree. */
  keepCaps?: boolean;
  /** no_new_privs (it can only be set); left as it is where absent. */
  noNewPrivs?: boolean;
}

/**
 * One step of a credential program. Each step is one syscall on a thread, so an error can
 * name exactly what failed. Programs run in order and stop at the first failure.
  * @example
  * const steps: CredOp[] = [{ op: 'keepCaps.set', on: true }, { op: 'bounding.drop', cap: 21 }];
  * steps.length;
 */
export type CredOp =
  | {
    /** capset(2): E, P and I at once. */
    op: 'capset';
    /** The new E. */
    effective: CapSet;
    /** The new P. */
    permitted: CapSet;
    /** The new I. */
    inheritable: CapSet;
  }
  | {
    /** prctl(PR_CAPBSET_DROP). */
    op: 'bounding.drop';
    /** The capability number. */
    cap: number;
  }
  | {
    /** prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE). */
    op: 'ambient.raise';
    /** The capability number. */
    cap: number;
  }
  | {
    /** prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER). */
    op: 'ambient.lower';
    /** The capability number. */
    cap: number;
  }
  | {
    /** prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL). */
    op: 'ambient.clear';
  }
  | {
    /** prctl(PR_SET_SECUREBITS). */
    op: 'securebits.set';
    /** The whole securebits word. */
    bits: number;
  }
  | {
    /** prctl(PR_SET_KEEPCAPS). */
    op: 'keepCaps.set';
    /** Keep P across a change of every uid away from 0. */
    on: boolean;
  }
  | {
    /** prctl(PR_SET_NO_NEW_PRIVS, 1). */
    op: 'noNewPrivs.set';
  };

/**
 * A credential program: steps run in order on one thread, stopping at the first failure.
 * @example
 * const program: CredProgram = [{ op: 'ambient.clear' }];
 * getBackend().runOnThread(program);   // undefined: the program ran (an OpFailure otherwise)
 */
export type CredProgram = readonly CredOp[];

/** A step only a launched child takes, between fork and exec (launch plans; never a running process). */
export type ChildOp =
  | { op: 'setgroups' } // the groups travel beside the plan
  | { op: 'setresgid'; id: number }
  | { op: 'setresuid'; id: number }
  | { op: 'chdir' } // the directory travels beside the plan
  /** capset(E := P, P, I := inheritable, or the current I): cap_setpcap usable again after setuid. */
  | { op: 'raiseAll'; inheritable?: CapSet };

/** One step of a launch plan: a credential step or a child's own. */
export type PlanOp = CredOp | ChildOp;

/**
 * Where a program stopped: the step index, the kernel's errno (negative), and why if known.
 * @example
 * const failure: OpFailure | undefined = getBackend().runOnThread([{ op: 'ambient.raise', cap: 63 }]);
 * failure?.errno;   // -22 (EINVAL): no capability 63 on this kernel
 */
export interface OpFailure {
  /** Index of the step that failed; the steps before it stay applied. */
  index: number;
  /** The kernel's errno for that step, negative (e.g. -1 for EPERM). */
  errno: number;
  /** The rule that refused, in words (e.g. "I' ⊄ I ∪ B: cap_sys_admin is not in the bounding set"). */
  reason?: string;
  /** Spec section of that rule, e.g. 'kernel-semantics §2.3'. */
  rule?: string;
}

/**
 * Which implementation answered.
 * @example
 * const kind: BackendKind = backendKind();   // 'native' on Linux
 */
export type BackendKind = 'native' | 'model';

/**
 * What a whole-process call returns.
 * @example
 * const r: ProcessResult = caps.ambient.clear();
 * r.threadCount;   // every thread of the process, e.g. 11
 */
export interface ProcessResult {
  /** How many threads now hold the requested state (all of them). */
  threadCount: number;
  /** How long the whole call took, in ms. */
  elapsedMs: number;
  /** Which backend answered: 'native' (the kernel) or 'model' (a simulated process). */
  backend: BackendKind;
}

/**
 * What to do when a whole-process program did not reach every thread.
 * @example
 * const onPartial: OnPartial = 'throw';   // a CapsError instead of ending the process
 * caps.bounding.drop('cap_sys_module', { onPartial });
 */
export type OnPartial = 'abort' | 'throw';

/**
 * Options of every whole-process call (`caps.*`, `dropPrivileges`).
 * @example
 * const options: ProcessCallOptions = { deadlineMs: 5000, onPartial: 'throw' };
 * caps.noNewPrivs.set(options);
 */
export interface ProcessCallOptions {
  /** How long every thread has to converge, in ms (default 2000). */
  deadlineMs?: number;
  /** 'abort' (default): one line on stderr, then SIGKILL. 'throw': CapsError ERR_CAPS_PARTIAL. */
  onPartial?: OnPartial;
}
