/**
 * Where user and group names come from. On Linux with the addon, libc's NSS (what id(1),
 * setpriv and process.setuid() use: files, systemd, LDAP, SSSD, extrausers…); on the model
 * backend, or when files are named, /etc/passwd and /etc/group parsed here.
 */

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

export interface AccountSource {
  /** Where users are looked up, for messages: '/etc/passwd', or the NSS databases. */
  readonly usersFrom: string;
  /** Where groups are looked up, for messages. */
  readonly groupsFrom: string;
  /** The entry for a name or a uid, or undefined. */
  user(query: string | number): UserEntry | undefined;
  /** The entry for a name or a gid, or undefined. */
  group(query: string | number): GroupEntry | undefined;
  /** What initgroups(3) sets for a user: the primary gid and every group listing the user, ascending. */
  groupList(name: string, gid: number): number[];
}
