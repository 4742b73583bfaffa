/**
 * The handle launch() returns for a running child (pid, stdio streams, 'exit', kill, ref). Its
 * own module so that the class, which users test with instanceof, loads with the package while
 * launch() itself loads on first use (issue 14, start-up).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { ProcessSpawner } from '../backend.js';
import { invalidArg, syscallError } from '../../vocabulary/errors.js';
import { ESRCH } from '../../vocabulary/abi.js';

/** The signals' numbers (node:os loads with the first kill or exit report, not with the package: issue 14). */
const signalNumbers = (): Record<string, number> => process.getBuiltinModule('node:os').constants.signals as unknown as Record<string, number>;

/**
 * How a launched child ended.
 * @example
 * const { code, signal }: LaunchExit = await launch('/bin/false').exited;
 * code;   // 1, signal null
 */
export interface LaunchExit {
  /** Exit code, or null when a signal ended the child. */
  code: number | null;
  /** The signal that ended the child, or null when it exited. */
  signal: NodeJS.Signals | null;
}

/** @internal Where the spawner's exit callback goes once the handle exists. */
export interface ExitRelay {
  to?: (code: number, signal: number) => void;
}

/**
 * A started child: like child_process's ChildProcess (pid, stdio streams, 'exit', kill).
 * @example
 * const child: LaunchedProcess = launch('/bin/sleep', ['10']);
 * child.kill('SIGTERM');
 * (await child.exited).signal;   // 'SIGTERM'
 */
export class LaunchedProcess extends EventEmitter {
  /** The child's process id. */
  readonly pid: number;
  /** Our end of the child's stdin when `stdio` asked for a pipe, else null. */
  readonly stdin: Socket | null;
  /** Our end of the child's stdout when `stdio` asked for a pipe, else null. */
  readonly stdout: Socket | null;
  /** Our end of the child's stderr when `stdio` asked for a pipe, else null. */
  readonly stderr: Socket | null;
  /** The exit code once the child has exited (null before, or when a signal ended it). */
  exitCode: number | null = null;
  /** The signal that ended the child, once it has (null otherwise). */
  signalCode: NodeJS.Signals | null = null;
  /**
   * Ways the child holds more than the options asked for, found before it started (e.g. an exec
   * as root without SECBIT_NOROOT gets the whole bounding set). Empty when it holds what was asked.
   */
  readonly warnings: readonly string[];
  /** Resolves once the child has exited (never rejects). */
  readonly exited: Promise<LaunchExit>;
  readonly #spawner: ProcessSpawner;
  readonly #pidfd: number;
  #watch = 0;
  #done = false;

  /** @internal */
  constructor(spawner: ProcessSpawner, pid: number, pidfd: number, watchId: number, fds: number[], exitRelay: ExitRelay, warnings: readonly string[] = []) {
    super();
    this.warnings = Object.freeze([...warnings]);
    this.#watch = watchId;
    this.#spawner = spawner;
    this.pid = pid;
    this.#pidfd = pidfd;
    // node:net (and the streams under it) loads with the first launch, not with the package.
    const { Socket } = process.getBuiltinModule('node:net');
    this.stdin = fds[0]! >= 0 ? new Socket({ fd: fds[0]!, readable: false, writable: true }) : null;
    this.stdout = fds[1]! >= 0 ? new Socket({ fd: fds[1]!, readable: true, writable: false }) : null;
    this.stderr = fds[2]! >= 0 ? new Socket({ fd: fds[2]!, readable: true, writable: false }) : null;
    this.exited = new Promise((resolveExit) => {
      // The spawner calls the relay from the event loop, never before this constructor has run.
      exitRelay.to = (code, signal) => {
        this.#done = true;
        this.exitCode = signal ? null : code;
        this.signalCode = signal ? signalName(signal) : null;
        const exit = { code: this.exitCode, signal: this.signalCode };
        this.emit('exit', exit.code, exit.signal);
        resolveExit(exit);
        const open = [this.stdout, this.stderr].filter((s): s is Socket => s !== null && !s.closed);
        let pending = open.length;
        if (pending === 0) this.emit('close', exit.code, exit.signal);
        for (const s of open) s.once('close', () => { if (--pending === 0) this.emit('close', exit.code, exit.signal); });
      };
    });
  }

  /** Sends a signal (pidfd_send_signal: never hits a recycled pid). False once the child has exited. */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.#done) return false;
    const num = typeof signal === 'number' ? signal : signalNumbers()[signal];
    if (num === undefined) throw invalidArg('signal', signal, 'a signal name such as SIGTERM or a number');
    const rc = this.#spawner.kill(this.#pidfd, num);
    if (rc === -ESRCH) return false;
    if (rc < 0) throw syscallError({ errno: rc, syscall: 'pidfd_send_signal', detail: `${signal} to ${this.pid}` });
    return true;
  }

  /** Let the event loop exit while the child runs (its stdio streams are unref'd too). */
  unref(): this {
    this.#spawner.ref(this.#watch, false);
    for (const s of [this.stdin, this.stdout, this.stderr]) s?.unref();
    return this;
  }

  /** Undo unref(): the child keeps the event loop alive again. */
  ref(): this {
    this.#spawner.ref(this.#watch, true);
    for (const s of [this.stdin, this.stdout, this.stderr]) s?.ref();
    return this;
  }
}

function signalName(num: number): NodeJS.Signals {
  const found = Object.entries(signalNumbers()).find(([, n]) => n === num);
  return (found?.[0] ?? `SIG${num}`) as NodeJS.Signals;
}

