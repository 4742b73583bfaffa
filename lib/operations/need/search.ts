/**
 * The search of `linux-caps need` (issue 17): the smallest set a command still succeeds with,
 * found by elimination with group splitting. Knows nothing of processes: `attempt(set)` runs the
 * command with exactly `set` and says whether it succeeded.
 *
 * It assumes what capability checks give: a command that succeeds with some set also succeeds
 * with any larger one. Then a whole group that can go is found in one run, and a group that
 * cannot is split in halves until the capability that is needed stands alone. Each capability
 * the search keeps failed when it alone was taken away from a set that still held every other
 * capability not yet ruled out, so no single member of the result can go: the result is minimal
 * (not necessarily the minimum, where different sets could each do).
 */
import { CapSet } from '../../vocabulary/capset.js';

/** What one attempt of the command with a given set showed. */
export interface Attempt {
  /** The command succeeded (exit 0, and its stdout matched where a pattern was given). */
  ok: boolean;
  /** Why it did not, in words (exit status, the last line of stderr); empty when it succeeded. */
  detail: string;
}

/** The search's answer: the capabilities kept, each with the attempt that failed without it. */
export interface SearchResult {
  /** The minimal set. */
  needed: CapSet;
  /** For each kept capability, the failed attempt with it taken away. */
  evidence: Map<number, Attempt>;
}

/**
 * Eliminates `candidates` (ascending) down to a minimal set. `attempt` is called with each set
 * to try; the caller has checked that `candidates` itself succeeds.
 */
export async function eliminate(candidates: readonly number[], attempt: (set: CapSet) => Promise<Attempt>): Promise<SearchResult> {
  const evidence = new Map<number, Attempt>();
  /** The members of `group` that cannot go while `kept` stays; every other capability is gone. */
  async function reduce(kept: CapSet, group: readonly number[]): Promise<number[]> {
    if (group.length === 0) return [];
    const without = await attempt(kept);
    if (without.ok) return [];
    if (group.length === 1) {
      evidence.set(group[0]!, without);
      return [group[0]!];
    }
    const half = Math.ceil(group.length / 2);
    const first = group.slice(0, half);
    const second = group.slice(half);
    // The first half with the second still there, then the second with what the first kept.
    const keptFirst = await reduce(kept.with(...second), first);
    const keptSecond = await reduce(kept.with(...keptFirst), second);
    return [...keptFirst, ...keptSecond];
  }
  const needed = await reduce(CapSet.EMPTY, candidates);
  return { needed: CapSet.of(...needed), evidence };
}

/** At most how many attempts eliminating `count` capabilities takes: 2·count − 1 (one when none is needed). */
export function maxAttempts(count: number): number {
  return count === 0 ? 0 : 2 * count - 1;
}
