/**
 * Accounts through libc's NSS, in the addon (getpwnam_r, getgrnam_r, getgrouplist), on the
 * calling thread: names resolve as id(1) and setpriv resolve them, whatever nsswitch.conf says.
 */
import type { AccountSource, GroupEntry, UserEntry } from '../../accounts/source.js';
import { syscallError } from '../../vocabulary/errors.js';
import type { NativeAddon } from './addon.js';

const NSS = 'the system account databases (NSS, /etc/nsswitch.conf)';

function entryOr<T>(got: T | null | number, syscall: string, query: string | number): T | undefined {
  if (typeof got === 'number') throw syscallError({ errno: got, syscall, detail: `looking up ${JSON.stringify(query)}` });
  return got ?? undefined;
}

export function nssAccounts(addon: NativeAddon): AccountSource {
  return {
    usersFrom: NSS,
    groupsFrom: NSS,
    user: (query) => entryOr<UserEntry>(addon.accountUser(query), typeof query === 'number' ? 'getpwuid_r' : 'getpwnam_r', query),
    group: (query) => entryOr<GroupEntry>(addon.accountGroup(query), typeof query === 'number' ? 'getgrgid_r' : 'getgrnam_r', query),
    groupList(name, gid) {
      const got = addon.accountGroupList(name, gid);
      if (typeof got === 'number') throw syscallError({ errno: got, syscall: 'getgrouplist', detail: `for ${JSON.stringify(name)}` });
      return [...new Set(got)].sort((a, b) => a - b);
    },
  };
}
