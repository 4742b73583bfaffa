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

/** Step opcodes; keep in sync with native/launch.cc (LaunchOp). */
export const LaunchOp = {
  keepCaps: 1, setGroups: 2, setResGid: 3, setResUid: 4, capset: 5, boundDrop: 6,
  ambClear: 7, ambRaise: 8, securebits: 9, noNewPrivs: 10, chdir: 11, raiseAll: 12,
} as const;

export interface LaunchStep {
  op: keyof typeof LaunchOp;
  args: number[];
  /** For errors: the syscall, what was asked, and the capability if one. */
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

const lo = (s: CapSet): number => Number(s.toMask() & 0xffffffffn);
const hi = (s: CapSet): number => Number(s.toMask() >> 32n);

/** The ordered steps for a target. */
export function planLaunch(t: LaunchTarget): LaunchStep[] {
  const steps: LaunchStep[] = [];
  const capWork = t.inheritable !== undefined || t.ambient !== undefined || t.notBounding !== undefined
    || t.securebits !== undefined || t.caps !== undefined;
  const leavesRoot = t.uid !== undefined && t.uid !== 0 && t.currentUid === 0;

  if (t.cwd !== undefined) steps.push({ op: 'chdir', args: [], syscall: 'chdir', detail: t.cwd });
  if (leavesRoot && capWork) steps.push({ op: 'keepCaps', args: [1], syscall: 'prctl', detail: 'PR_SET_KEEPCAPS 1' });
  if (t.groups !== undefined) steps.push({ op: 'setGroups', args: [], syscall: 'setgroups', detail: `[${t.groups.join(',')}]` });
  if (t.gid !== undefined) steps.push({ op: 'setResGid', args: [t.gid, t.gid, t.gid], syscall: 'setresgid', detail: String(t.gid) });
  if (t.uid !== undefined) steps.push({ op: 'setResUid', args: [t.uid, t.uid, t.uid], syscall: 'setresuid', detail: String(t.uid) });
  if (capWork) {
    const inh = t.inheritable ?? t.caps?.inheritable;
    // Without an inheritable target the child keeps its current I (flag 0).
    steps.push(inh
      ? { op: 'raiseAll', args: [1, lo(inh), hi(inh)], syscall: 'capset', detail: `E=P I=${inh.toString() || '(empty)'}` }
      : { op: 'raiseAll', args: [0, 0, 0], syscall: 'capset', detail: 'E=P' });
  }
  for (const cap of t.notBounding ?? []) {
    steps.push({ op: 'boundDrop', args: [cap], syscall: 'prctl', detail: `PR_CAPBSET_DROP ${capToName(cap)}`, cap: capToName(cap) });
  }
  if (t.securebits !== undefined) {
    steps.push({ op: 'securebits', args: [t.securebits], syscall: 'prctl', detail: `PR_SET_SECUREBITS 0x${t.securebits.toString(16)}` });
  }
  if (t.caps) {
    const c = t.caps;
    const i = t.inheritable ? c.inheritable.union(t.inheritable) : c.inheritable;
    steps.push({
      op: 'capset', args: [lo(c.effective), hi(c.effective), lo(c.permitted), hi(c.permitted), lo(i), hi(i)],
      syscall: 'capset', detail: `E=${c.effective} P=${c.permitted} I=${i}`,
    });
  }
  if (t.ambient !== undefined) {
    steps.push({ op: 'ambClear', args: [], syscall: 'prctl', detail: 'PR_CAP_AMBIENT_CLEAR_ALL' });
    for (const cap of t.ambient) {
      steps.push({ op: 'ambRaise', args: [cap], syscall: 'prctl', detail: `PR_CAP_AMBIENT_RAISE ${capToName(cap)}`, cap: capToName(cap) });
    }
  }
  if (t.noNewPrivs) steps.push({ op: 'noNewPrivs', args: [], syscall: 'prctl', detail: 'PR_SET_NO_NEW_PRIVS' });
  return steps;
}

/** The steps as the addon takes them: 8 words each. */
export function encodePlan(steps: readonly LaunchStep[]): Uint32Array {
  const words = new Uint32Array(steps.length * 8);
  steps.forEach((s, i) => {
    words[i * 8] = LaunchOp[s.op];
    s.args.forEach((a, j) => { words[i * 8 + 1 + j] = a >>> 0; });
  });
  return words;
}
