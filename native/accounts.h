// Node-API registration for account lookups through libc's NSS (passwd, group, initgroups),
// so names resolve as id(1), setpriv and process.setuid() resolve them: files, systemd,
// LDAP, SSSD, extrausers — whatever /etc/nsswitch.conf names.
#pragma once
#include <napi.h>

// Registers, on `exports` (each runs on the calling thread; -errno on failure, null if absent):
//   accountUser(name | uid)     -> { name, uid, gid, home, shell } | null | -errno   getpwnam_r / getpwuid_r
//   accountGroup(name | gid)    -> { name, gid, members: string[] } | null | -errno   getgrnam_r / getgrgid_r
//   accountGroupList(name, gid) -> number[] | -errno                                 getgrouplist
void RegisterAccounts(Napi::Env env, Napi::Object exports);
