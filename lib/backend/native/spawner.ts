/** The kernel's ProcessSpawner: the addon's launch* functions (native/launch.cc), typed. */
import type { ProcessSpawner, SpawnRequest, SpawnResult } from '../contract.js';
import { CapsError } from '../../vocabulary/errors.js';
import { requireNative } from './addon.js';

const addon = () => requireNative('launch()');

/**
 * Bun (1.4) has no libuv uv_poll, which the addon watches a child's pidfd with: calling it ends
 * the process (oven-sh/bun#18546). Refused before the child starts; execInPlace needs no watch.
 */
function runtimeRefusal(): CapsError | undefined {
  const bun = (process.versions as Record<string, string | undefined>).bun;
  if (bun === undefined) return undefined;
  return new CapsError({
    code: 'ERR_CAPS_UNSUPPORTED',
    message: `launch() under Bun ${bun}: the addon watches the child through libuv's uv_poll, which Bun does not implement (it would end this process: oven-sh/bun#18546); nothing was started. execInPlace() and every other call work`,
  });
}

export const nativeSpawner: ProcessSpawner = {
  spawn(req: SpawnRequest): SpawnResult {
    const refused = runtimeRefusal();
    if (refused) throw refused;
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
