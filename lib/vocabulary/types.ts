/**
 * Shapes shared by the kernel backend, the model and the public API.
 */
import type { CapSet, CapSetInput } from './capset.js';

/** A result type while it is being built (results are readonly once returned). Internal. */
export type Building<T> = { -readonly [K in keyof T]: T[K] };

/** real / effective / saved / filesystem ids, as /proc prints them on the Uid: and Gid: lines. */
export interface Ids {
  readonly real: number;
  readonly effective: number;
  readonly saved: number;
  readonly fs: number;
}

/** Everything the kernel keeps per thread that this library reads or changes. */
export interface ThreadState {
  readonly tid: number;
  readonly effective: CapSet;
  readonly permitted: CapSet;
  readonly inheritable: CapSet;
  readonly bounding: CapSet;
  readonly ambient: CapSet;
  readonly noNewPrivs: boolean;
  /** The securebits word; undefined where it could not be read (another thread, read from /proc). */
  readonly securebits?: number;
  /** SECBIT_KEEP_CAPS (PR_GET_KEEPCAPS); undefined where unknown, as securebits. */
  readonly keepCaps?: boolean;
  readonly uid: Ids;
  readonly gid: Ids;
  readonly groups: readonly number[];
  /** Seccomp mode from /proc (0 none, 1 strict, 2 filter), where known. */
  readonly seccomp?: number;
}

/**
 * The three capability sets, each a CapSet, a bigint mask or names/numbers: what the absolute
 * calls `thread.set` and `caps.set` take. All three are required: like capset(2), the call sets
 * every one, so an omitted set would be emptied (issue 24 §4). To change one set, use
 * `caps.effective.raise(…)`, `caps.permitted.lower(…)`, `caps.inheritable.raise(…)` and their kin.
 */
export interface CapTriple {
  effective: CapSetInput;
  permitted: CapSetInput;
  inheritable: CapSetInput;
}

/**
 * A thread's whole capability state, as `caps.setState`, `thread.setState` and `diff` take it:
 * E/P/I and, where given, the bounding and ambient sets, securebits, keep-caps and no_new_privs
 * (what capctl calls FullCapState). A `ThreadState` from `thread.get()`, a `ProcStatus` read
 * from /proc, and a structured clone of either (sets as `{ mask }`) are all CapStates. An
 * attribute left out is left as it is.
 */
export interface CapState {
  effective: CapSetInput;
  permitted: CapSetInput;
  inheritable: CapSetInput;
  bounding?: CapSetInput;
  ambient?: CapSetInput;
  /** The whole securebits word (keep_caps included). */
  securebits?: number;
  /** SECBIT_KEEP_CAPS alone; where securebits is given too, the two must agree. */
  keepCaps?: boolean;
  noNewPrivs?: boolean;
}

/**
 * One step of a credential program. Each step is one syscall on a thread, so an error can
 * name exactly what failed. Programs run in order and stop at the first failure.
 */
export type CredOp =
  | { op: 'capset'; effective: CapSet; permitted: CapSet; inheritable: CapSet }
  | { op: 'bounding.drop'; cap: number }
  | { op: 'ambient.raise'; cap: number }
  | { op: 'ambient.lower'; cap: number }
  | { op: 'ambient.clear' }
  | { op: 'securebits.set'; bits: number }
  | { op: 'keepCaps.set'; on: boolean }
  | { op: 'noNewPrivs.set' };

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

/** Where a program stopped: the step index, the kernel's errno (negative), and why if known. */
export interface OpFailure {
  index: number;
  errno: number;
  /** The rule that refused, in words (e.g. "I' ⊄ I ∪ B: cap_sys_admin is not in the bounding set"). */
  reason?: string;
  /** Spec section of that rule, e.g. 'kernel-semantics §2.3'. */
  rule?: string;
}

/** Which implementation answered. */
export type BackendKind = 'native' | 'model';

/** What a whole-process call returns. */
export interface ProcessResult {
  /** How many threads now hold the requested state (all of them). */
  threadCount: number;
  elapsedMs: number;
  backend: BackendKind;
}

/** What to do when a whole-process program did not reach every thread. */
export type OnPartial = 'abort' | 'throw';

export interface ProcessCallOptions {
  /** How long every thread has to converge, in ms (default 2000). */
  deadlineMs?: number;
  /** 'abort' (default): one line on stderr, then SIGKILL. 'throw': CapsError ERR_CAPS_PARTIAL. */
  onPartial?: OnPartial;
}
