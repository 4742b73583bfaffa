/**
 * What the user namespace would refuse in an id change, said before anything changes (issue 11,
 * F2). In a user namespace the kernel refuses setgroups(2) with EPERM once /proc/self/setgroups
 * says `deny`, and setresuid/setresgid with EINVAL for an id its map does not cover
 * (kernel-semantics §2.8). Pure: the caller reads the maps.
 */
import { CapsError, type ErrnoCode } from '../vocabulary/errors.js';

/**
 * One line of /proc/<pid>/uid_map or gid_map.
 * @example
 * const rootOnly: IdExtent = { inside: 0, outside: 1000, count: 1 };   // uid 0 inside is 1000 outside
 * rootOnly.count;
 */
export interface IdExtent {
  /** First id of the range inside the namespace. */
  inside: number;
  /** The id it maps to in the parent namespace. */
  outside: number;
  /** How many consecutive ids the range covers. */
  count: number;
}

/**
 * What the calling process's user namespace allows.
 * @example
 * import { readFileSync } from 'node:fs';
 * const line = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).map(Number);
 * const view: UserNamespaceView = { setgroups: 'allow', uidMap: [{ inside: line[0]!, outside: line[1]!, count: line[2]! }], gidMap: [] };
 * view.uidMap[0]!.count;   // 4294967295 in the initial namespace
 */
export interface UserNamespaceView {
  /** /proc/self/setgroups: 'deny' makes setgroups(2) fail with EPERM. */
  setgroups: 'allow' | 'deny';
  /** /proc/self/uid_map: which uids exist in this namespace, and what they are outside it. */
  uidMap: readonly IdExtent[];
  /** /proc/self/gid_map: the same for gids. */
  gidMap: readonly IdExtent[];
}

/** Parses /proc/<pid>/uid_map or gid_map text ("inside outside count" per line). */
export function parseIdMap(text: string): IdExtent[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((line) => {
    const [inside, outside, count] = line.trim().split(/\s+/).map(Number);
    return { inside: inside!, outside: outside!, count: count! };
  });
}

const mapped = (map: readonly IdExtent[], id: number): boolean => map.some((e) => id >= e.inside && id - e.inside < e.count);

/** The refusal the kernel would give for these ids, as a CapsError, or undefined. */
export function idChangeRefusal(ids: { groups?: readonly number[]; gid?: number; uid?: number }, ns: UserNamespaceView, who: string): CapsError | undefined {
  const refuse = (errno: number, code: ErrnoCode, syscall: string, why: string) =>
    new CapsError({ code, errno, syscall, message: `${code}: ${who}: ${why}; nothing was changed` });
  if (ids.groups !== undefined) {
    if (ns.setgroups === 'deny') {
      return refuse(-1, 'EPERM', 'setgroups', `setgroups is denied in this user namespace (/proc/self/setgroups: deny), so the groups [${ids.groups.join(', ')}] cannot be set; pass groups that equal the current ones, or run where setgroups is allowed`);
    }
    const outside = ids.groups.find((g) => !mapped(ns.gidMap, g));
    if (outside !== undefined) return refuse(-22, 'EINVAL', 'setgroups', `group ${outside} is not mapped in this user namespace (/proc/self/gid_map)`);
  }
  if (ids.gid !== undefined && !mapped(ns.gidMap, ids.gid)) return refuse(-22, 'EINVAL', 'setresgid', `gid ${ids.gid} is not mapped in this user namespace (/proc/self/gid_map)`);
  if (ids.uid !== undefined && !mapped(ns.uidMap, ids.uid)) return refuse(-22, 'EINVAL', 'setresuid', `uid ${ids.uid} is not mapped in this user namespace (/proc/self/uid_map)`);
  return undefined;
}
