// Facts about procfs the addon checks /proc against.
#pragma once

namespace caps {

// linux/magic.h PROC_SUPER_MAGIC: only procfs lists the kernel's threads and their credentials;
// a tmpfs or bind mount over /proc could hide or forge them (DESIGN "/proc is authenticated").
constexpr long kProcSuperMagic = 0x9fa0;

// One record of a getdents64 buffer (struct linux_dirent64 { u64 ino; s64 off; u16 reclen;
// u8 type; char name[]; }): its length, and in *tid the task id its name spells, or -1 for a
// name that is not a number ("." and ".."). Async-signal-safe (the broadcast's sweep uses it).
inline unsigned short DirentTid(const char* rec, int* tid) {
  unsigned short reclen;
  __builtin_memcpy(&reclen, rec + 16, sizeof reclen);
  const char* name = rec + 19;
  int n = 0;
  bool numeric = name[0] != '\0';
  for (const char* p = name; *p; p++) {
    if (*p < '0' || *p > '9') { numeric = false; break; }
    n = n * 10 + (*p - '0');
  }
  *tid = numeric ? n : -1;
  return reclen;
}

}  // namespace caps
