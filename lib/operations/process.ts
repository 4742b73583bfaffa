/**
 * `caps`: the whole process. Every mutator runs one credential program on the calling
 * (main) thread first, then on every other thread (the backend's broadcast), then verifies
 * every thread from /proc (plus the handlers' read-back for securebits) against the state
 * the program must leave. A thread that failed, never reported, or differs means the process
 * holds mixed privilege: fail closed (DESIGN "Fail closed"). Nothing is ever rolled back.
 */
import { CapSet } from '../vocabulary/capset.js';
import { changeRefusal, getBackend, type Backend, type BroadcastOutcome, type ThreadTable } from './backend.js';
import { CapsError, invalidArg } from '../vocabulary/errors.js';
import { describeStep, predictSteps, predictedRefusal, refusalError, type CredState } from './explain-errno.js';
import { adjustOp, capsetOp, compileSteps, keepCapsOp, type CapsInput, type CapsStep, type CapTriple, type SetName } from './program.js';
import { toSecurebits, type SecurebitsInput } from '../vocabulary/securebits.js';
import { capsFromArgs, credStateOf } from './thread.js';
import { errnoName } from '../vocabulary/errors.js';
import { readThreadStatus } from '../proc/read.js';
import { refuseUnknownKeys } from '../vocabulary/option-keys.js';
import type { CapState, CredProgram, OnPartial, ProcessCallOptions, ProcessResult, ThreadState } from '../vocabulary/types.js';
import { diff, resolveTarget, statePlan, type ThreadDifference } from './state.js';
import { iabOf, iabTarget, modeTarget, resolveIAB, toSettableMode, type CapMode } from './mode.js';
import type { IAB, IABInput } from '../text/types.js';

export type { ThreadDifference };

/**
 * What `caps.verify()` returns: whether every thread equals the calling thread, and where not.
 * @example
 * const v: VerifyResult = caps.verify();
 * v.uniform || v.divergent.map((d) => d.tid);
 */
export interface VerifyResult {
  /** Every thread equals the calling thread. */
  uniform: boolean;
  /** Every thread's state, as read (the state objects are built when this is first read). */
  threads: ThreadState[];
  /** The threads that differ from the caller, and how. */
  divergent: Array<{
    /** The thread that differs. */
    tid: number;
    /** What differs: the caller's value expected, this thread's actual. */
    differences: ThreadDifference[];
  }>;
}

const DEFAULT_DEADLINE_MS = 2000;

/** The keys of ProcessCallOptions. */
export const PROCESS_CALL_KEYS = ['deadlineMs', 'onPartial'] as const;

function checkOptions(opts: ProcessCallOptions | undefined): { deadlineMs: number; onPartial: OnPartial } {
  if (opts === undefined) return { deadlineMs: DEFAULT_DEADLINE_MS, onPartial: 'abort' };
  if (opts === null || typeof opts !== 'object') throw invalidArg('options', opts, '{ deadlineMs?, onPartial? }');
  refuseUnknownKeys('options', opts, PROCESS_CALL_KEYS);
  const deadlineMs = opts.deadlineMs ?? DEFAULT_DEADLINE_MS;
  if (typeof deadlineMs !== 'number' || !Number.isFinite(deadlineMs) || deadlineMs <= 0 || deadlineMs > 2 ** 31 - 1) {
    throw invalidArg('deadlineMs', deadlineMs, 'a positive number of milliseconds');
  }
  const onPartial = opts.onPartial ?? 'abort';
  if (onPartial !== 'abort' && onPartial !== 'throw') throw invalidArg('onPartial', onPartial, "'abort' or 'throw'");
  return { deadlineMs, onPartial };
}

function describeDiff(tid: number, diffs: ThreadDifference[]): string {
  const names = (d: ThreadDifference) => [d.missing?.length ? `missing ${d.missing.join(',')}` : '', d.extra?.length ? `extra ${d.extra.join(',')}` : ''].filter(Boolean).join(', ');
  return `${tid} (${diffs.map((d) => `${d.field} ${d.actual} != ${d.expected}${names(d) ? ` [${names(d)}]` : ''}`).join('; ')})`;
}

/**
 * Runs a program on every thread, verified; see the file comment. `composed`: the library built
 * the program (setState, setMode, iab.set), so a refusal the model predicts is thrown before any
 * step runs.
 */
function runEverywhere(program: CredProgram, opts: ProcessCallOptions | undefined, composed = false): ProcessResult {
  const { deadlineMs, onPartial } = checkOptions(opts);
  const backend: Backend = getBackend();
  const refused = changeRefusal() ?? backend.processRefusal();
  if (refused) throw refused;
  const before = backend.threadState();
  const last = backend.lastCap();
  if (composed) {
    const predictedError = predictedRefusal(program, credStateOf(before), last);
    if (predictedError) throw predictedError;
  }
  // The target every thread must reach: the model's prediction; where the model cannot predict
  // (a newer kernel's securebits), what the kernel left on the calling thread, which ran the
  // program with exact semantics.
  const predicted = predictSteps(credStateOf(before), program, last);

  const outcome = backend.broadcast(program, { deadlineMs, caller: before });
  if (outcome.callerFailure) throw refusalError(program, outcome.callerFailure, credStateOf(before), last);
  let callerNow: CredState | undefined;
  const target = (): CredState => predicted ?? (callerNow ??= credStateOf(backend.threadState()));
  return judge(backend, outcome, program, target, { deadlineMs, onPartial });
}

/**
 * The uniform: false ending of dropPrivileges: every other thread keeps the caller's bounding
 * set, securebits and no_new_privs (process-wide promises, issue 11 S1) and holds no
 * capability; the caller keeps its own. Verified like every whole-process call.
 */
export function stripOtherThreads(opts: ProcessCallOptions | undefined): ProcessResult {
  const { deadlineMs, onPartial } = checkOptions(opts);
  const backend: Backend = getBackend();
  const refused = changeRefusal() ?? backend.processRefusal();
  if (refused) throw refused;
  const me = backend.threadState();
  const mine = credStateOf(me);
  const bare: CredState = { ...mine, effective: CapSet.EMPTY, permitted: CapSet.EMPTY, inheritable: CapSet.EMPTY, ambient: CapSet.EMPTY };
  const outcome = backend.stripOtherThreads({ deadlineMs, caller: me });
  return judge(backend, outcome, [], (tid) => (tid === me.tid ? mine : bare), { deadlineMs, onPartial });
}

/** Turns a broadcast's outcome and every thread's /proc state into a result or a partial-application failure. */
function judge(
  backend: Backend,
  outcome: BroadcastOutcome,
  program: CredProgram,
  targetFor: (tid: number) => CredState,
  { deadlineMs, onPartial }: { deadlineMs: number; onPartial: OnPartial },
): ProcessResult {
  const problems: string[] = [];
  const tids = new Set<number>();
  for (const { tid, failure } of outcome.failures) {
    const [code] = errnoName(failure.errno);
    const what = failure.index < 0 ? `to converge to the calling thread's state (${failure.reason ?? 'before the program'})` : describeStep(program[failure.index]!).detail;
    problems.push(`${tid} failed ${what} with ${code}`);
    tids.add(tid);
  }
  if (outcome.unreached.length > 0) {
    const who = outcome.unreached.map((tid) => (backend.kind === 'native' ? describeTask(tid, outcome.signal ?? 33) : String(tid)));
    problems.push(`${who.join(', ')} never reported within ${deadlineMs} ms`);
    for (const tid of outcome.unreached) tids.add(tid);
  }
  let verified = 0;
  let table: ThreadTable | undefined;
  try {
    table = backend.threadTable();
  } catch (err) {
    problems.push(`threads could not be verified: ${(err as Error).message}`);
    for (const tid of (err as CapsError).tids ?? []) tids.add(tid);
  }
  for (let i = 0; table !== undefined && i < table.tids.length; i++) {
    const tid = table.tids[i]!;
    const target = targetFor(tid);
    // The raw records answer for a thread that holds the target; any other is compared in full.
    const diffs = table.holds(i, target) ? [] : diff(target, table.state(i));
    if (diffs.length === 0) { verified++; continue; }
    if (!tids.has(tid)) problems.push(describeDiff(tid, diffs));
    tids.add(tid);
  }
  if (problems.length > 0) {
    const list = [...tids].sort((a, b) => a - b);
    const message = `capability program reached only part of the process: thread(s) ${problems.join('; ')}`;
    if (onPartial === 'abort') backend.killProcess(`${message}; killing the process (onPartial: 'abort')`);
    throw new CapsError({ code: 'ERR_CAPS_PARTIAL', message, tids: list });
  }
  return { threadCount: verified, elapsedMs: outcome.elapsedMs, backend: backend.kind };
}

/**
 * A thread that never reported, as /proc shows it: name, state (D = uninterruptible sleep) and
 * whether it blocks the broadcast's signal (spec node-engineering §3.5, §4.3).
 */
function describeTask(tid: number, signal: number): string {
  try {
    const s = readThreadStatus('self', tid);
    const blocked = s.signals ? ((s.signals.blocked >> BigInt(signal - 1)) & 1n) === 1n : undefined;
    const state = s.state ? `, state ${s.state}` : '';
    return `${tid} (${s.name}${state}${blocked === undefined ? '' : blocked ? `, blocks signal ${signal}` : ''})`;
  } catch {
    return `${tid} (exited)`;
  }
}

/**
 * Capabilities, then the options if any: `('cap_sys_admin', 'cap_net_raw', { onPartial: 'throw' })`.
 * @example
 * const args: CapsThenOptions = ['cap_net_raw', 'cap_net_admin', { onPartial: 'throw' }];
 * caps.effective.lower(...args);
 */
export type CapsThenOptions = [...caps: CapsInput[], options: ProcessCallOptions] | CapsInput[];

/** Splits `(...caps, options?)`: a trailing plain object is the options. */
function splitOptions(args: ReadonlyArray<CapsInput | ProcessCallOptions>): [CapsInput[], ProcessCallOptions | undefined] {
  const lastArg = args[args.length - 1];
  if (lastArg !== null && typeof lastArg === 'object' && !Array.isArray(lastArg) && !(lastArg instanceof CapSet) && Object.getPrototypeOf(lastArg) === Object.prototype) {
    return [args.slice(0, -1) as CapsInput[], lastArg as ProcessCallOptions];
  }
  return [args as CapsInput[], undefined];
}

/** Takes every thread to `targetOf(current state)` in one composed program (setState, setMode, iab.set). */
function reachEverywhere(targetOf: (current: CredState) => CredState, opts: ProcessCallOptions | undefined): ProcessResult {
  const current = credStateOf(getBackend().threadState());
  return runEverywhere(statePlan(current, targetOf(current)), opts, true);
}

function adjustEverywhere(set: SetName, change: 'raise' | 'lower', args: CapsThenOptions): ProcessResult {
  const [list, opts] = splitOptions(args);
  return runEverywhere([adjustOp(getBackend().threadState(), set, change, capsFromArgs(list))], opts);
}

/** The calling thread's state, the table of every thread's, and which of them differ from the caller. */
function compareThreads(): { reference: ThreadState; table: ThreadTable; divergent: VerifyResult['divergent'] } {
  const backend = getBackend();
  const table = backend.threadTable();
  // The caller as the same read shows it (its securebits from prctl): one walk of /proc, no
  // second read of the calling thread (issue 14).
  const ref = table.tids.indexOf(backend.callingTid());
  const reference = ref >= 0 ? table.state(ref) : backend.threadState();
  const divergent: VerifyResult['divergent'] = [];
  for (let i = 0; i < table.tids.length; i++) {
    if (i === ref || (ref >= 0 && table.same(i, ref))) continue;
    const differences = diff(reference, table.state(i));
    if (differences.length > 0) divergent.push({ tid: table.tids[i]!, differences });
  }
  return { reference, table, divergent };
}

/**
 * caps.verify()'s answer. `threads` is built from the table (a copy of the read) when first
 * read: a caller that wants only `uniform` does not pay for a state object per thread (issue 14).
 */
function verifyResult(table: ThreadTable, divergent: VerifyResult['divergent']): VerifyResult {
  let threads: ThreadState[] | undefined;
  const result = { uniform: divergent.length === 0 } as VerifyResult;
  Object.defineProperty(result, 'threads', {
    enumerable: true,
    configurable: true,
    get: () => (threads ??= table.tids.map((_, i) => table.state(i))),
    set: (value: ThreadState[]) => { threads = value; },
  });
  result.divergent = divergent;
  return result;
}

/**
 * Every thread's state, and changes applied to every thread of the process, verified.
 * @example
 * caps.bounding.drop('cap_sys_module');   // every thread, verified
 * caps.get().bounding.has('cap_sys_module');   // false
 * caps.verify().uniform;   // true
 */
export const caps = {
  /**
   * The process's state: the one every thread shares. Every thread is read (/proc) and compared
   * with the calling thread; where one differs, it throws ERR_CAPS_NOT_UNIFORM with those `tids`
   * and what differs, rather than answer for the process with one thread's state.
   * `thread.get()` reads the calling thread alone (no /proc, no comparison).
   * @example caps.get().permitted.has('cap_net_bind_service') // true of every thread
   */
  get(): ThreadState {
    const { reference, divergent } = compareThreads();
    if (divergent.length === 0) return reference;
    const shown = divergent.slice(0, 3).map((d) => `tid ${d.tid}: ${d.differences.map((x) => x.field).join(', ')}`).join('; ');
    throw new CapsError({
      code: 'ERR_CAPS_NOT_UNIFORM',
      message: `caps.get(): ${divergent.length} thread(s) differ from the calling thread ${reference.tid} (${shown}${divergent.length > 3 ? '; …' : ''}), so the process has no one state; thread.get() reads the calling thread, caps.verify() lists every difference`,
      tids: divergent.map((d) => d.tid),
    });
  },

  /** Every thread's state (the kernel: /proc/self/task/<tid>/status, plus securebits read back by the last broadcast). */
  threads(): ThreadState[] {
    return getBackend().threads();
  },

  /** Whether every thread equals the calling thread (capability sets, no_new_privs, securebits where known, ids). */
  verify(): VerifyResult {
    const { table, divergent } = compareThreads();
    return verifyResult(table, divergent);
  },

  /** Raises or lowers capabilities in E alone, on every thread: `caps.effective.lower('cap_net_raw', opts?)`. */
  effective: {
    /** The calling thread's effective set (the process's, once uniform). */
    get(): CapSet { return getBackend().threadState().effective; },
    /** Raises caps into E (each must be in P). */
    raise(...args: CapsThenOptions): ProcessResult { return adjustEverywhere('effective', 'raise', args); },
    /** Lowers caps from E (P keeps them, so they can be raised again). */
    lower(...args: CapsThenOptions): ProcessResult { return adjustEverywhere('effective', 'lower', args); },
  },

  /** Lowers capabilities in P (and E) alone, on every thread: P only shrinks, so there is no raise. */
  permitted: {
    /** The calling thread's permitted set. */
    get(): CapSet { return getBackend().threadState().permitted; },
    /** Lowers caps from P, and from E with them (E ⊆ P). Irreversible. */
    lower(...args: CapsThenOptions): ProcessResult { return adjustEverywhere('permitted', 'lower', args); },
  },

  /** Raises or lowers capabilities in I alone, on every thread. */
  inheritable: {
    /** The calling thread's inheritable set. */
    get(): CapSet { return getBackend().threadState().inheritable; },
    /** Raises caps into I (within I ∪ P, or I ∪ bounding with cap_setpcap in E). */
    raise(...args: CapsThenOptions): ProcessResult { return adjustEverywhere('inheritable', 'raise', args); },
    /** Lowers caps from I (the ambient set loses them too). */
    lower(...args: CapsThenOptions): ProcessResult { return adjustEverywhere('inheritable', 'lower', args); },
  },

  /**
   * Sets E, P, I on every thread, absolutely like capset(2): all three are required (a snapshot
   * such as `caps.get()` will do). To change one set, use `caps.effective.lower(…)` and kin.
   */
  set(sets: CapTriple, opts?: ProcessCallOptions): ProcessResult {
    return runEverywhere([capsetOp(sets)], opts);
  },

  /**
   * Sets the whole capability state on every thread in one verified call: E/P/I and, where
   * given, bounding, ambient, securebits, keepCaps and no_new_privs (capctl's FullCapState).
   * Takes `caps.get()`, `thread.get()`, a ProcStatus of another process, or a structured clone
   * of any of them; what the state leaves out stays as it is. One program, in the order the
   * kernel requires: bounding drops, ambient, securebits, then E/P/I, then no_new_privs.
   * A state the kernel cannot reach (a bounding cap to add back, no_new_privs to clear,
   * ambient outside P ∩ I) is refused before anything changes.
   */
  setState(state: CapState, opts?: ProcessCallOptions): ProcessResult {
    return reachEverywhere((current) => resolveTarget(current, state), opts);
  },

  /**
   * Puts every thread in one of libcap's modes, as cap_set_mode does (libcap 2.66, checked
   * against it), verified. Every mode empties E. `'HYBRID'`: securebits 0. `'PURE1E'`: the
   * ambient set emptied and securebits 0xef (root not special, no ambient raise, all locked).
   * `'PURE1E_INIT'`: also I emptied. `'NOPRIV'`: also P and the bounding set emptied, and
   * no_new_privs set. Needs cap_setpcap in P (raised into E for the duration).
   *
   * @example caps.setMode('PURE1E_INIT') // then getMode() === 'PURE1E_INIT'
   */
  setMode(mode: Exclude<CapMode, 'UNCERTAIN'>, opts?: ProcessCallOptions): ProcessResult {
    return reachEverywhere((current) => modeTarget(toSettableMode(mode), current), opts);
  },

  /** libcap's IAB view (inheritable, ambient, not-in-bounding), on every thread. */
  iab: {
    /** The calling thread's IAB, as cap_iab_get_proc reads it (the process's, once uniform). */
    get(): IAB {
      const backend = getBackend();
      return iabOf(backend.threadState(), backend.lastCap());
    },
    /**
     * Sets the IAB on every thread, as cap_iab_set_proc does, verified: I as given (an ambient
     * capability is inheritable too), the ambient set exactly as given, the `!` capabilities
     * dropped from the bounding set; E and P unchanged. Text (`'^cap_net_raw,!cap_sys_admin'`)
     * or sets.
     */
    set(iab: string | IABInput, opts?: ProcessCallOptions): ProcessResult {
      return reachEverywhere((current) => iabTarget(resolveIAB(iab), current), opts);
    },
  },

  /** Runs public steps in order, on every thread, in one broadcast. */
  apply(steps: readonly CapsStep[], opts?: ProcessCallOptions): ProcessResult {
    return runEverywhere(compileSteps(steps), opts);
  },

  /** The bounding set of every thread: `get`, and `drop` (it can only be lowered). */
  bounding: {
    /** The calling thread's bounding set (nothing can add to it: drop-only). */
    get(): CapSet { return getBackend().threadState().bounding; },
    /** Drops caps from every thread's bounding set: `caps.bounding.drop('cap_sys_admin', 'cap_net_raw', { onPartial: 'throw' })`. */
    drop(...args: CapsThenOptions): ProcessResult {
      const [list, opts] = splitOptions(args);
      return runEverywhere(capsFromArgs(list).map((cap) => ({ op: 'bounding.drop' as const, cap })), opts);
    },
  },

  /** The ambient set of every thread: `get`, `raise`, `lower`, `clear`. */
  ambient: {
    /** The calling thread's ambient set. */
    get(): CapSet { return getBackend().threadState().ambient; },
    /** Raises caps into every thread's ambient set (each must be in P and I): `caps.ambient.raise('cap_net_bind_service', opts?)`. */
    raise(...args: CapsThenOptions): ProcessResult {
      const [list, opts] = splitOptions(args);
      return runEverywhere(capsFromArgs(list).map((cap) => ({ op: 'ambient.raise' as const, cap })), opts);
    },
    /** Lowers caps from every thread's ambient set. */
    lower(...args: CapsThenOptions): ProcessResult {
      const [list, opts] = splitOptions(args);
      return runEverywhere(capsFromArgs(list).map((cap) => ({ op: 'ambient.lower' as const, cap })), opts);
    },
    /** Empties every thread's ambient set. */
    clear(opts?: ProcessCallOptions): ProcessResult {
      return runEverywhere([{ op: 'ambient.clear' }], opts);
    },
  },

  /** The securebits of every thread: `get`, and `set` by names or a number. */
  securebits: {
    /** The calling thread's securebits word (see securebitNames()). */
    get(): number { return getBackend().threadState().securebits ?? 0; },
    /** Sets the whole securebits word on every thread: a number, names, or `{ noroot: true, … }`. */
    set(bits: SecurebitsInput, opts?: ProcessCallOptions): ProcessResult {
      return runEverywhere([{ op: 'securebits.set', bits: toSecurebits(bits) }], opts);
    },
  },

  /** SECBIT_KEEP_CAPS: keep P across a setuid away from root. */
  keepCaps: {
    /** Whether SECBIT_KEEP_CAPS is set on the calling thread. */
    get(): boolean { return getBackend().threadState().keepCaps ?? false; },
    /** Sets or clears SECBIT_KEEP_CAPS on every thread. */
    set(on: boolean, opts?: ProcessCallOptions): ProcessResult {
      return runEverywhere([keepCapsOp(on)], opts);
    },
  },

  /** no_new_privs: once set it cannot be cleared. */
  noNewPrivs: {
    /** Whether no_new_privs is set on the calling thread. */
    get(): boolean { return getBackend().threadState().noNewPrivs; },
    /** Sets no_new_privs on every thread (irreversible). */
    set(opts?: ProcessCallOptions): ProcessResult {
      return runEverywhere([{ op: 'noNewPrivs.set' }], opts);
    },
  },
};
