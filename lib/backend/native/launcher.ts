/** The kernel's Launcher: the addon's launch* functions (native/launch.cc), typed. */
import type { Launcher, SpawnRequest, SpawnResult } from '../contract.js';
import { CapsError } from '../../vocabulary/errors.js';
import { loadNative } from './addon.js';

interface LaunchExports {
  launchSpawn(file: string, argv: string[], envp: string[], cwd: string | null, stdio: Int32Array,
    steps: Uint32Array, groups: Uint32Array, onExit: (code: number, signal: number) => void):
    { pid: number; pidfd: number; watchId?: number; stdio?: number[]; step: number; errno: number } | undefined;
  launchRef(watchId: number, ref: boolean): void;
  launchKill(pidfd: number, signal: number): number;
  launchExecInPlace(file: string, argv: string[], envp: string[], cwd: string | null, steps: Uint32Array, groups: Uint32Array): { step: number; errno: number };
}

function addon(): LaunchExports {
  try {
    return loadNative() as unknown as LaunchExports;
  } catch (err) {
    throw new CapsError({
      code: 'ERR_CAPS_UNSUPPORTED',
      message: `launch() needs the linux-caps addon, which could not load: ${(err as Error).message}`,
      cause: err,
    });
  }
}

export const nativeLauncher: Launcher = {
  spawn(req: SpawnRequest): SpawnResult {
    const r = addon().launchSpawn(req.file, req.argv, req.envp, req.cwd ?? null, req.stdio, req.steps, req.groups, req.onExit);
    // undefined: this environment is shutting down (a terminated Worker); the child is reaped natively.
    if (r === undefined) throw new CapsError({ code: 'ERR_CAPS_ENV_EXITING', message: 'launch(): this thread is shutting down; the child, if started, is reaped' });
    if (r.step === -1 && r.errno === 0 && r.watchId !== undefined && r.watchId > 0) {
      return { pid: r.pid, pidfd: r.pidfd, watchId: r.watchId, stdio: r.stdio ?? [-1, -1, -1] };
    }
    if (r.step === -1 && r.errno === 0) {
      // Started but not watched (the loop refused the pidfd): the addon's reaper has it.
      throw new CapsError({ code: 'ERR_CAPS_WATCH', errno: r.watchId ?? -22, message: `launch(): the child ${r.pid} started but cannot be watched (errno ${r.watchId}); it is reaped in the background` });
    }
    return { pid: -1, pidfd: -1, watchId: 0, stdio: [-1, -1, -1], failure: { step: r.step, errno: r.errno } };
  },
  ref: (watchId, ref) => addon().launchRef(watchId, ref),
  kill: (pidfd, signal) => addon().launchKill(pidfd, signal),
  execInPlace: (req) => addon().launchExecInPlace(req.file, req.argv, req.envp, req.cwd ?? null, req.steps, req.groups),
};
