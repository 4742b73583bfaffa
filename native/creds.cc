// Single-thread credential syscalls, the snapshot and the program runner (see creds.h).
#include "creds.h"

#include <linux/capability.h>
#include <linux/prctl.h>
#include <sys/syscall.h>

#include <atomic>

namespace caps {

namespace {

std::atomic<int> g_last_cap{-1};

inline bool Has(uint64_t mask, int cap) { return ((mask >> cap) & 1u) != 0; }

}  // namespace

long RawPrctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
  return RawSyscall(SYS_prctl, option, static_cast<long>(a2), static_cast<long>(a3), static_cast<long>(a4),
                    static_cast<long>(a5));
}

int Gettid() { return static_cast<int>(RawSyscall(SYS_gettid)); }
int Getpid() { return static_cast<int>(RawSyscall(SYS_getpid)); }

int Capget(uint64_t* effective, uint64_t* permitted, uint64_t* inheritable) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  long r = RawSyscall(SYS_capget, reinterpret_cast<long>(&header), reinterpret_cast<long>(data));
  if (r < 0) return static_cast<int>(r);
  *effective = data[0].effective | (static_cast<uint64_t>(data[1].effective) << 32);
  *permitted = data[0].permitted | (static_cast<uint64_t>(data[1].permitted) << 32);
  *inheritable = data[0].inheritable | (static_cast<uint64_t>(data[1].inheritable) << 32);
  return 0;
}

int Capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
  __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2];
  data[0].effective = static_cast<uint32_t>(effective);
  data[0].permitted = static_cast<uint32_t>(permitted);
  data[0].inheritable = static_cast<uint32_t>(inheritable);
  data[1].effective = static_cast<uint32_t>(effective >> 32);
  data[1].permitted = static_cast<uint32_t>(permitted >> 32);
  data[1].inheritable = static_cast<uint32_t>(inheritable >> 32);
  return static_cast<int>(RawSyscall(SYS_capset, reinterpret_cast<long>(&header), reinterpret_cast<long>(data)));
}

int LastCap() {
  int cached = g_last_cap.load(std::memory_order_relaxed);
  if (cached >= 0) return cached;
  // PR_CAPBSET_READ answers EINVAL exactly for caps above CAP_LAST_CAP (kernel-semantics §2.5).
  int lo = 0, hi = 63;
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (RawPrctl(PR_CAPBSET_READ, mid, 0, 0, 0) == -EINVAL) hi = mid - 1;
    else lo = mid;
  }
  g_last_cap.store(lo, std::memory_order_relaxed);
  return lo;
}

int SnapshotCaps(CapsSnapshot* out) {
  int r = Capget(&out->effective, &out->permitted, &out->inheritable);
  if (r < 0) return r;
  const int last = LastCap();
  out->bounding = 0;
  out->ambient = 0;
  for (int cap = 0; cap <= last; cap++) {
    long in = RawPrctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in < 0) return static_cast<int>(in);
    if (in == 1) out->bounding |= 1ULL << cap;
  }
  // The ambient set is always a subset of P ∩ I (kernel-semantics §2.1): ask only there.
  const uint64_t candidates = out->permitted & out->inheritable;
  for (int cap = 0; cap <= last; cap++) {
    if (!Has(candidates, cap)) continue;
    long set = RawPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
    if (set < 0) return static_cast<int>(set);
    if (set == 1) out->ambient |= 1ULL << cap;
  }
  return 0;
}

int SnapshotIds(IdsSnapshot* out) {
  unsigned int r, e, s;
  long rc = RawSyscall(SYS_getresuid, reinterpret_cast<long>(&r), reinterpret_cast<long>(&e), reinterpret_cast<long>(&s));
  if (rc < 0) return static_cast<int>(rc);
  out->uid[0] = r, out->uid[1] = e, out->uid[2] = s;
  // setfsuid(-1) changes nothing (-1 is never a valid id) and returns the current fsuid.
  out->uid[3] = static_cast<uint32_t>(RawSyscall(SYS_setfsuid, -1));
  rc = RawSyscall(SYS_getresgid, reinterpret_cast<long>(&r), reinterpret_cast<long>(&e), reinterpret_cast<long>(&s));
  if (rc < 0) return static_cast<int>(rc);
  out->gid[0] = r, out->gid[1] = e, out->gid[2] = s;
  out->gid[3] = static_cast<uint32_t>(RawSyscall(SYS_setfsgid, -1));
  return 0;
}

bool DecodeProgram(const uint32_t* words, size_t nwords, Program* out) {
  if (nwords % kWordsPerStep != 0 || nwords / kWordsPerStep > static_cast<size_t>(kMaxSteps)) return false;
  out->count = static_cast<int>(nwords / kWordsPerStep);
  for (int i = 0; i < out->count; i++) {
    const uint32_t* w = words + i * kWordsPerStep;
    if (w[0] < kOpCapset || w[0] > kOpConvergeNoNewPrivs) return false;
    Step& step = out->steps[i];
    step.code = w[0];
    step.arg = w[1];
    step.effective = w[2] | (static_cast<uint64_t>(w[3]) << 32);
    step.permitted = w[4] | (static_cast<uint64_t>(w[5]) << 32);
    step.inheritable = w[6] | (static_cast<uint64_t>(w[7]) << 32);
  }
  return true;
}

namespace {

// In converge mode a step whose effect already holds is skipped: a thread that was already
// in the target state (or got a repeated delivery) must not fail on, say, dropping a
// bounding cap again after CAP_SETPCAP left its effective set.
bool AlreadyHolds(const Step& step) {
  switch (step.code) {
    case kOpBoundingDrop: return RawPrctl(PR_CAPBSET_READ, step.arg, 0, 0, 0) == 0;
    case kOpAmbientRaise: return RawPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, step.arg, 0, 0) == 1;
    case kOpAmbientLower: return RawPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, step.arg, 0, 0) == 0;
    case kOpSecurebitsSet: return RawPrctl(PR_GET_SECUREBITS, 0, 0, 0, 0) == static_cast<long>(step.arg);
    case kOpKeepCapsSet: return RawPrctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == static_cast<long>(step.arg);
    case kOpNoNewPrivsSet: return RawPrctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
    default: return false;  // capset and ambient clear are absolute: always apply
  }
}

long RunStep(const Step& step) {
  switch (step.code) {
    case kOpCapset: return Capset(step.effective, step.permitted, step.inheritable);
    case kOpBoundingDrop: return RawPrctl(PR_CAPBSET_DROP, step.arg, 0, 0, 0);
    case kOpAmbientRaise: return RawPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, step.arg, 0, 0);
    case kOpAmbientLower: return RawPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, step.arg, 0, 0);
    case kOpAmbientClear: return RawPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    case kOpSecurebitsSet: return RawPrctl(PR_SET_SECUREBITS, step.arg, 0, 0, 0);
    case kOpKeepCapsSet: return RawPrctl(PR_SET_KEEPCAPS, step.arg, 0, 0, 0);
    case kOpNoNewPrivsSet: return RawPrctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    default: return -EINVAL;
  }
}

long Converge(const Step& step) {
  const int last = LastCap();
  switch (step.code) {
    case kOpConvergeSecurebits: {
      long sb = RawPrctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
      if (sb < 0 || sb == static_cast<long>(step.arg)) return sb < 0 ? sb : 0;
      return RawPrctl(PR_SET_SECUREBITS, step.arg, 0, 0, 0);
    }
    case kOpConvergeBounding:
      for (int cap = 0; cap <= last; cap++) {
        if (Has(step.effective, cap)) continue;
        long in = RawPrctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in < 0) return in;
        if (in == 1) {
          long r = RawPrctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
          if (r < 0) return r;
        }
      }
      return 0;
    case kOpConvergeCaps: {
      uint64_t e, p, i;
      int r = Capget(&e, &p, &i);
      if (r < 0) return r;
      if (e == step.effective && p == step.permitted && i == step.inheritable) return 0;
      return Capset(step.effective, step.permitted, step.inheritable);
    }
    case kOpConvergeAmbient: {
      uint64_t e, p, i;
      int r = Capget(&e, &p, &i);
      if (r < 0) return r;
      for (int cap = 0; cap <= last; cap++) {
        const bool want = Has(step.effective, cap);
        // Only caps in P ∩ I can be ambient (kernel-semantics §2.1): ask only there.
        const bool have = Has(p & i, cap) && RawPrctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1;
        if (want == have) continue;
        long rc = RawPrctl(PR_CAP_AMBIENT, want ? PR_CAP_AMBIENT_RAISE : PR_CAP_AMBIENT_LOWER, cap, 0, 0);
        if (rc < 0) return rc;
      }
      return 0;
    }
    case kOpConvergeNoNewPrivs:
      if (RawPrctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) return 0;
      return RawPrctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    default:
      return -EINVAL;
  }
}

}  // namespace

ProgramResult RunProgram(const Program& program, RunMode mode, int first) {
  for (int i = first < 0 ? 0 : first; i < program.count; i++) {
    const Step& step = program.steps[i];
    long r;
    if (step.code >= kOpConvergeSecurebits) {
      r = Converge(step);
    } else {
      if (mode == RunMode::kConverge && AlreadyHolds(step)) continue;
      r = RunStep(step);
    }
    if (r < 0) return {i, static_cast<int>(r)};
  }
  return {-1, 0};
}

int ReadThreadCreds(ThreadCreds* out) {
  int r = SnapshotCaps(&out->caps);
  if (r == 0) r = SnapshotIds(&out->ids);
  out->securebits = RawPrctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  out->no_new_privs = RawPrctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  if (r == 0 && out->securebits < 0) r = static_cast<int>(out->securebits);
  if (r == 0 && out->no_new_privs < 0) r = static_cast<int>(out->no_new_privs);
  return r;
}

bool IsCapabilityPrctl(int option) {
  switch (option) {
    case PR_GET_KEEPCAPS: case PR_SET_KEEPCAPS: case PR_CAPBSET_READ: case PR_CAPBSET_DROP:
    case PR_GET_SECUREBITS: case PR_SET_SECUREBITS: case PR_SET_NO_NEW_PRIVS: case PR_GET_NO_NEW_PRIVS:
    case PR_CAP_AMBIENT:
      return true;
    default:
      return false;
  }
}

long ReadGroupsInto(uint32_t* buf, size_t capacity) {
  return RawSyscall(SYS_getgroups, static_cast<long>(capacity), reinterpret_cast<long>(buf));
}

long ReadGroups(std::vector<uint32_t>* out) {
  for (int attempt = 0; attempt < 4; attempt++) {
    long n = ReadGroupsInto(nullptr, 0);
    if (n < 0) return n;
    out->resize(static_cast<size_t>(n) + 1);
    long got = ReadGroupsInto(out->data(), out->size());
    if (got == -EINVAL) continue;  // the list grew between the calls
    if (got >= 0) out->resize(static_cast<size_t>(got));
    return got;
  }
  return -EAGAIN;
}

}  // namespace caps
