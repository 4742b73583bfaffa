/**
 * `explain` at the package root: the model's explain (lib/model/explain.ts) taking every step
 * vocabulary the library speaks, so `explain(start, steps)` runs the very steps given to
 * `caps.apply(steps)` (issue 24 §2): CapsSteps are compiled to the one-syscall CredOps that
 * caps.apply would run; CredOps and the model's own steps pass as they are.
 */
import type { Explanation, ExplainOptions } from '../model/explain.js';
import { loadModel } from '../model/on-demand/load.js';
import type { CredInit } from '../model/modern/kernel.js';
import type { Cred, ModelStep } from '../model/modern/types.js';
import type { CredOp } from '../vocabulary/types.js';
import { compileSteps, type CapsStep } from './program.js';

/** A step caps.apply takes and CredOp does not spell the same way: `set`, a `caps` list, or securebits by name. */
function isCapsStep(step: ModelStep | CredOp | CapsStep): step is CapsStep {
  if (step === null || typeof step !== 'object') return false;
  if (step.op === 'set' || 'caps' in step) return true;
  return step.op === 'securebits.set' && typeof (step as { bits?: unknown }).bits !== 'number';
}

/**
 * Runs `steps` from `start` through the model and explains every one: the model's steps
 * (`execve`, `setresuid`, `prctl`, …) or caps.apply's steps (the one-syscall CredOps of
 * linux-caps/testing are taken as well).
 *
 * @example
 * explain({ uid: 1000, permitted: ['cap_net_raw'], inheritable: ['cap_net_raw'] },
 *         [{ op: 'ambient.raise', caps: ['cap_net_raw'] }, { op: 'execve', file: { path: '/bin/ping', uid: 0, gid: 0, mode: 0o755 } }])
 */
export function explain(start: Cred | CredInit, steps: ReadonlyArray<ModelStep | CapsStep>, options?: ExplainOptions): Explanation {
  return explainSteps(start, steps, options);
}

/** explain over every vocabulary, CredOps included (the CLI's and linux-caps/testing's). */
export function explainSteps(start: Cred | CredInit, steps: ReadonlyArray<ModelStep | CredOp | CapsStep>, options?: ExplainOptions): Explanation {
  // Not an array: the model refuses it with its own message.
  const flat = Array.isArray(steps) ? steps.flatMap((s) => (isCapsStep(s) ? [...compileSteps([s])] : [s as ModelStep | CredOp])) : (steps as unknown as ModelStep[]);
  return loadModel().explain(start, flat, options);
}
