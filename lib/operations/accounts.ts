/**
 * The account source for this process: libc's NSS through the addon on the kernel backend (as
 * id(1), setpriv and process.setuid() resolve names); on the model backend, /etc/passwd and
 * /etc/group on Linux, and off Linux a simulated machine's accounts (root and nobody): a
 * Windows or macOS host has no such files (under wine, /etc/passwd would even be the Linux
 * host's, through the Z: drive).
 */
import type { AccountSource, GroupEntry, UserEntry } from '../accounts/source.js';
import { filesAccounts } from '../accounts/files.js';
import { getBackend } from './backend.js';
import { nssAccounts } from '../backend/native/accounts.js';
import { requireNative } from '../backend/native/addon.js';

const USERS: readonly UserEntry[] = [
  { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' },
  { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' },
];
const GROUPS: readonly GroupEntry[] = [
  { name: 'root', gid: 0, members: [] },
  { name: 'nogroup', gid: 65534, members: [] },
];

/** The accounts of the model's simulated machine off Linux: root (0) and nobody/nogroup (65534). */
export const simulatedAccounts: AccountSource = {
  usersFrom: `the model's simulated accounts (root, nobody; no /etc/passwd is read on ${process.platform})`,
  groupsFrom: `the model's simulated groups (root, nogroup; no /etc/group is read on ${process.platform})`,
  user: (query) => USERS.find((u) => (typeof query === 'number' ? u.uid === query : u.name === query)),
  group: (query) => GROUPS.find((g) => (typeof query === 'number' ? g.gid === query : g.name === query)),
  groupList: (_name, gid) => [gid],
};

export function systemAccounts(): AccountSource {
  if (getBackend().kind === 'native') return nssAccounts(requireNative('resolving names through NSS'));
  return process.platform === 'linux' ? filesAccounts() : simulatedAccounts;
}
