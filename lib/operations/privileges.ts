/**
 * dropPrivileges(): the privileged daemon's recipe as one verified call — switch user, keep
 * only the capabilities it needs (on every thread), optionally hand some to children through
 * the ambient set, limit the bounding set, lock securebits and set no_new_privs.
 *
 * Order (each step needs what the one before left, kernel-semantics §2.3–§2.5):
 *   keepcaps on every thread → setgroups / setgid / setuid through glibc's broadcast (P survives,
 *   E and A are cleared, §2.4) → one broadcast program: E := P with the target I (cap_setpcap usable
 *   again) → keepcaps off → bounding drops → ambient raises → securebits → the final E/P/I → nnp
 *   → (uniform: false) every other thread converges to the caller's state without capabilities.
 * Everything that can be refused is checked before anything changes; a failure after that is a
 * partial drop and fails closed (onPartial), never rolled back.
 */
import { changeRefusal, getBackend, type Backend } from './backend.js';
import { CapSet } from '../vocabulary/capset.js';
import { CapsError, errnoName, invalidArg } from '../vocabulary/errors.js';
import { caps, stripOtherThreads } from './process.js';
import { compileSteps, toCapList, type CapsInput, type CapsStep } from './program.js';
import { LOCKED_SECUREBITS, toSecurebits, type SecurebitsInput } from '../vocabulary/securebits.js';
import { describeStep } from './explain-errno.js';
import { credInitOf } from './thread-cred.js';
import { loadModel } from '../model/on-demand/load.js';
import { replayOnModel } from './model-replay.js';
import type { ModelStep } from '../model/modern/types.js';
import { capToName, lastCap } from '../vocabulary/names.js';
import type { ProcessCallOptions, ThreadState, BackendKind } from '../vocabulary/types.js';
import { resolveIdentityOptions } from './users.js';
import { idChangeRefusal } from '../accounts/id-checks.js';
import { refuseUnknownKeys } from '../vocabulary/option-keys.js';
import { rootExecGain, rootExecWarning } from './launch/warnings.js';
import { EINVAL, EPERM } from '../vocabulary/abi.js';

/**
 * Options of `dropPrivileges()` and `planDrop()`: who to become and what to keep.
 * @example
 * const options: DropPrivilegesOptions = { user: 'nobody', keep: ['cap_net_bind_service'], noNewPrivs: true };
 * dropPrivileges(options);
 */
export interface DropPrivilegesOptions extends ProcessCallOptions {
  /** libcap's modes as starting points: 'nopriv' (nothing kept, bounding emptied, bits locked, nnp) or 'pure1e' (bits locked, ambient cleared, I kept). Explicit options override. */
  preset?: 'nopriv' | 'pure1e';
  /** User name or uid to switch to. A name also sets its primary group and initgroups' list (as su does) unless group/groups are given. */
  user?: string | number;
  /** Group name or gid. */
  group?: string | number;
  /** Supplementary groups; `[]` clears them. */
  groups?: Array<string | number>;
  /** Capabilities to keep in the permitted set (and effective, unless `effective` says otherwise). */
  keep?: CapsInput | CapsInput[];
  /** The effective set: a subset of keep (default: all of keep). */
  effective?: CapsInput | CapsInput[];
  /** The inheritable set (default: the ambient caps). */
  inheritable?: CapsInput | CapsInput[];
  /** Ambient caps, so children spawned later keep them across exec. Each must be kept and inheritable. */
  ambient?: CapsInput | CapsInput[];
  /** Limit the bounding set to what is kept (needs cap_setpcap now). */
  limitBounding?: boolean;
  /** true: libcap's locked bits (0xef); or an explicit securebits word / names (needs cap_setpcap now). */
  securebits?: boolean | SecurebitsInput;
  /** Set no_new_privs (irreversible). */
  noNewPrivs?: boolean;
  /**
   * true (default): every thread ends equal. false: only the calling thread keeps capabilities and
   * every other thread holds none (spec node-engineering §4.1) — needs a switch away from uid 0.
   * Either way the bounding set, securebits, no_new_privs and ids are applied to, and verified
   * on, every thread: they are promises for the whole process.
   */
  uniform?: boolean;
}

/**
 * What `dropPrivileges()` returns: the ids and capabilities every thread now has.
 * @example
 * const r: DropPrivilegesResult = dropPrivileges({ user: 'nobody', keep: ['cap_net_bind_service'] });
 * r.uid;                    // 65534 on Debian
 * r.threads.length;         // every thread, verified
 */
export interface DropPrivilegesResult {
  /** The uid every thread now has (real, effective, saved and fs). */
  uid: number;
  /** The gid every thread now has. */
  gid: number;
  /** The supplementary groups now. */
  groups: readonly number[];
  /** The final state of every thread. */
  threads: ThreadState[];
  /**
   * What a program this process execs would hold beyond `keep`: still uid 0 without
   * SECBIT_NOROOT, exec gives the whole bounding set back (empty otherwise). When not empty, a
   * warning (code LINUX_CAPS_EXEC_REGAINS) is emitted once per process; give `user`,
   * `securebits`, or `limitBounding` to close it.
   */
  execRegains: CapSet;
  /** How long the whole drop took, in ms. */
  elapsedMs: number;
  /** Which backend answered: 'native' (the kernel) or 'model'. */
  backend: BackendKind;
}

let warnedExecRegains = false;

const DROP_KEYS = ['preset', 'user', 'group', 'groups', 'keep', 'effective', 'inheritable', 'ambient', 'limitBounding',
  'securebits', 'noNewPrivs', 'uniform', 'deadlineMs', 'onPartial'] as const;

/**
 * What dropPrivileges will do, as planDrop computes it: ids to set, and one broadcast program.
 * @example
 * const plan: DropPlan = planDrop({ user: 'nobody', keep: ['cap_net_bind_service'] }, thread.get());
 * plan.keepCapsFirst;   // true: keep-caps is set before the uid changes
 */
export interface DropPlan {
  /** The ids to set, in this order: groups, gid, uid (each left as it is where absent). */
  ids: {
    /** setgroups(2). */
    groups?: number[];
    /** setresgid(gid, gid, gid). */
    gid?: number;
    /** setresuid(uid, uid, uid). */
    uid?: number;
  };
  /** Whether keep-caps is set before the uid changes (so P survives it). */
  keepCapsFirst: boolean;
  /** The capability steps broadcast to every thread after the ids change. */
  steps: CapsStep[];
  /** P at the end: what is kept. */
  permitted: CapSet;
  /** Whether every thread ends in the same state (false: `uniform: false`, the caller alone keeps caps). */
  uniform: boolean;
}

function capsOption(name: string, value: CapsInput | CapsInput[] | undefined): CapSet | undefined {
  if (value === undefined) return undefined;
  try {
    return CapSet.of(...toCapList(value as CapsInput));
  } catch (err) {
    // Name the element that is wrong (issue 23), not the whole list.
    if (Array.isArray(value)) {
      value.forEach((element, i) => {
        try {
          toCapList(element as CapsInput);
        } catch (inner) {
          const e = inner as CapsError;
          throw new CapsError({ code: e.code ?? 'ERR_CAPS_INVALID_ARG', errno: -EINVAL, message: `dropPrivileges: ${e.message.replace(/:.*$/s, '')} in ${name}[${i}]`, expected: 'a capability name such as cap_net_raw, or a number' });
        }
      });
    }
    throw invalidArg(name, value, 'capability names or numbers, a CapSet or a bigint mask');
  }
}

function refuse(message: string, cap?: number): never {
  throw new CapsError({ code: 'ERR_CAPS_CANNOT_DROP', errno: -EPERM, message: `dropPrivileges: ${message}`, ...(cap === undefined ? {} : { cap: capToName(cap) }) });
}

function firstMissing(wanted: CapSet, have: CapSet): number | undefined {
  return wanted.minus(have).toArray()[0];
}

/**
 * Validates options against the calling thread's state; returns what to do (pure given `now`).
 * @example
 * planDrop({ user: 'nobody', keep: ['cap_net_bind_service'] }, thread.get()).steps.map((s) => s.op);   // what dropPrivileges would run; runs nothing
 */
export function planDrop(options: DropPrivilegesOptions, now: ThreadState): DropPlan {
  if (options === null || typeof options !== 'object') throw invalidArg('options', options, 'an object');
  refuseUnknownKeys('dropPrivileges', options, DROP_KEYS);
  const preset = options.preset;
  if (preset !== undefined && preset !== 'nopriv' && preset !== 'pure1e') throw invalidArg('preset', preset, "'nopriv' or 'pure1e'");
  const uniform = options.uniform ?? true;

  const ids: DropPlan['ids'] = resolveIdentityOptions(options);

  const keep = capsOption('keep', options.keep) ?? CapSet.EMPTY;
  const effective = capsOption('effective', options.effective) ?? keep;
  const ambient = capsOption('ambient', options.ambient) ?? CapSet.EMPTY;
  const inheritable = capsOption('inheritable', options.inheritable) ?? (preset === 'pure1e' ? now.inheritable : ambient);
  const limitBounding = options.limitBounding ?? preset === 'nopriv';
  const securebits = options.securebits === true || (options.securebits === undefined && preset !== undefined)
    ? LOCKED_SECUREBITS
    : options.securebits === false || options.securebits === undefined ? undefined : toSecurebits(options.securebits);
  const noNewPrivs = options.noNewPrivs ?? preset === 'nopriv';

  // The request must hold after the drop: an ambient cap outside the kept set would be cleared
  // by the last capset without a refusal (A ⊆ P ∩ I), so say it now.
  const lost = firstMissing(ambient, keep);
  if (lost !== undefined) refuse(`ambient ${capToName(lost)} is not kept: the kernel keeps A ⊆ P ∩ I (add it to keep)`, lost);
  const uidNow = now.uid;
  const changesUid = ids.uid !== undefined && [uidNow.real, uidNow.effective, uidNow.saved].some((u) => u !== ids.uid);
  const changesGid = ids.gid !== undefined && [now.gid.real, now.gid.effective, now.gid.saved].some((g) => g !== ids.gid);
  const changesGroups = ids.groups !== undefined && ids.groups.join(',') !== now.groups.join(',');
  const leavesRoot = changesUid && [uidNow.real, uidNow.effective, uidNow.saved].includes(0) && ids.uid !== 0;
  const keepCapsFirst = leavesRoot && !keep.isEmpty;
  if (!uniform && !leavesRoot) refuse('uniform: false leaves other threads holding nothing only when switching away from uid 0; give user');

  // After the switch P is still `now.permitted` (keepcaps), or empty when nothing is kept.
  const permittedAfterSwitch = leavesRoot && keep.isEmpty ? CapSet.EMPTY : now.permitted;
  const steps: CapsStep[] = [{ op: 'set', effective: permittedAfterSwitch, permitted: permittedAfterSwitch, inheritable }];
  if (keepCapsFirst || now.keepCaps) steps.push({ op: 'keepCaps.set', on: false });
  if (limitBounding) {
    const drop = now.bounding.minus(keep);
    if (!drop.isEmpty) steps.push({ op: 'bounding.drop', caps: drop });
  }
  steps.push({ op: 'ambient.clear' });
  if (!ambient.isEmpty) steps.push({ op: 'ambient.raise', caps: ambient });
  if (securebits !== undefined) steps.push({ op: 'securebits.set', bits: securebits });
  steps.push({ op: 'set', effective, permitted: keep, inheritable });
  if (noNewPrivs) steps.push({ op: 'noNewPrivs.set' });
  // Only what changes is set: setgroups(2) with the present list would still fail where the
  // user namespace denies it (kernel-semantics §2.8).
  const idsToSet: DropPlan['ids'] = {};
  if (changesGroups) idsToSet.groups = ids.groups!;
  if (changesGid) idsToSet.gid = ids.gid!;
  if (changesUid) idsToSet.uid = ids.uid!;
  const plan: DropPlan = { ids: idsToSet, keepCapsFirst, steps, permitted: keep, uniform };
  const refused = modelRefusal(plan, now);
  if (refused) {
    const hint = refused.op === 'ambient.raise' && refused.cap !== undefined && !inheritable.has(refused.cap) ? ' (add it to inheritable)' : '';
    refuse(`${refused.what} would be refused: ${refused.reason}${hint}`, refused.cap);
  }
  return plan;
}

/**
 * The drop replayed on the model from the calling thread's state, step by step as dropPrivileges
 * runs it (keepcaps, setgroups, setresgid, setresuid, then the program): the first step the
 * kernel's rules refuse, in the model's words (kernel-semantics §2.3–§2.5), so nothing changes
 * for a request the kernel would stop halfway. Undefined when every step passes, or when the
 * model does not take the state (a newer kernel's securebits): then the kernel decides.
 */
function modelRefusal(plan: DropPlan, now: ThreadState): { what: string; reason: string; op: string; cap?: number } | undefined {
  const steps: Array<{ what: string; op: string; step: ModelStep; cap?: number }> = [];
  const { groups, gid, uid } = plan.ids;
  if (plan.keepCapsFirst) steps.push({ what: 'PR_SET_KEEPCAPS 1', op: 'keepCaps.set', step: loadModel().credOpToStep({ op: 'keepCaps.set', on: true }) });
  if (groups !== undefined) steps.push({ what: `setgroups [${groups.join(',')}]`, op: 'setgroups', step: { op: 'setgroups', groups } });
  if (gid !== undefined) steps.push({ what: `setresgid ${gid}`, op: 'setresgid', step: { op: 'setresgid', rgid: gid, egid: gid, sgid: gid } });
  if (uid !== undefined) steps.push({ what: `setresuid ${uid}`, op: 'setresuid', step: { op: 'setresuid', ruid: uid, euid: uid, suid: uid } });
  for (const op of compileSteps(plan.steps)) {
    const what = op.op === 'capset'
      ? `capset E=${op.effective.toString() || '(empty)'} P=${op.permitted.toString() || '(empty)'} I=${op.inheritable.toString() || '(empty)'}`
      : describeStep(op).detail;
    steps.push({ what, op: op.op, step: loadModel().credOpToStep(op), ...('cap' in op ? { cap: op.cap } : {}) });
  }
  const refused = replayOnModel(lastCap(), credInitOf(now), steps.map((s) => s.step))?.refused;
  if (!refused) return undefined;
  const { what, op, cap } = steps[refused.index]!;
  return { what: `${what} (${errnoName(refused.errno)[0]})`, reason: `${refused.reason ?? 'refused'} [${refused.rule}]`, op, ...(cap === undefined ? {} : { cap }) };
}

function partial(backend: Backend, options: DropPrivilegesOptions, what: string, cause: unknown): never {
  const message = `dropPrivileges stopped after changing the process (${what}): ${(cause as Error).message}`;
  if ((options.onPartial ?? 'abort') === 'abort') backend.killProcess(`${message}; killing the process (onPartial: 'abort')`);
  throw new CapsError({ code: 'ERR_CAPS_PARTIAL', message, cause, ...((cause as CapsError).tids ? { tids: (cause as CapsError).tids } : {}) });
}

/**
 * Drops the process's privileges in one verified call. Returns the final state of every thread.
 * Throws a CapsError before changing anything when the request cannot work (unknown user,
 * ambient without inheritable, a cap not held now, …); after the first change, a failure is a
 * partial drop: `onPartial: 'abort'` (default) kills the process, `'throw'` throws ERR_CAPS_PARTIAL.
 *
 * ```js
 * dropPrivileges({ user: 'nobody', keep: ['cap_net_bind_service'], limitBounding: true, securebits: true });
 * ```
  * @example
  * // A daemon that binds port 80 as root, then keeps only what it needs:
  * dropPrivileges({ user: 'nobody', keep: ['cap_net_bind_service'], limitBounding: true, securebits: true, noNewPrivs: true });
  * caps.get().uid.effective;   // 65534, on every thread
 */
export function dropPrivileges(options: DropPrivilegesOptions = {}): DropPrivilegesResult {
  const started = performance.now();
  const backend = getBackend();
  const refused = changeRefusal() ?? backend.processRefusal();
  if (refused) throw refused;
  const plan = planDrop(options, backend.threadState());
  // What the user namespace would refuse (setgroups denied, unmapped ids), before keepcaps is set.
  const idRefusal = Object.keys(plan.ids).length > 0 ? backend.idsRefusal?.() ?? idChangeRefusal(plan.ids, backend.userNamespace(), 'dropPrivileges') : undefined;
  if (idRefusal) throw idRefusal;
  const opts: ProcessCallOptions = { deadlineMs: options.deadlineMs ?? 2000, onPartial: options.onPartial ?? 'abort' };

  let stage = 'keepcaps';
  try {
    if (plan.keepCapsFirst) caps.keepCaps.set(true, opts);
    stage = 'ids';
    if (Object.keys(plan.ids).length > 0) backend.setIds(plan.ids);
    stage = 'capabilities';
    // The whole program runs on every thread, uniform or not: bounding, securebits and
    // no_new_privs are process-wide promises (issue 11, S1). uniform: false then takes the
    // capabilities away from every other thread, verified.
    caps.apply(plan.steps, opts);
    stage = 'other threads';
    if (!plan.uniform) stripOtherThreads(opts);
  } catch (err) {
    const nothingChanged = stage === 'keepcaps' || (stage === 'ids' && !plan.keepCapsFirst && (err as CapsError).syscall === 'setgroups');
    if (nothingChanged && !(err instanceof CapsError && err.code === 'ERR_CAPS_PARTIAL')) throw err;
    partial(backend, options, stage, err);
  }
  const threads = backend.threads();
  const me = backend.threadState();
  const execRegains = rootExecGain({ root: me.uid.real === 0 || me.uid.effective === 0, securebits: me.securebits ?? 0, bounding: me.bounding }, plan.permitted);
  if (!execRegains.isEmpty && !warnedExecRegains) {
    warnedExecRegains = true;
    process.emitWarning(rootExecWarning('dropPrivileges: this process (and every program it execs)', execRegains), { code: 'LINUX_CAPS_EXEC_REGAINS' });
  }
  return { uid: me.uid.effective, gid: me.gid.effective, groups: me.groups, threads, execRegains, elapsedMs: performance.now() - started, backend: backend.kind };
}
