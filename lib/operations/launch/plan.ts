/**
 * launch(): the credential plan a child applies between fork and exec, as pure data.
 * The order follows libuv's child setup (chdir, groups, gid, uid) and then the capability
 * steps in the only order the kernel accepts (kernel-semantics §2.3–§2.5):
 *   keepcaps → setgroups → setresgid → setresuid   (P survives the uid change, E and A do not, §2.4)
 *   → E := P, I := target I                        (SETPCAP usable again; I' ⊆ I ∪ P holds as P kept)
 *   → bounding drops → securebits                  (both need SETPCAP in E)
 *   → exact E/P/I if asked → ambient raises        (A ⊆ P ∩ I, so after the last capset)
 *   → no_new_privs → execve
 */
import { CapSet } from '../../vocabulary/capset.js';
import { capToName } from '../../vocabulary/names.js';
import type { PlanOp } from '../../vocabulary/types.js';
import { encodeSteps } from '../../backend/wire.js';

/** One step of a launch plan, with what an error names: the syscall, what was asked, the capability if one. */
export interface LaunchStep {
  step: PlanOp;
  syscall: string;
  detail: string;
  cap?: string;
}

/** The resolved (validated) credential target of a child. */
export interface LaunchTarget {
  cwd?: string;
  uid?: number;
  gid?: number;
  groups?: number[];
  /** The child's E/P/I just before exec (exact), if asked. */
  caps?: { effective: CapSet; permitted: CapSet; inheritable: CapSet };
  inheritable?: CapSet;
  ambient?: CapSet;
  notBounding?: CapSet;
  securebits?: number;
  noNewPrivs?: boolean;
  /** The calling thread's uid now (decides whether keepcaps is needed). */
  currentUid: number;
}

/** The ordered steps for a target. */
export function planLaunch(t: LaunchTarget): LaunchStep[] {
  const steps: LaunchStep[] = [];
  const capWork = t.inheritable !== undefined || t.ambient !== undefined || t.notBounding !== undefined
    || t.securebits !== undefined || t.caps !== undefined;
  const leavesRoot = t.uid !== undefined && t.uid !== 0 && t.currentUid === 0;

  if (t.cwd !== undefined) steps.push({ step: { op: 'chdir' }, syscall: 'chdir', detail: t.cwd });
  if (leavesRoot && capWork) steps.push({ step: { op: 'keepCaps.set', on: true }, syscall: 'prctl', detail: 'PR_SET_KEEPCAPS 1' });
  if (t.groups !== undefined) steps.push({ step: { op: 'setgroups' }, syscall: 'setgroups', detail: `[${t.groups.join(',')}]` });
  if (t.gid !== undefined) steps.push({ step: { op: 'setresgid', id: t.gid }, syscall: 'setresgid', detail: String(t.gid) });
  if (t.uid !== undefined) steps.push({ step: { op: 'setresuid', id: t.uid }, syscall: 'setresuid', detail: String(t.uid) });
  if (capWork) {
    const inh = t.inheritable ?? t.caps?.inheritable;
    // Without an inheritable target the child keeps its current I (flag 0).
    steps.push(inh
      ? { step: { op: 'raiseAll', inheritable: inh }, syscall: 'capset', detail: `E=P I=${inh.toString() || '(empty)'}` }
      : { step: { op: 'raiseAll' }, syscall: 'capset', detail: 'E=P' });
  }
  for (const cap of t.notBounding ?? []) {
    steps.push({ step: { op: 'bounding.drop', cap }, syscall: 'prctl', detail: `PR_CAPBSET_DROP ${capToName(cap)}`, cap: capToName(cap) });
  }
  if (t.securebits !== undefined) {
    steps.push({ step: { op: 'securebits.set', bits: t.securebits }, syscall: 'prctl', detail: `PR_SET_SECUREBITS 0x${t.securebits.toString(16)}` });
  }
  if (t.caps) {
    const c = t.caps;
    const i = t.inheritable ? c.inheritable.union(t.inheritable) : c.inheritable;
    steps.push({
      step: { op: 'capset', effective: c.effective, permitted: c.permitted, inheritable: i },
      syscall: 'capset', detail: `E=${c.effective} P=${c.permitted} I=${i}`,
    });
  }
  if (t.ambient !== undefined) {
    steps.push({ step: { op: 'ambient.clear' }, syscall: 'prctl', detail: 'PR_CAP_AMBIENT_CLEAR_ALL' });
    for (const cap of t.ambient) {
      steps.push({ step: { op: 'ambient.raise', cap }, syscall: 'prctl', detail: `PR_CAP_AMBIENT_RAISE ${capToName(cap)}`, cap: capToName(cap) });
    }
  }
  if (t.noNewPrivs) steps.push({ step: { op: 'noNewPrivs.set' }, syscall: 'prctl', detail: 'PR_SET_NO_NEW_PRIVS' });
  return steps;
}

/** The steps as the addon takes them (lib/backend/wire.ts). */
export function encodePlan(steps: readonly LaunchStep[]): Uint32Array {
  return encodeSteps(steps.map((s) => s.step));
}
