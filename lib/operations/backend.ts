/**
 * Which backend answers (the contract itself is lib/backend/contract.ts).
 *
 * The public operations (thread.*, caps.*, dropPrivileges, launch, fileCaps) talk to a
 * Backend, never to the addon: the same code runs against the kernel (native) or the model
 * (a simulated process). On Linux the native backend is required — no silent fallback.
 */
import type { Backend } from '../backend/contract.js';
import type { BackendKind } from '../vocabulary/types.js';
import { CapsError } from '../vocabulary/errors.js';
import { createNativeBackend } from '../backend/native/backend.js';
import { createSimulatedBackend } from '../model/simulated.js';
import { EINVAL, EPERM } from '../vocabulary/abi.js';

export type { Backend, BroadcastOutcome, Launcher, SpawnRequest, SpawnResult } from '../backend/contract.js';

let selected: Backend | undefined;
/** The model was chosen by LINUX_CAPS_BACKEND on Linux, not by the program (issue 23). */
let modelFromEnvironment = false;

/**
 * Why a change of state must not run: on Linux, a model backend that an inherited environment
 * variable chose would make a privileged process fail open (dropPrivileges would "succeed" in
 * the simulation while the process keeps every privilege). Reads still follow it; changes
 * need the program to choose the model itself (`useBackend('model')`).
 */
export function changeRefusal(): CapsError | undefined {
  if (!modelFromEnvironment || selected?.kind !== 'model') return undefined;
  return new CapsError({
    code: 'ERR_CAPS_MODEL_FROM_ENV',
    errno: -EPERM,
    message: "LINUX_CAPS_BACKEND=model in the environment chose the model on Linux: a change made there would not reach the kernel, so it is refused and the process keeps its real privileges; call useBackend('model') in the program to simulate on purpose",
  });
}

/** The backend that answers calls now: native on Linux, the model elsewhere or when asked. */
export function getBackend(): Backend {
  if (selected) return selected;
  const asked = process.env.LINUX_CAPS_BACKEND;
  if (asked !== undefined && asked !== '' && asked !== 'native' && asked !== 'model') {
    throw new CapsError({
      code: 'ERR_CAPS_INVALID_ARG',
      errno: -EINVAL,
      message: `LINUX_CAPS_BACKEND=${asked} is not a backend; expected 'native' or 'model'`,
    });
  }
  const kind: BackendKind = asked === 'model' || (asked !== 'native' && process.platform !== 'linux') ? 'model' : 'native';
  selected = kind === 'model' ? createSimulatedBackend() : createNativeBackend();
  modelFromEnvironment = kind === 'model' && asked === 'model' && process.platform === 'linux';
  return selected;
}

/**
 * Chooses the backend explicitly: 'native' (the kernel, Linux only), 'model' (a fresh
 * simulated process), or any object implementing Backend (e.g. a configured simulation).
 */
export function useBackend(choice: BackendKind | Backend): Backend {
  modelFromEnvironment = false;
  if (choice === 'native') selected = createNativeBackend();
  else if (choice === 'model') selected = createSimulatedBackend();
  else if (choice && typeof choice === 'object' && typeof choice.runOnThread === 'function') selected = choice;
  else {
    throw new CapsError({
      code: 'ERR_CAPS_INVALID_ARG',
      errno: -EINVAL,
      message: `useBackend(${JSON.stringify(choice)}): expected 'native', 'model' or a Backend object`,
    });
  }
  return selected;
}
