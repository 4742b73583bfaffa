/**
 * /etc/passwd and /etc/group (or other files in their format) parsed here: the account source
 * of the model backend, and of `ps`'s user names. On Linux with the addon, names resolve
 * through libc's NSS instead (lib/backend/native/accounts.ts).
 */
import { readFileSync } from 'node:fs';
import type { AccountSource, GroupEntry, UserEntry } from './source.js';

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

/** A decimal id as typed (0 to 2^32-2), or undefined. */
export function parseId(text: string | undefined): number | undefined {
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

/**
 * uid → the first account name with that uid, from a passwd-format text (what pscap shows).
 * @example
 * parsePasswd('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/sbin/nologin\n').get(65534);   // 'nobody'
 */
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

/** The files as an account source: a name, or a decimal id, looked up in the file. */
export function filesAccounts(files: AccountFiles = {}): AccountSource {
  const byQuery = <T extends { name: string }>(entries: T[], idOf: (e: T) => number, query: string | number) => {
    const id = typeof query === 'number' ? query : parseId(query);
    return id !== undefined ? entries.find((e) => idOf(e) === id) : entries.find((e) => e.name === query);
  };
  return {
    usersFrom: files.passwd ?? '/etc/passwd',
    groupsFrom: files.group ?? '/etc/group',
    user: (query) => byQuery(readUsers(files), (u) => u.uid, query),
    group: (query) => byQuery(readGroups(files), (g) => g.gid, query),
    groupList(name, gid) {
      const gids = new Set<number>([gid]);
      for (const g of readGroups(files)) if (g.members.includes(name)) gids.add(g.gid);
      return [...gids].sort((a, b) => a - b);
    },
  };
}
