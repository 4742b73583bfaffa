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
import type { SimulatedBackend } from '../model/simulated.js';
import { loadModel } from '../model/on-demand/load.js';
import { EINVAL, EPERM } from '../vocabulary/abi.js';

export type { Backend, BroadcastOutcome, ProcessSpawner, SpawnRequest, SpawnResult, ThreadTable, ThreadTarget } from '../backend/contract.js';

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

/**
 * The backend that answers calls now: native on Linux, the model elsewhere or when asked.
 * @example
 * const backend: Backend = getBackend();
 * backend.kind;             // 'native' on Linux
 * backend.threads().length;
 */
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
  selected = kind === 'model' ? loadModel().createSimulatedBackend() : createNativeBackend();
  modelFromEnvironment = kind === 'model' && asked === 'model' && process.platform === 'linux';
  return selected;
}

/**
 * Chooses the backend by name: 'native' (the kernel, Linux only) or 'model' (a fresh simulated
 * process), or a simulated process built with model.createSimulatedBackend. Returns the kind
 * that answers from now on.
 * @example
 * useBackend('model');
 * caps.set({ effective: [], permitted: [], inheritable: [] }); // simulated: no kernel is touched
 */
export function useBackend(choice: BackendKind | SimulatedBackend): BackendKind {
  if (choice === 'native') return install(createNativeBackend()).kind;
  if (choice === 'model') return install(loadModel().createSimulatedBackend()).kind;
  if (loadModel().isSimulatedBackend(choice)) return install(choice).kind;
  throw new CapsError({
    code: 'ERR_CAPS_INVALID_ARG',
    errno: -EINVAL,
    message: `useBackend(${describe(choice)}): expected 'native', 'model' or a simulated process from model.createSimulatedBackend() (linux-caps/testing's installBackend takes any Backend)`,
  });
}

/**
 * Which backend answers calls now: 'native' (the kernel) or 'model' (a simulated process).
 * @example
 * if (backendKind() === 'model') console.log('simulating: nothing reaches the kernel');
 */
export function backendKind(): BackendKind {
  return getBackend().kind;
}

/**
 * Installs any object implementing the Backend contract (linux-caps/testing): a test double, a
 * recording wrapper around the native backend. Returns it.
 * @example
 * const real = getBackend();
 * const programs: CredProgram[] = [];
 * installBackend({ ...real, runOnThread(program) { programs.push(program); return real.runOnThread(program); } });
 * thread.keepCaps.set(true);
 * programs;   // [[{ op: 'keepCaps.set', on: true }]]
 */
export function installBackend(backend: Backend): Backend {
  if (!backend || typeof backend !== 'object' || typeof backend.runOnThread !== 'function' || typeof backend.threadState !== 'function') {
    throw new CapsError({
      code: 'ERR_CAPS_INVALID_ARG',
      errno: -EINVAL,
      message: `installBackend(${describe(backend)}): expected an object implementing Backend (runOnThread, threadState, …)`,
    });
  }
  return install(backend);
}

function install(backend: Backend): Backend {
  modelFromEnvironment = false;
  selected = backend;
  return backend;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return 'an object';
  return JSON.stringify(value) ?? String(value);
}
