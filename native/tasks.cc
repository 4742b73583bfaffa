// ReadTasks: /proc/self/task listed with getdents64 on a directory checked to be procfs, then
// each task's comm or status read through that directory and parsed (tasks.h). Plain libc:
// this runs on the JavaScript thread that asked, never in a signal handler.
#include "tasks.h"

#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "broadcast.h"
#include "procfs.h"

namespace caps {

namespace {

enum Key : int { kName, kPid, kUid, kGid, kGroups, kCapInh, kCapPrm, kCapEff, kCapBnd, kCapAmb, kNoNewPrivs, kSeccomp, kThreads };
constexpr int kRequired = (1 << kName) | (1 << kPid) | (1 << kUid) | (1 << kGid) | (1 << kGroups) |
                          (1 << kCapInh) | (1 << kCapPrm) | (1 << kCapEff) | (1 << kCapBnd);

// Reads the whole file `name` under `dir` into buf; its length, or -errno. A task's status and
// comm are single-record seq_files (single_open): the kernel formats the record whole and hands
// out as much as fits, so a read that leaves room in the buffer got all of it, and a file costs
// one read, not a second one to see end-of-file.
long ReadAll(int dir, const char* name, std::vector<char>* buf) {
  int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t len = 0;
  for (;;) {
    if (len == buf->size()) buf->resize(buf->size() * 2);
    ssize_t got = read(fd, buf->data() + len, buf->size() - len);
    if (got < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return -err;
    }
    len += static_cast<size_t>(got);
    if (got == 0 || len < buf->size()) break;
  }
  close(fd);
  return static_cast<long>(len);
}

// A cursor over one line's value.
struct Value {
  const char* at;
  const char* end;

  void SkipBlanks() { while (at < end && (*at == ' ' || *at == '\t')) at++; }
  bool Done() { SkipBlanks(); return at == end; }
  // A decimal that fits 32 bits, after blanks.
  bool Decimal(uint32_t* out) {
    SkipBlanks();
    uint64_t v = 0;
    const char* start = at;
    while (at < end && *at >= '0' && *at <= '9') {
      v = v * 10 + static_cast<uint64_t>(*at++ - '0');
      if (v > 0xffffffffu) return false;
    }
    *out = static_cast<uint32_t>(v);
    return at > start;
  }
  // The kernel prints each set as 16 hex digits (%016llx).
  bool Mask(uint64_t* out) {
    SkipBlanks();
    uint64_t v = 0;
    int digits = 0;
    for (; at < end && digits <= 16; at++, digits++) {
      char c = *at;
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) break;
      v = v << 4 | static_cast<uint64_t>(d);
    }
    *out = v;
    return digits >= 1 && digits <= 16;
  }
};

constexpr size_t Length(const char* s) { return *s == '\0' ? 0 : 1 + Length(s + 1); }

// Which of kStatusKeys `key` is, or -1: most of a status file's ~55 lines are keys we skip, so
// the first letter and the length rule out nearly all of them before any comparison.
int KeyOf(const char* key, size_t len) {
  static constexpr size_t kLengths[kStatusKeyCount] = {
      Length(kStatusKeys[0]), Length(kStatusKeys[1]), Length(kStatusKeys[2]), Length(kStatusKeys[3]),
      Length(kStatusKeys[4]), Length(kStatusKeys[5]), Length(kStatusKeys[6]), Length(kStatusKeys[7]),
      Length(kStatusKeys[8]), Length(kStatusKeys[9]), Length(kStatusKeys[10]), Length(kStatusKeys[11]),
      Length(kStatusKeys[12])};
  static_assert(kStatusKeyCount == 13, "kLengths lists every key");
  for (int k = 0; k < kStatusKeyCount; k++) {
    if (kLengths[k] == len && kStatusKeys[k][0] == key[0] && memcmp(kStatusKeys[k], key, len) == 0) return k;
  }
  return -1;
}

}  // namespace

// Parses one status file into the task's record; false (and the line and key in the record)
// if it is not one the kernel writes: a key twice, a value out of shape, a required key missing.
bool ParseTaskStatus(const char* text, size_t len, int tid, int32_t* w, uint64_t* m, const TaskBuffers& out, size_t* groups_used) {
  int seen = 0;
  int line = 0;
  w[kTaskThreads] = -1;
  auto malformed = [&](int at_line, int key) {
    w[kTaskErr] = kTaskMalformed;
    w[kTaskMalformedLine] = at_line;
    w[kTaskMalformedKey] = key;
    return false;
  };
  for (const char* p = text; p < text + len;) {
    const char* eol = static_cast<const char*>(memchr(p, '\n', static_cast<size_t>(text + len - p)));
    if (eol == nullptr) eol = text + len;
    line++;
    const char* colon = static_cast<const char*>(memchr(p, ':', static_cast<size_t>(eol - p)));
    int key = colon == nullptr ? -1 : KeyOf(p, static_cast<size_t>(colon - p));
    if (key >= 0) {
      if (seen & (1 << key)) return malformed(line, key);
      seen |= 1 << key;
      Value v{colon + 1, eol};
      uint32_t n = 0;
      bool ok = true;
      switch (key) {
        case kName:
          if (v.at < eol && *v.at == '\t') v.at++;
          if (eol - v.at >= 4 && memcmp(v.at, "iou-", 4) == 0) w[kTaskFlags] |= kTaskIoUring;
          break;
        case kPid:
          ok = v.Decimal(&n) && v.Done() && static_cast<int>(n) == tid;
          break;
        case kUid:
        case kGid: {
          int32_t* ids = &w[key == kUid ? kTaskUid : kTaskGid];
          for (int k = 0; k < 4 && ok; k++) ok = v.Decimal(&n) && (ids[k] = static_cast<int32_t>(n), true);
          ok = ok && v.Done();
          break;
        }
        case kGroups:
          w[kTaskGroupsAt] = static_cast<int32_t>(*groups_used);
          while (ok && !v.Done()) {
            ok = v.Decimal(&n);
            if (ok && *groups_used < out.group_capacity) out.groups[*groups_used] = n;
            if (ok) { (*groups_used)++; w[kTaskGroupsCount]++; }
          }
          break;
        case kCapInh: case kCapPrm: case kCapEff: case kCapBnd: case kCapAmb:
          ok = v.Mask(&m[key - kCapInh]) && v.Done();
          if (key == kCapAmb) w[kTaskFlags] |= kTaskHasAmbient;
          break;
        case kNoNewPrivs:
          ok = v.Decimal(&n) && v.Done() && n <= 1;
          w[kTaskFlags] |= kTaskHasNoNewPrivs | (n == 1 ? kTaskNoNewPrivs : 0);
          break;
        case kSeccomp:
          ok = v.Decimal(&n) && v.Done();
          w[kTaskSeccomp] = static_cast<int32_t>(n);
          w[kTaskFlags] |= kTaskHasSeccomp;
          break;
        case kThreads:
          // 0 is what the kernel writes for a task that has released its signal handlers
          // (task_sig() counts threads only under lock_task_sighand()): a task that has exited.
          ok = v.Decimal(&n) && v.Done() && n <= 0x7fffffff;
          w[kTaskThreads] = static_cast<int32_t>(n);
          break;
      }
      if (!ok) return malformed(line, key);
    }
    p = eol + 1;
  }
  for (int k = 0; k < kStatusKeyCount; k++) {
    if ((kRequired & (1 << k)) && !(seen & (1 << k))) return malformed(0, k);
  }
  // Exited while we looked, as if the file had gone (a thread that never runs again).
  if (w[kTaskThreads] == 0) w[kTaskErr] = -ESRCH;
  return true;
}

TaskCount ReadTasks(TaskReadMode mode, const TaskBuffers& out) {
  TaskCount count{0, 0, 0, -1, -1};
  int dir = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) { count.status = -errno; return count; }
  struct statfs fs;
  if (fstatfs(dir, &fs) != 0) count.status = -errno;
  else if (fs.f_type != kProcSuperMagic) count.status = kStatusNotProcfs;
  if (count.status != 0) {
    close(dir);
    return count;
  }
  std::vector<char> dirents(16384);
  std::vector<char> file(4096);
  for (;;) {
    long got = syscall(SYS_getdents64, dir, dirents.data(), dirents.size());
    if (got < 0) { count.status = -errno; break; }
    if (got == 0) break;
    for (long off = 0; off < got;) {
      int tid;
      off += DirentTid(dirents.data() + off, &tid);
      if (tid < 0) continue;
      size_t index = count.tasks++;
      if (index >= out.capacity) continue;
      int32_t* w = &out.words[index * kTaskWords];
      uint64_t* m = &out.masks[index * kTaskMasks];
      memset(w, 0, sizeof(int32_t) * kTaskWords);
      memset(m, 0, sizeof(uint64_t) * kTaskMasks);
      w[kTaskTid] = tid;
      char path[40];
      snprintf(path, sizeof path, "%d/%s", tid, mode == kReadComm ? "comm" : "status");
      long len = ReadAll(dir, path, &file);
      if (len < 0) { w[kTaskErr] = static_cast<int32_t>(len); continue; }
      if (mode == kReadComm) {
        if (len >= 4 && memcmp(file.data(), "iou-", 4) == 0) w[kTaskFlags] |= kTaskIoUring;
      } else {
        if (ParseTaskStatus(file.data(), static_cast<size_t>(len), tid, w, m, out, &count.groups) && w[kTaskThreads] > 0) {
          if (count.threads_before < 0) count.threads_before = w[kTaskThreads];
          count.threads_after = w[kTaskThreads];
        }
      }
    }
  }
  close(dir);
  return count;
}

}  // namespace caps
