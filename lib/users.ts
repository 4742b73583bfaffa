/**
 * User and group lookup from /etc/passwd and /etc/group (the "files" NSS source only —
 * pass numeric ids where users come from LDAP or similar), and initgroups semantics.
 */
import { readFileSync } from 'node:fs';
import { CapsError, invalidArg } from './errors.js';

export interface UserEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface AccountFiles {
  /** Path of the passwd file (default /etc/passwd). */
  passwd?: string;
  /** Path of the group file (default /etc/group). */
  group?: string;
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return [];
  }
}

const ID = /^(0|[1-9][0-9]{0,9})$/;

function parseId(text: string | undefined): number | undefined {
  if (text === undefined || !ID.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xfffffffe ? n : undefined;
}

/** The well-formed entries of passwd-format lines (comments and NIS `+`/`-` lines skipped). */
function passwdEntries(lines: readonly string[]): UserEntry[] {
  const out: UserEntry[] = [];
  for (const line of lines) {
    if (line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    const uid = parseId(f[2]);
    const gid = parseId(f[3]);
    if (f.length < 7 || !f[0] || uid === undefined || gid === undefined) continue;
    out.push({ name: f[0], uid, gid, home: f[5]!, shell: f[6]! });
  }
  return out;
}

/** Every well-formed entry of a passwd file. */
export function readUsers(files: AccountFiles = {}): UserEntry[] {
  return passwdEntries(readLines(files.passwd ?? '/etc/passwd'));
}

/** uid → the first account name with that uid, from a passwd-format text (what pscap shows). */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const u of passwdEntries(text.split('\n'))) if (!names.has(u.uid)) names.set(u.uid, u.name);
  return names;
}

/** A uid → name lookup over /etc/passwd as it is now (empty if the file cannot be read). */
export function readUserNames(path = '/etc/passwd'): (uid: number) => string | undefined {
  const names = parsePasswd(readLines(path).join('\n'));
  return (uid) => names.get(uid);
}

/** Every well-formed entry of a group file. */
export function readGroups(files: AccountFiles = {}): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of readLines(files.group ?? '/etc/group')) {
    const f = line.split(':');
    const gid = parseId(f[2]);
    if (f.length < 4 || !f[0] || gid === undefined) continue;
    out.push({ name: f[0], gid, members: f[3] ? f[3].split(',').filter(Boolean) : [] });
  }
  return out;
}

/** The passwd entry for a name or uid; a numeric id without an entry gets a synthetic one. */
export function findUser(user: string | number, files?: AccountFiles): UserEntry | undefined {
  const users = readUsers(files);
  const id = typeof user === 'number' ? user : parseId(user);
  if (id !== undefined) return users.find((u) => u.uid === id);
  return users.find((u) => u.name === user);
}

/** The group entry for a name or gid. */
export function findGroup(group: string | number, files?: AccountFiles): GroupEntry | undefined {
  const groups = readGroups(files);
  const id = typeof group === 'number' ? group : parseId(group);
  if (id !== undefined) return groups.find((g) => g.gid === id);
  return groups.find((g) => g.name === group);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xfffffffe;
}

/** A uid from a user name or id; throws ERR_CAPS_UNKNOWN_USER for an unknown name. */
export function resolveUid(user: string | number, files?: AccountFiles): number {
  if (isId(user)) return user;
  if (typeof user === 'string') {
    const id = parseId(user);
    if (id !== undefined) return id;
    const entry = findUser(user, files);
    if (entry) return entry.uid;
  }
  throw new CapsError({
    code: 'ERR_CAPS_UNKNOWN_USER',
    errno: -22,
    message: `unknown user ${JSON.stringify(user)}: not a uid and not in ${files?.passwd ?? '/etc/passwd'}`,
  });
}

/** A gid from a group name or id; throws ERR_CAPS_UNKNOWN_GROUP for an unknown name. */
export function resolveGid(group: string | number, files?: AccountFiles): number {
  if (isId(group)) return group;
  if (typeof group === 'string') {
    const id = parseId(group);
    if (id !== undefined) return id;
    const entry = findGroup(group, files);
    if (entry) return entry.gid;
  }
  throw new CapsError({
    code: 'ERR_CAPS_UNKNOWN_GROUP',
    errno: -22,
    message: `unknown group ${JSON.stringify(group)}: not a gid and not in ${files?.group ?? '/etc/group'}`,
  });
}

/** What initgroups(3) sets for a user: the primary gid plus every group listing the user, ascending. */
export function initialGroups(userName: string, primaryGid: number, files?: AccountFiles): number[] {
  const gids = new Set<number>([primaryGid]);
  for (const g of readGroups(files)) if (g.members.includes(userName)) gids.add(g.gid);
  return [...gids].sort((a, b) => a - b);
}

/**
 * The identity a `user` option names: uid, primary gid, and initgroups' list when the user
 * has a passwd entry. A bare numeric uid without an entry keeps gid/groups undefined.
 */
export function resolveIdentity(user: string | number, files?: AccountFiles): { uid: number; gid?: number; groups?: number[]; name?: string; home?: string } {
  const uid = resolveUid(user, files);
  const entry = typeof user === 'string' && parseId(user) === undefined ? findUser(user, files) : findUser(uid, files);
  if (!entry) return { uid };
  return { uid, gid: entry.gid, groups: initialGroups(entry.name, entry.gid, files), name: entry.name, home: entry.home };
}

/** The `{ user, group, groups }` options of launch() and dropPrivileges(). */
export interface IdentityOptions {
  user?: string | number;
  group?: string | number;
  groups?: Array<string | number>;
}

/**
 * The ids those options name: `user` sets the uid and, when it has a passwd entry, its primary
 * gid and initgroups' list; `group` and `groups` override those. Throws CapsError for unknown
 * names or a `groups` that is not an array; an omitted option leaves its id undefined.
 */
export function resolveIdentityOptions(options: IdentityOptions, files?: AccountFiles): { uid?: number; gid?: number; groups?: number[] } {
  const ids: { uid?: number; gid?: number; groups?: number[] } = {};
  if (options.user !== undefined) {
    const who = resolveIdentity(options.user, files);
    ids.uid = who.uid;
    if (who.gid !== undefined) ids.gid = who.gid;
    if (who.groups !== undefined) ids.groups = who.groups;
    // A uid without a passwd entry says nothing about groups: the process would silently keep
    // its own (gid 0 and root's groups, for a daemon started as root) — issue 23.
    if (who.gid === undefined && (options.group === undefined || options.groups === undefined)) {
      throw new CapsError({
        code: 'ERR_CAPS_INVALID_ARG',
        errno: -22,
        message: `user ${who.uid} has no entry in ${files?.passwd ?? '/etc/passwd'}, so its group and supplementary groups are unknown and the present ones (gid ${typeof process.getgid === 'function' ? process.getgid() : 0}) would stay: give group and groups too (groups: [] for none)`,
        expected: 'group and groups',
      });
    }
  }
  if (options.group !== undefined) ids.gid = resolveGid(options.group, files);
  if (options.groups !== undefined) {
    if (!Array.isArray(options.groups)) throw invalidArg('groups', options.groups, 'an array of group names or gids');
    ids.groups = options.groups.map((g) => resolveGid(g, files));
  }
  return ids;
}
