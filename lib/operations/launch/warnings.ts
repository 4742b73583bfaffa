/**
 * What a launched child will hold beyond what was asked, said before it starts (issue 11).
 * An exec by uid 0 without SECBIT_NOROOT recomputes P' and E' as the whole bounding set
 * (kernel-semantics §2.6: root is treated as if every file capability were set), and an
 * ambient set left from the parent is added to P' and E' at every exec. Pure.
 */
import { CapSet } from '../../vocabulary/capset.js';
import type { LaunchTarget } from './plan.js';
import { SECBIT_NOROOT } from '../../vocabulary/abi.js';


/** The parent's calling-thread state that the child starts from. */
export interface LaunchParent {
  uid: number;
  euid: number;
  bounding: CapSet;
  ambient: CapSet;
  securebits: number;
}

const names = (s: CapSet): string => {
  const list = s.names();
  return list.length > 4 ? `${list.slice(0, 4).join(', ')} and ${list.length - 4} more` : list.join(', ');
};

/**
 * What an exec from this state gains beyond `asked` by the root rule: uid 0 (real or effective)
 * without SECBIT_NOROOT gets its whole bounding set at exec (kernel-semantics §2.6). Empty when
 * the rule does not apply. Shared by launch() and dropPrivileges().
 */
export function rootExecGain(state: { root: boolean; securebits: number; bounding: CapSet }, asked: CapSet): CapSet {
  if (!state.root || (state.securebits & SECBIT_NOROOT) !== 0) return CapSet.EMPTY;
  return state.bounding.minus(asked);
}

/** The warning for a root-rule gain, naming the fixes. */
export function rootExecWarning(who: string, gained: CapSet): string {
  return `${who} runs as root without SECBIT_NOROOT, so exec gives it every capability in its bounding set: ${gained.size} more than asked (${names(gained)}); switch user (--user, or the user option), set securebits noroot (--secbits noroot,noroot_locked, or securebits), or drop them from the bounding set (--drop, iab '!cap_…', or limitBounding)`;
}

/** One sentence per way the child will hold more than `target` asks for; empty when it will not. */
export function launchWarnings(target: LaunchTarget, parent: LaunchParent): string[] {
  const askedCaps = target.caps !== undefined || target.inheritable !== undefined || target.ambient !== undefined || target.notBounding !== undefined;
  if (!askedCaps) return [];
  const warnings: string[] = [];
  // What survives of the parent's ambient set: leaving uid 0 clears it (§2.4); a capset keeps A ⊆ P ∩ I.
  const leavesRoot = target.uid !== undefined && target.uid !== 0 && (parent.uid === 0 || parent.euid === 0);
  const inherited = leavesRoot ? CapSet.EMPTY : parent.ambient;
  const ambient = target.ambient ?? (target.caps ? target.caps.permitted.intersect(target.caps.inheritable).intersect(inherited) : inherited);
  const asked = (target.caps?.permitted ?? CapSet.EMPTY).union(ambient);
  const root = target.uid !== undefined ? target.uid === 0 : parent.uid === 0 || parent.euid === 0;
  const securebits = target.securebits ?? parent.securebits;
  const gained = rootExecGain({ root, securebits, bounding: parent.bounding.minus(target.notBounding ?? CapSet.EMPTY) }, asked);
  if (!gained.isEmpty) warnings.push(rootExecWarning('the child', gained));
  if (target.ambient === undefined && !ambient.isEmpty) {
    warnings.push(`the child inherits this process's ambient set (${names(ambient)}), which exec adds to its permitted and effective sets; give the ambient set explicitly (--addamb, or iab) to set or clear it`);
  }
  return warnings;
}
