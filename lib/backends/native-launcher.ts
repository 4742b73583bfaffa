/** The kernel's Launcher: the addon's launch* functions (native/launch.cc), typed. */
import type { Launcher, SpawnRequest, SpawnResult } from '../backend.js';
import { CapsError } from '../errors.js';
import { loadNative } from '../native.js';

interface LaunchExports {
  launchSpawn(file: string, argv: string[], envp: string[], cwd: string | null, stdio: Int32Array,
    steps: Uint32Array, groups: Uint32Array): { pid: number; pidfd: number; stdio?: number[]; step: number; errno: number };
  launchWatch(pidfd: number, onExit: (code: number, signal: number) => void): number;
  launchRef(watchId: number, ref: boolean): void;
  launchKill(pidfd: number, signal: number): number;
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
    const r = addon().launchSpawn(req.file, req.argv, req.envp, req.cwd ?? null, req.stdio, req.steps, req.groups);
    return r.step === -1 && r.errno === 0
      ? { pid: r.pid, pidfd: r.pidfd, stdio: r.stdio ?? [-1, -1, -1] }
      : { pid: -1, pidfd: -1, stdio: [-1, -1, -1], failure: { step: r.step, errno: r.errno } };
  },
  watch: (pidfd, onExit) => addon().launchWatch(pidfd, onExit),
  ref: (watchId, ref) => addon().launchRef(watchId, ref),
  kill: (pidfd, signal) => addon().launchKill(pidfd, signal),
};
