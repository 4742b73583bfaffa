/**
 * `linux-caps/testing`: the backend contract, for tests that stand in for the kernel.
 *
 * The public operations (thread, caps, dropPrivileges, launch, fileCaps) talk to a
 * {@link Backend}, never to the addon. The root entry chooses one by name
 * (`useBackend('native' | 'model')`) or takes a simulated process; this entry exposes the
 * contract itself, for a test double or a wrapper that records what the library asked for.
 * Nothing here is needed to use linux-caps.
 *
 * @example
 * import { getBackend, installBackend, type Backend, type CredProgram } from 'linux-caps/testing';
 * const real = getBackend();
 * const seen: CredProgram[] = [];
 * installBackend({ ...real, runOnThread(program) { seen.push(program); return real.runOnThread(program); } });
 */
export { getBackend, installBackend } from './operations/backend.js';
export type { Backend, BroadcastOutcome, ProcessSpawner, SpawnRequest, SpawnResult } from './operations/backend.js';
export type { CredOp, CredProgram, OpFailure } from './vocabulary/types.js';
