/**
 * Why a launched child's credential step was refused: the plan replayed on the model from the
 * parent's calling thread (the child's credentials at fork), as caps.set explains its refusals.
 * Used only when the model predicts the errno the kernel gave at that step. Pure.
 */
import type { LaunchStep, LaunchTarget } from './plan.js';
import { loadModel } from '../../model/on-demand/load.js';
import { replayOnModel } from '../model-replay.js';
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
    default: return loadModel().credOpToStep(step);
  }
}

/** The model's reason and rule for the refusal of `steps[index]` with `errno`, when it agrees. */
export function explainLaunchRefusal(
  steps: readonly LaunchStep[], target: LaunchTarget, index: number, errno: number, start: ThreadState, lastCap: number,
): { reason: string; rule: string } | undefined {
  const upTo = steps.slice(0, index + 1).map((step) => (cred: Cred) => modelStepOf(step, target, cred));
  // A refusal earlier than `index` means the model disagrees with the kernel: no explanation.
  const refused = replayOnModel(lastCap, credInitOf(start), upTo)?.refused;
  return refused?.index === index && refused.reason && Math.abs(refused.errno) === Math.abs(errno) ? { reason: refused.reason, rule: refused.rule } : undefined;
}
