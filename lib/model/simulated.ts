/** A simulated process implementing Backend (placeholder until the model lands). */
import type { Backend } from '../backend.js';
import { CapsError } from '../errors.js';

export function createSimulatedBackend(): Backend {
  const unsupported = (): never => {
    throw new CapsError({ code: 'ERR_CAPS_UNSUPPORTED', message: 'the model backend is not built yet' });
  };
  return {
    kind: 'model',
    lastCap: unsupported,
    threadState: unsupported,
    runOnThread: unsupported,
    processRefusal: unsupported,
    broadcast: unsupported,
    threads: unsupported,
    killProcess: unsupported,
  };
}
