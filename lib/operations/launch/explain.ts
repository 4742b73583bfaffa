/**
 * Why a launched child's credential step was refused: the plan replayed on the model from the
 * parent's calling thread (the child's credentials at fork), as caps.set explains its refusals.
 * Used only when the model predicts the errno the kernel gave at that step. Pure.
 */
import type { LaunchStep, LaunchTarget } from './plan.js';
import { applyStep, createCred, createKernel, credOpToStep } from '../../model/modern/kernel.js';
import type { Cred, ModelStep } from '../../model/modern/types.js';
import { credInitOf } from '../thread-cred.js';
import type { ThreadState } from '../../vocabulary/types.js';

/** The model step for one launch step, given the credential just before it (undefined: not modelled). */
function modelStepOf({ step }: LaunchStep, target: LaunchTarget, cred: Cred): ModelStep | undefined {
  switch (step.op) {
    case 'setgroups': return { op: 'setgroups', groups: target.groups ?? [] };
    case 'setresgid': return { op: 'setresgid', rgid: step.id, egid: step.id, sgid: step.id };
    case 'setresuid': return { op: 'setresuid', ruid: step.id, euid: step.id, suid: step.id };
    case 'raiseAll': return { op: 'capset', effective: cred.permitted, permitted: cred.permitted, inheritable: step.inheritable?.toMask() ?? cred.inheritable };
    case 'chdir': return undefined;
    default: return credOpToStep(step);
  }
}

/** The model's reason and rule for the refusal of `steps[index]` with `errno`, when it agrees. */
export function explainLaunchRefusal(
  steps: readonly LaunchStep[], target: LaunchTarget, index: number, errno: number, start: ThreadState, lastCap: number,
): { reason: string; rule: string } | undefined {
  try {
    const kernel = createKernel({ lastCap });
    let cred = createCred(kernel, credInitOf(start));
    for (let i = 0; i <= index && i < steps.length; i++) {
      const step = modelStepOf(steps[i]!, target, cred);
      if (step === undefined) continue;
      const t = applyStep(kernel, cred, step);
      if (i === index) return t.errno !== undefined && Math.abs(t.errno) === Math.abs(errno) && t.reason ? { reason: t.reason, rule: t.rule } : undefined;
      if (t.errno !== undefined) return undefined; // the model disagrees earlier: no explanation
      cred = t.state;
    }
  } catch {
    // a start state the model does not take (a user namespace, a newer kernel's bits)
  }
  return undefined;
}
