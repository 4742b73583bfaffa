/** The kernel backend (placeholder until the native core lands). */
import type { Backend } from '../backend.js';
import { CapsError } from '../errors.js';

export function createNativeBackend(): Backend {
  const unsupported = (): never => {
    throw new CapsError({ code: 'ERR_CAPS_UNSUPPORTED', message: 'the native backend is not built yet' });
  };
  return {
    kind: 'native',
    lastCap: unsupported,
    threadState: unsupported,
    runOnThread: unsupported,
    processRefusal: unsupported,
    broadcast: unsupported,
    threads: unsupported,
    killProcess: unsupported,
  };
}
