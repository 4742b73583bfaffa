/**
 * Users and groups for the `user`, `group` and `groups` options: names and ids resolved through
 * an account source (libc's NSS on the kernel backend, /etc/passwd and /etc/group on the model;
 * lib/operations/accounts.ts), with initgroups semantics.
 */
import type { AccountSource } from '../accounts/source.js';
import { parseId } from '../accounts/files.js';
import { systemAccounts } from './accounts.js';
import { CapsError, invalidArg } from '../vocabulary/errors.js';
import { EINVAL } from '../vocabulary/abi.js';

export type { AccountSource, GroupEntry, UserEntry } from '../accounts/source.js';

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xfffffffe;
}

/** A uid from a user name or id; throws ERR_CAPS_UNKNOWN_USER for an unknown name. */
export function resolveUid(user: string | number, source: AccountSource = systemAccounts()): number {
  if (isId(user)) return user;
  if (typeof user === 'string') {
    const id = parseId(user);
    if (id !== undefined) return id;
    const entry = source.user(user);
    if (entry) return entry.uid;
  }
  throw new CapsError({
    code: 'ERR_CAPS_UNKNOWN_USER',
    errno: -EINVAL,
    message: `unknown user ${JSON.stringify(user)}: not a uid and not in ${source.usersFrom}`,
  });
}

/** A gid from a group name or id; throws ERR_CAPS_UNKNOWN_GROUP for an unknown name. */
export function resolveGid(group: string | number, source: AccountSource = systemAccounts()): number {
  if (isId(group)) return group;
  if (typeof group === 'string') {
    const id = parseId(group);
    if (id !== undefined) return id;
    const entry = source.group(group);
    if (entry) return entry.gid;
  }
  throw new CapsError({
    code: 'ERR_CAPS_UNKNOWN_GROUP',
    errno: -EINVAL,
    message: `unknown group ${JSON.stringify(group)}: not a gid and not in ${source.groupsFrom}`,
  });
}

/**
 * The identity a `user` option names: uid, primary gid, and initgroups' list when the user
 * has an account entry. A bare numeric uid without an entry keeps gid/groups undefined.
 */
export function resolveIdentity(user: string | number, source: AccountSource = systemAccounts()): { uid: number; gid?: number; groups?: number[]; name?: string; home?: string } {
  const uid = resolveUid(user, source);
  const entry = typeof user === 'string' && parseId(user) === undefined ? source.user(user) : source.user(uid);
  if (!entry) return { uid };
  return { uid, gid: entry.gid, groups: source.groupList(entry.name, entry.gid), name: entry.name, home: entry.home };
}

/** The `{ user, group, groups }` options of launch() and dropPrivileges(). */
export interface IdentityOptions {
  user?: string | number;
  group?: string | number;
  groups?: Array<string | number>;
}

/**
 * The ids those options name: `user` sets the uid and, when it has an account entry, its
 * primary gid and initgroups' list; `group` and `groups` override those. Throws CapsError for
 * unknown names or a `groups` that is not an array; an omitted option leaves its id undefined.
 */
export function resolveIdentityOptions(options: IdentityOptions, source: AccountSource = systemAccounts()): { uid?: number; gid?: number; groups?: number[] } {
  const ids: { uid?: number; gid?: number; groups?: number[] } = {};
  if (options.user !== undefined) {
    const who = resolveIdentity(options.user, source);
    ids.uid = who.uid;
    if (who.gid !== undefined) ids.gid = who.gid;
    if (who.groups !== undefined) ids.groups = who.groups;
    // A uid without an account entry says nothing about groups: the process would silently keep
    // its own (gid 0 and root's groups, for a daemon started as root) — issue 23.
    if (who.gid === undefined && (options.group === undefined || options.groups === undefined)) {
      throw new CapsError({
        code: 'ERR_CAPS_INVALID_ARG',
        errno: -EINVAL,
        message: `user ${who.uid} has no entry in ${source.usersFrom}, so its group and supplementary groups are unknown and the present ones (gid ${typeof process.getgid === 'function' ? process.getgid() : 0}) would stay: give group and groups too (groups: [] for none)`,
        expected: 'group and groups',
      });
    }
  }
  if (options.group !== undefined) ids.gid = resolveGid(options.group, source);
  if (options.groups !== undefined) {
    if (!Array.isArray(options.groups)) throw invalidArg('groups', options.groups, 'an array of group names or gids');
    ids.groups = options.groups.map((g) => resolveGid(g, source));
  }
  return ids;
}
