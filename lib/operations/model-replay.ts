/**
 * Steps run on the model's kernel rules from a start credential, up to the first refusal: the
 * one way explanations and pre-flight checks ask the model instead of restating its rules.
 * Pure.
 */
import type { CredInit } from '../model/modern/kernel.js';
import { loadModel } from '../model/on-demand/load.js';
import type { Cred, ModelStep } from '../model/modern/types.js';

/** A step, or one built from the credential just before it; undefined: a step the model does not take part in (chdir). */
export type ReplayStep = ModelStep | undefined | ((cred: Cred) => ModelStep | undefined);

export interface Replay {
  /** The credential after the last step that ran (before the refused one). */
  cred: Cred;
  /** The first step the model refuses: its index, the negative errno, and the model's reason and rule. */
  refused?: { index: number; errno: number; reason?: string; rule: string };
}

/** Runs `steps` in order from `start`; undefined when the model does not take the start state (a newer kernel's securebits). */
export function replayOnModel(lastCap: number, start: CredInit, steps: readonly ReplayStep[]): Replay | undefined {
  const { applyStep, createCred, createKernel } = loadModel();
  try {
    const kernel = createKernel({ lastCap });
    let cred = createCred(kernel, start);
    for (let index = 0; index < steps.length; index++) {
      const given = steps[index];
      const step = typeof given === 'function' ? given(cred) : given;
      if (step === undefined) continue;
      const t = applyStep(kernel, cred, step);
      if (t.errno !== undefined) return { cred, refused: { index, errno: t.errno, ...(t.reason === undefined ? {} : { reason: t.reason }), rule: t.rule } };
      cred = t.state;
    }
    return { cred };
  } catch {
    return undefined;
  }
}
