/**
 * findNeededCaps(): which capabilities a command really needs, found by running it (issue 17).
 * Every run is a fresh child through launch() with an exact state; the caller's own
 * capabilities never change. The search is lib/operations/need/search.ts.
 *
 * Two modes, as programs are run:
 * - 'root' (no user), like a container: the child is root with the candidate set as its
 *   bounding set, so exec gives it P = E = that set (kernel-semantics §2.6, root: P' = B ∪ I).
 * - 'user', like a daemon after dropPrivileges: the child runs as the user with the candidate
 *   set inheritable and ambient, and the bounding set the same, so exec gives it P = E = that set.
 */
import { CapSet } from '../../vocabulary/capset.js';
import { CapsError, invalidArg, syscallError } from '../../vocabulary/errors.js';
import { refuseUnknownKeys } from '../../vocabulary/option-keys.js';
import { lastCap } from '../../vocabulary/names.js';
import { getBackend } from '../backend.js';
import { launch, type LaunchOptions } from '../launch/launch.js';
import { eliminate, maxAttempts, type Attempt } from './search.js';

/**
 * Options of findNeededCaps() and `linux-caps need`.
 * @example
 * const options: NeedOptions = { user: 'www-data', runs: 2, timeoutMs: 5000 };
 */
export interface NeedOptions {
  /** Run the command as this user with the capabilities ambient ('user' mode); default: as root ('root' mode). */
  user?: string | number;
  /** Runs per decision (default 1): more show a command whose outcome changes from run to run as flaky. */
  runs?: number;
  /** Each run's time limit in milliseconds (default 10000): the child is killed and the run counts as failed. */
  timeoutMs?: number;
  /** The whole search's time limit in milliseconds (default 600000). */
  budgetMs?: number;
  /**
   * Success also needs the command's stdout to match this: what it wrote until it exited, and for
   * a quarter of a second after if a child of it (a daemon) still holds its stdout open.
   */
  expectStdout?: RegExp | string;
  /** Set no_new_privs in every run (default true, as the profiles do). */
  noNewPrivs?: boolean;
  /** The command's working directory (default: ours). */
  cwd?: string;
  /** The command's environment (default: ours). */
  env?: Record<string, string | undefined>;
  /** Called after each run (the CLI prints it on a terminal). */
  onProgress?: (progress: NeedProgress) => void;
}

const NEED_KEYS = ['user', 'runs', 'timeoutMs', 'budgetMs', 'expectStdout', 'noNewPrivs', 'cwd', 'env', 'onProgress'] as const;

/**
 * One finished run of the search.
 * @example
 * const p: NeedProgress = { run: 3, tried: ['cap_chown'], ok: false, detail: 'exit 1', runsLeft: 4 };
 */
export interface NeedProgress {
  /** The run's number, from 1. */
  run: number;
  /** The capabilities the command had in this run. */
  tried: string[];
  /** Whether it succeeded. */
  ok: boolean;
  /** Why not (exit status, signal or timeout, the last line of stderr); '' when it succeeded. */
  detail: string;
  /** At most how many runs are left. */
  runsLeft: number;
}

/**
 * What findNeededCaps() found (`linux-caps need --json` prints it).
 * @example
 * const r: NeedResult = await findNeededCaps('/bin/true');
 * r.needed;   // []
 */
export interface NeedResult {
  /** The capabilities the command needs, as lower-case libcap names. */
  needed: string[];
  /** 'root': as root with this bounding set; 'user': as `user` with these ambient. */
  mode: 'root' | 'user';
  /** The user of a 'user'-mode search. */
  user?: string | number;
  /** Whether the runs had no_new_privs. */
  noNewPrivs: boolean;
  /** The command and its arguments. */
  command: string[];
  /** The capabilities the search started from (every one this process could give). */
  candidates: string[];
  /** For each needed capability, what the command did without it. */
  evidence: Array<{
    /** The capability. */
    cap: string;
    /** What happened without it. */
    without: string;
  }>;
  /** How many times the command ran. */
  runs: number;
  /** How long the search took. */
  elapsedMs: number;
  /** What the answer means: minimal (no single capability can go), not necessarily the minimum. */
  note: string;
}

interface Checked {
  runs: number;
  timeoutMs: number;
  budgetMs: number;
  expect: RegExp | undefined;
  noNewPrivs: boolean;
}

function check(command: unknown, args: unknown, options: NeedOptions): Checked {
  if (typeof command !== 'string' || command === '') throw invalidArg('command', command, 'a command to run');
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw invalidArg('args', args, 'an array of strings');
  if (options === null || typeof options !== 'object') throw invalidArg('options', options, 'an object');
  refuseUnknownKeys('need options', options, NEED_KEYS);
  const whole = (name: string, value: unknown, fallback: number, max: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max) throw invalidArg(name, value, `a whole number from 1 to ${max}`);
    return value as number;
  };
  const expect = options.expectStdout;
  if (expect !== undefined && typeof expect !== 'string' && !(expect instanceof RegExp)) throw invalidArg('expectStdout', expect, 'a RegExp or a pattern string');
  let pattern: RegExp | undefined;
  try {
    // Without g and y: test() on those moves lastIndex, so the same output would pass, then fail.
    pattern = expect === undefined ? undefined : typeof expect === 'string' ? new RegExp(expect) : new RegExp(expect.source, expect.flags.replace(/[gy]/g, ''));
  } catch (err) {
    throw invalidArg('expectStdout', expect, `a valid pattern (${(err as Error).message})`);
  }
  if (options.noNewPrivs !== undefined && typeof options.noNewPrivs !== 'boolean') throw invalidArg('noNewPrivs', options.noNewPrivs, 'true or false');
  return {
    runs: whole('runs', options.runs, 1, 100),
    timeoutMs: whole('timeoutMs', options.timeoutMs, 10_000, 2 ** 31 - 1),
    budgetMs: whole('budgetMs', options.budgetMs, 600_000, 2 ** 31 - 1),
    expect: pattern,
    noNewPrivs: options.noNewPrivs ?? true,
  };
}

/**
 * The line of a failed run's stderr that says why, shortened for a one-line report: an exception's
 * first line (Node ends its report with a version line), else the last line naming an error,
 * else the last line.
 */
function whyLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => /^[A-Z]\w*(Error|Exception)\b[^:]{0,40}:/.test(l))
    ?? [...lines].reverse().find((l) => /denied|not permitted|\bE[A-Z]{3,}\b|error/i.test(l))
    ?? lines.at(-1) ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

/** How long after the command exits its stdout and stderr are still read, if something else holds them open. */
const OUTPUT_GRACE_MS = 250;

/** Runs the command once with exactly `set`; its outcome. */
async function runOnce(command: string, args: readonly string[], set: CapSet, all: CapSet, user: string | number | undefined, c: Checked, options: NeedOptions): Promise<Attempt> {
  const notBounding = all.minus(set);
  const launchOptions: LaunchOptions = {
    iab: user === undefined ? { notBounding } : { inheritable: set, ambient: set, notBounding },
    noNewPrivs: c.noNewPrivs,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(user === undefined ? {} : { user }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
  };
  const child = launch(command, args, launchOptions);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < 1 << 20) stdout += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 1 << 20) stderr += d; });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, c.timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  // The output is the command's until it exits, and a moment after for what is still in the pipes.
  // A daemon's child that keeps stdout or stderr open is not waited for: it could hold them for
  // ever, past any time limit (the runs would never end).
  const closed = (s: NodeJS.ReadableStream | null) => new Promise<void>((done) => (s === null ? done() : s.on('close', () => done())));
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([closed(child.stdout), closed(child.stderr)]),
    new Promise<void>((done) => { grace = setTimeout(done, OUTPUT_GRACE_MS); }),
  ]);
  clearTimeout(grace);
  child.stdout?.destroy();
  child.stderr?.destroy();
  const said = whyLine(stderr);
  const tail = said === '' ? '' : `, stderr \`${said}\``;
  if (timedOut) return { ok: false, detail: `killed after the ${c.timeoutMs} ms time limit${tail}` };
  if (exit.signal !== null) return { ok: false, detail: `killed by ${exit.signal}${tail}` };
  if (exit.code !== 0) return { ok: false, detail: `exit ${exit.code}${tail}` };
  if (c.expect !== undefined && !c.expect.test(stdout)) return { ok: false, detail: `exit 0, but stdout does not match ${c.expect}` };
  return { ok: true, detail: '' };
}

/** findNeededCaps() itself (lib/operations/need/entry.ts is what the package exports and documents). */
export async function findNeededCaps(command: string, args: readonly string[] = [], options: NeedOptions = {}): Promise<NeedResult> {
  const c = check(command, args, options);
  const user = options.user === 0 || options.user === 'root' ? undefined : options.user;
  if (user !== undefined && typeof user !== 'string' && !(Number.isInteger(user) && user > 0)) throw invalidArg('user', user, 'a user name or uid');
  const started = Date.now();
  const me = getBackend().threadState();
  // What a child can be given: a root child gets its bounding set at exec; ambient needs P and I.
  const all = CapSet.full(lastCap()).intersect(me.bounding);
  const candidates = user === undefined ? all : all.intersect(me.permitted);
  if (user === undefined && me.uid.effective !== 0) {
    throw syscallError({
      errno: 1, syscall: 'launch', detail: `of ${command} as root`,
      reason: `need runs the command as root with a reduced bounding set, and this process is uid ${me.uid.effective}: run it as root, or give a user to find what that user needs as ambient capabilities`,
    });
  }
  if (!me.permitted.has('cap_setpcap')) {
    throw syscallError({
      errno: 1, syscall: 'prctl', detail: 'PR_CAPBSET_DROP in each child',
      reason: 'every run drops capabilities from the child\'s bounding set, which takes cap_setpcap, and this process\'s permitted set lacks it',
    });
  }
  let runs = 0;
  let runsLeft = 0;
  const attempt = async (set: CapSet): Promise<Attempt> => {
    const outcomes: Attempt[] = [];
    for (let k = 0; k < c.runs; k++) {
      if (Date.now() - started > c.budgetMs) {
        throw new CapsError({ code: 'ERR_CAPS_NEED_BUDGET', message: `need: the ${c.budgetMs} ms budget ran out after ${runs} runs; give a larger --budget, or a shorter command` });
      }
      const outcome = await runOnce(command, args, set, all, user, c, options);
      runs++;
      runsLeft = Math.max(0, runsLeft - 1);
      options.onProgress?.({ run: runs, tried: set.names(), ok: outcome.ok, detail: outcome.detail, runsLeft });
      outcomes.push(outcome);
    }
    const ok = outcomes.filter((o) => o.ok).length;
    if (ok !== 0 && ok !== outcomes.length) {
      const failed = outcomes.find((o) => !o.ok)!;
      throw new CapsError({
        code: 'ERR_CAPS_NEED_FLAKY',
        message: `need: the command is flaky: with ${set.isEmpty ? 'no capabilities' : set.names().join(',')} it succeeded ${ok} of ${outcomes.length} runs (once: ${failed.detail}); a search needs an outcome that depends only on the capabilities`,
      });
    }
    return outcomes[0]!;
  };

  runsLeft = c.runs * (1 + maxAttempts(candidates.size) + 1);
  const baseline = await attempt(candidates);
  if (!baseline.ok) {
    throw new CapsError({
      code: 'ERR_CAPS_NEED_BASELINE',
      message: `need: ${[command, ...args].join(' ')} fails even with every capability this process can give (${baseline.detail}): there is nothing to minimise`,
    });
  }
  const found = await eliminate(candidates.toArray(), attempt);
  const confirmed = await attempt(found.needed);
  if (!confirmed.ok) {
    throw new CapsError({
      code: 'ERR_CAPS_NEED_FLAKY',
      message: `need: the command failed with the set the search found (${found.needed.names().join(',') || 'none'}: ${confirmed.detail}); its outcome does not depend on the capabilities alone`,
    });
  }
  return {
    needed: found.needed.names(),
    mode: user === undefined ? 'root' : 'user',
    ...(user === undefined ? {} : { user }),
    noNewPrivs: c.noNewPrivs,
    command: [command, ...args],
    candidates: candidates.names(),
    evidence: [...found.needed].map((cap) => ({ cap: CapSet.of(cap).names()[0]!, without: found.evidence.get(cap)!.detail })),
    runs,
    elapsedMs: Date.now() - started,
    note: 'minimal: the command fails without any one of these; a different, smaller set might also do',
  };
}
