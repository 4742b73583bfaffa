/// <reference types="node" preserve="true" />
/**
 * launch(): start a child with an exact capability state — uid, gid, groups, IAB (inheritable,
 * ambient, bounding drops), securebits, no_new_privs, cwd, env, stdio — applied in the child
 * between fork and exec by native code. Never in the parent, never on the threadpool.
 */
import { ociLaunchOptions, type OciProcess } from './oci.js';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { getBackend } from '../backend.js';
import type { ProcessSpawner } from '../backend.js';
import { CapSet } from '../../vocabulary/capset.js';
import { CapsError, invalidArg, syscallError } from '../../vocabulary/errors.js';
import { encodePlan, planLaunch, type LaunchStep, type LaunchTarget } from './plan.js';
import { explainLaunchRefusal } from './explain.js';
import { launchWarnings } from './warnings.js';
import { checkStdioFd, envEntries, refuseNul } from './validate.js';
import { refuseUnknownKeys } from '../../vocabulary/option-keys.js';
import { parseCaps } from '../../text/index.js';
import { modeTarget, resolveIAB, toSettableMode, type CapMode } from '../mode.js';
import type { IABInput } from '../../text/types.js';
import type { ThreadState } from '../../vocabulary/types.js';
import type { CapTripleInput } from '../../text/types.js';
import { resolveIdentityOptions } from '../users.js';
import { ENOENT } from '../../vocabulary/abi.js';
import { toSecurebits, type SecurebitsInput } from '../../vocabulary/securebits.js';
import { LaunchedProcess, type ExitRelay } from './launched-process.js';

/**
 * One of the child's fds 0..2: a pipe to us, ours shared, /dev/null, or an fd of ours.
 * @example
 * const stdio: [LaunchStdio, LaunchStdio, LaunchStdio] = ['ignore', 'pipe', 'inherit'];
 * await launch('/bin/true', [], { stdio }).exited;
 */
export type LaunchStdio = 'pipe' | 'inherit' | 'ignore' | number;

/**
 * Options of `launch()` and `execInPlace()`: who the child is and what capabilities it starts with.
 * @example
 * const options: LaunchOptions = { user: 'nobody', iab: '^cap_net_bind_service', stdio: 'ignore' };
 * await launch('/bin/true', [], options).exited;   // a child that may bind port 80, as nobody
 */
export interface LaunchOptions {
  /** User name or uid. A name also sets that user's gid and supplementary groups (initgroups) unless given. */
  user?: string | number;
  /** Group name or gid (default: the user's primary group when `user` names one). */
  group?: string | number;
  /** Supplementary groups (names or ids); `[]` clears them. */
  groups?: Array<string | number>;
  /** libcap IAB text (`'^cap_net_raw,!cap_sys_admin'`) or `{ inheritable, ambient, notBounding }`. Ambient caps must also be inheritable. */
  iab?: string | IABInput;
  /** The child's exact E/P/I just before exec (libcap text or sets); rarely needed: exec recomputes P and E. */
  caps?: string | CapTripleInput;
  /** The securebits to set, as `caps.securebits.set` takes them: a word (0x2f), names (`['noroot', 'noroot_locked']`) or `{ noroot: true }`. */
  securebits?: SecurebitsInput;
  /** Set no_new_privs in the child. */
  noNewPrivs?: boolean;
  /**
   * One of libcap's modes for the child (Go's Launcher.SetMode, cap_launcher_set_mode), applied
   * as cap_launch does: the mode first, then `iab`. See `caps.setMode` for what each mode sets.
   * Not with `securebits` (the mode sets them), nor `caps` with 'NOPRIV'.
   */
  mode?: Exclude<CapMode, 'UNCERTAIN'>;
  /** The child's working directory (default: ours). */
  cwd?: string;
  /** The child's environment (default process.env). */
  env?: Record<string, string | undefined>;
  /** stdio for fds 0, 1, 2: one value for all three, or one each (default 'pipe'). */
  stdio?: LaunchStdio | [LaunchStdio, LaunchStdio, LaunchStdio];
  /** argv[0] (default: the command as given). */
  argv0?: string;
  /**
   * An OCI runtime-spec `process` block (its `capabilities`, `noNewPrivileges` and `user`, as in
   * a container's config.json), applied as runc applies it (lib/operations/launch/oci.ts). Not
   * with `user`, `group`, `groups`, `iab`, `caps`, `securebits`, `noNewPrivs` or `mode`.
   */
  oci?: OciProcess;
}

const LAUNCH_KEYS = ['user', 'group', 'groups', 'iab', 'caps', 'securebits', 'noNewPrivs', 'mode', 'cwd', 'env', 'stdio', 'argv0', 'oci'] as const;
/** The options an `oci` block sets, so not given beside it. */
const OCI_SETS = ['user', 'group', 'groups', 'iab', 'caps', 'securebits', 'noNewPrivs', 'mode'] as const;

/** The first executable file named `command` on PATH (like execvp), or undefined. */
function searchPath(command: string, path: string | undefined, cwd: string): string | undefined {
  if (command.includes('/')) return resolve(cwd, command);
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir || '.', command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return isAbsolute(candidate) ? candidate : resolve(cwd, candidate);
    } catch { /* next */ }
  }
  return undefined;
}

function stdioPlan(stdio: LaunchOptions['stdio']): Int32Array {
  const each = Array.isArray(stdio) ? stdio : [stdio ?? 'pipe', stdio ?? 'pipe', stdio ?? 'pipe'];
  if (each.length !== 3) throw invalidArg('stdio', stdio, "'pipe' | 'inherit' | 'ignore' | fd, or an array of three");
  return Int32Array.from(each.map((s, i) => {
    if (s === 'pipe') return -1;
    if (s === 'ignore') return -2;
    if (s === 'inherit') return i;
    if (typeof s === 'number') return checkStdioFd(i, s);
    throw invalidArg(`stdio[${i}]`, s, "'pipe', 'inherit', 'ignore' or an fd number");
  }));
}

/**
 * What a mode sets in the child, as cap_set_mode leaves it (lib/operations/mode.ts, checked
 * against libcap): securebits, the ambient and inheritable sets, and for NOPRIV the bounding
 * set, E/P/I and no_new_privs.
 */
function launchMode(options: LaunchOptions, lastCap: number): Partial<LaunchTarget> {
  const mode = toSettableMode(options.mode);
  if (options.securebits !== undefined) throw invalidArg('securebits', options.securebits, `no securebits beside mode '${mode}' (the mode sets them)`);
  if (mode === 'NOPRIV' && options.caps !== undefined) throw invalidArg('caps', options.caps, "no caps beside mode 'NOPRIV' (it empties E, P and I)");
  const unknown = CapSet.full(lastCap);
  const set = modeTarget(mode, { effective: unknown, permitted: unknown, inheritable: unknown, bounding: unknown, ambient: unknown, securebits: -1, noNewPrivs: false });
  const out: Partial<LaunchTarget> = { securebits: set.securebits };
  if (set.ambient.isEmpty) out.ambient = CapSet.EMPTY;
  if (set.inheritable.isEmpty) out.inheritable = CapSet.EMPTY;
  if (set.bounding.isEmpty) {
    out.notBounding = unknown;
    out.caps = { effective: CapSet.EMPTY, permitted: CapSet.EMPTY, inheritable: CapSet.EMPTY };
  }
  if (set.noNewPrivs) out.noNewPrivs = true;
  return out;
}

/** Validates the options into a LaunchTarget (throws CapsError before anything starts). */
export function resolveLaunchTarget(options: LaunchOptions, currentUid: number, lastCap: number): LaunchTarget {
  const target: LaunchTarget = { currentUid };
  if (options.cwd !== undefined) {
    if (typeof options.cwd !== 'string' || options.cwd === '') throw invalidArg('cwd', options.cwd, 'a directory path');
    refuseNul('cwd', options.cwd);
    target.cwd = options.cwd;
  }
  Object.assign(target, resolveIdentityOptions(options));
  if (options.mode !== undefined) Object.assign(target, launchMode(options, lastCap));
  if (options.iab !== undefined) {
    const iab = resolveIAB(options.iab);
    // As libcap's IAB: an ambient cap is inheritable too (`^cap_x` sets both).
    target.inheritable = iab.inheritable.union(iab.ambient);
    target.ambient = iab.ambient;
    target.notBounding = target.notBounding ? target.notBounding.union(iab.notBounding) : iab.notBounding;
  }
  if (options.caps !== undefined) {
    const c = typeof options.caps === 'string' ? parseCaps(options.caps) : {
      effective: CapSet.from(options.caps.effective ?? []),
      permitted: CapSet.from(options.caps.permitted ?? []),
      inheritable: CapSet.from(options.caps.inheritable ?? []),
    };
    // What the kernel refuses in these sets (E' ⊄ P', an ambient cap outside P) the child's
    // capset refuses, and the error carries the model's reason (explain.ts): no copy of the rule here.
    target.caps = c;
  }
  if (options.securebits !== undefined) {
    const bits = toSecurebits(options.securebits);
    if (bits > 0xfff) throw invalidArg('securebits', options.securebits, 'bits from 0 to 0xfff, names, or { noroot: true, … }');
    target.securebits = bits;
  }
  if (options.noNewPrivs !== undefined) target.noNewPrivs = Boolean(options.noNewPrivs) || target.noNewPrivs === true;
  return target;
}


/**
 * The error for a child that failed at `index` (-1: stdio setup; steps.length: execve), with
 * the model's reason and rule for a refused credential step, as caps.set gives them.
 */
function childError(p: PreparedLaunch, index: number, errno: number): CapsError {
  const { steps, file } = p;
  const step = steps[index];
  const parentSide: Record<number, [string, string]> = {
    [-2]: ['pipe2', `for the stdio of ${file} (in the parent, before fork: nothing was started)`],
    [-3]: ['fork', `for ${file} (in the parent: nothing was started)`],
    [-4]: ['fcntl', `a stdio fd for ${file} is not open (in the parent, before fork: nothing was started)`],
    [-5]: ['pidfd_open', `for ${file} (in the parent, after fork: the child was killed and reaped)`],
  };
  const parent = parentSide[index];
  if (parent) return syscallError({ errno, syscall: parent[0], detail: parent[1], path: file });
  if (step === undefined) {
    const syscall = index < 0 ? 'dup2' : 'execve';
    return syscallError({ errno, syscall, detail: `${file} (in the launched child)`, path: file });
  }
  const why = explainLaunchRefusal(steps, p.target, index, errno, p.start, getBackend().lastCap());
  return syscallError({
    errno, syscall: step.syscall, detail: `${step.detail} (in the launched child, before exec of ${file})`,
    ...(step.cap ? { cap: step.cap } : {}), op: step.step.op, ...(why ?? {}),
  });
}

/** Everything launch() and execInPlace() need, validated, before anything starts. */
interface PreparedLaunch {
  spawner: ProcessSpawner;
  file: string;
  argv: string[];
  envp: string[];
  target: LaunchTarget;
  steps: LaunchStep[];
  warnings: string[];
  /** The calling thread's state: the child's credentials at fork. */
  start: ThreadState;
}

function prepare(command: string, args: readonly string[], given: LaunchOptions, what: string): PreparedLaunch {
  if (typeof command !== 'string' || command === '') throw invalidArg('command', command, 'a program name or path');
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw invalidArg('args', args, 'an array of strings');
  refuseNul('command', command);
  args.forEach((a, i) => refuseNul(`args[${i}]`, a));
  if (given === null || typeof given !== 'object') throw invalidArg('options', given, 'an object');
  refuseUnknownKeys(what, given, LAUNCH_KEYS);
  let options = given;
  if (given.oci !== undefined) {
    const beside = OCI_SETS.filter((k) => given[k] !== undefined);
    if (beside.length > 0) throw invalidArg(beside[0]!, given[beside[0]!], 'nothing beside oci, whose process block sets the ids and capabilities');
    const { oci, ...rest } = given;
    options = { ...rest, ...ociLaunchOptions(oci) };
  }
  if (options.argv0 !== undefined) {
    if (typeof options.argv0 !== 'string') throw invalidArg('argv0', options.argv0, 'a string');
    refuseNul('argv0', options.argv0);
  }
  const backend = getBackend();
  const spawner = backend.spawner;
  if (!spawner) {
    throw new CapsError({
      code: 'ERR_CAPS_UNSUPPORTED',
      message: `${what}() needs the kernel: the ${backend.kind} backend cannot start processes (use model.explain to predict an exec)`,
    });
  }
  const currentUid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const target = resolveLaunchTarget(options, currentUid, backend.lastCap());
  const env = options.env ?? process.env;
  const envp = envEntries(env);
  const cwd = options.cwd ?? process.cwd();
  const file = searchPath(command, env.PATH, cwd);
  if (!file) throw syscallError({ errno: -ENOENT, syscall: 'execve', detail: `${command} (not found on PATH)`, path: command });
  const steps = planLaunch(target);
  const me = backend.threadState();
  const warnings = launchWarnings(target, {
    uid: me.uid.real, euid: me.uid.effective, bounding: me.bounding, ambient: me.ambient, securebits: me.securebits ?? 0,
  });
  return { spawner, file, argv: [options.argv0 ?? command, ...args], envp, target, steps, warnings, start: me };
}

/**
 * Starts `command` with `args` in a child whose credentials are set, between fork and exec,
 * exactly as `options` say. Throws a CapsError (with the kernel's errno and the failed step)
 * if the child could not be set up or exec failed; otherwise returns the running child.
 *
 * ```js
 * const child = launch('/usr/bin/id', [], { user: 'nobody', iab: '^cap_net_bind_service' });
 * const { code } = await child.exited;
 * ```
  * @example
  * const child = launch('/bin/cat', ['/proc/self/status'], { user: 'nobody', stdio: ['ignore', 'pipe', 'inherit'] });
  * child.stdout?.resume();
  * await child.exited;   // { code: 0, signal: null }
 */
export function launch(command: string, args: readonly string[] = [], options: LaunchOptions = {}): LaunchedProcess {
  const p = prepare(command, args, options, 'launch');
  const stdio = stdioPlan(options.stdio);
  const exitRelay: ExitRelay = {};
  const result = p.spawner.spawn({
    file: p.file, argv: p.argv, envp: p.envp, ...(p.target.cwd ? { cwd: p.target.cwd } : {}),
    stdio, steps: encodePlan(p.steps), groups: Uint32Array.from(p.target.groups ?? []),
    onExit: (code, signal) => exitRelay.to?.(code, signal),
  });
  if (result.failure) {
    const { step, errno } = result.failure;
    throw childError(p, step, errno);
  }
  return new LaunchedProcess(p.spawner, result.pid, result.pidfd, result.watchId, result.stdio, exitRelay, p.warnings);
}

/**
 * Replaces this process with `command` (the same pid, as `capsh --` and `setpriv` do), with the
 * credential state `options` describe applied on the calling thread just before execve (the
 * kernel ends every other thread; exec sees only this one). Use it from the main thread of a
 * program that has nothing else to do. `onWarning` receives launch()'s warnings first. Returns
 * only by throwing a CapsError: a step the kernel refused (this thread's credentials may then be
 * partly changed: exit), or execve's own error (ENOENT, EACCES).
 * `stdio` does not apply: the command inherits this process's fds 0–2.
  * @example
  * // Replaces this process: nothing after it runs.
  * execInPlace('/bin/true', [], { noNewPrivs: true });
 */
export function execInPlace(command: string, args: readonly string[] = [], options: Omit<LaunchOptions, 'stdio'> = {}, onWarning?: (warning: string) => void): never {
  if (options !== null && typeof options === 'object' && 'stdio' in options) throw invalidArg('stdio', (options as LaunchOptions).stdio, 'nothing: the command inherits fds 0-2');
  const p = prepare(command, args, options, 'execInPlace');
  if (!p.spawner.execInPlace) throw new CapsError({ code: 'ERR_CAPS_UNSUPPORTED', message: 'execInPlace() needs the kernel' });
  for (const w of p.warnings) onWarning?.(w);
  const failure = p.spawner.execInPlace({
    file: p.file, argv: p.argv, envp: p.envp, ...(p.target.cwd ? { cwd: p.target.cwd } : {}),
    steps: encodePlan(p.steps), groups: Uint32Array.from(p.target.groups ?? []),
  });
  const error = childError(p, failure.step, failure.errno);
  const { reason, rule, op, cap } = error;
  throw new CapsError({ code: error.code, errno: error.errno, ...(error.syscall ? { syscall: error.syscall } : {}), ...(reason === undefined ? {} : { reason, rule }), ...(op === undefined ? {} : { op }), ...(cap === undefined ? {} : { cap }), path: p.file, message: error.message.replace(/in the launched child(, before exec of [^)]*)?/, 'in this process, before exec') });
}
