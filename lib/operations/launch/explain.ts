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

const mask = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/** The model step for one launch step, given the credential just before it (undefined: not modelled). */
function modelStepOf(step: LaunchStep, target: LaunchTarget, cred: Cred): ModelStep | undefined {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = step.args;
  switch (step.op) {
    case 'keepCaps': return credOpToStep({ op: 'keepcaps.set', on: a === 1 });
    case 'setGroups': return { op: 'setgroups', groups: target.groups ?? [] };
    case 'setResGid': return { op: 'setresgid', rgid: a, egid: b, sgid: c };
    case 'setResUid': return { op: 'setresuid', ruid: a, euid: b, suid: c };
    case 'raiseAll': return { op: 'capset', effective: cred.permitted, permitted: cred.permitted, inheritable: a === 1 ? mask(b, c) : cred.inheritable };
    case 'capset': return { op: 'capset', effective: mask(a, b), permitted: mask(c, d), inheritable: mask(e, f) };
    case 'boundDrop': return credOpToStep({ op: 'bounding.drop', cap: a });
    case 'ambClear': return credOpToStep({ op: 'ambient.clear' });
    case 'ambRaise': return credOpToStep({ op: 'ambient.raise', cap: a });
    case 'securebits': return credOpToStep({ op: 'securebits.set', bits: a });
    case 'noNewPrivs': return credOpToStep({ op: 'nnp.set' });
    case 'chdir': return undefined;
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
