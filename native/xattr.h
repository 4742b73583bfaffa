// Node-API registration for the security.capability xattr functions (file capabilities).
// addon.cc only calls RegisterXattr; everything else about file caps lives in xattr.cc.
#pragma once
#include <napi.h>

// Registers, on `exports`, one function per syscall (each returns -errno on failure):
//   xattrGetPath(path)        -> Buffer | -errno   lgetxattr   (-ELOOP if path is a symlink)
//   xattrGetFd(fd)            -> Buffer | -errno   fgetxattr
//   xattrSetPath(path, bytes) -> 0 | -errno        lsetxattr   (-ELOOP if path is a symlink)
//   xattrSetFd(fd, bytes)     -> 0 | -errno        fsetxattr
//   xattrRemovePath(path)     -> 0 | -errno        lremovexattr (-ELOOP if path is a symlink)
//   xattrRemoveFd(fd)         -> 0 | -errno        fremovexattr
void RegisterXattr(Napi::Env env, Napi::Object exports);
