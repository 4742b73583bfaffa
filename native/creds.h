// Single-thread credential syscalls and the credential-program runner.
// Everything here is plain C++ over raw syscalls, returns the kernel's result or -errno, and
// (except ReadGroups and SnapshotThread's group list) is async-signal-safe: the broadcast handler calls it.
#pragma once
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <vector>

#include "arch.h"
#include "wire.h"

namespace caps {


constexpr int kMaxSteps = 256;

struct Step {
  uint32_t code;
  uint32_t arg;
  uint64_t effective, permitted, inheritable;
};

struct Program {
  int count;
  Step steps[kMaxSteps];
};

// How a program runs: exactly as asked (the caller: the kernel's errno is the answer), or
// compare-then-apply (other threads: a step whose effect already holds is skipped).
enum class RunMode { kExact, kConverge };

struct ProgramResult {
  int index;  // first failed step, -1 when every step ran
  int err;    // -errno of that step, 0 on success
};

// Decodes `words` (count*8 u32) into `out`; false if malformed (unknown code, too long).
bool DecodeProgram(const uint32_t* words, size_t nwords, Program* out);

// Runs steps [first, count) in order; stops at the first failure (index into the whole program).
ProgramResult RunProgram(const Program& program, RunMode mode, int first = 0);

long RawPrctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
int Capget(uint64_t* effective, uint64_t* permitted, uint64_t* inheritable);
int Capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
int Gettid();
int Getpid();
int LastCap();  // highest cap the kernel knows (cached; probed with PR_CAPBSET_READ)

struct CapsSnapshot {
  uint64_t effective, permitted, inheritable, bounding, ambient;
};
// The kernel floor: one capget + (last+1) PR_CAPBSET_READ + ambient IS_SET for caps in P∩I.
int SnapshotCaps(CapsSnapshot* out);

struct IdsSnapshot {
  uint32_t uid[4];  // real, effective, saved, fs
  uint32_t gid[4];
};
int SnapshotIds(IdsSnapshot* out);

// Everything a snapshot reads from the kernel except the groups: 0 or -errno.
struct ThreadCreds {
  CapsSnapshot caps;
  IdsSnapshot ids;
  long securebits;
  long no_new_privs;
};
int ReadThreadCreds(ThreadCreds* out);

// Whether prctl `option` is a capability option the addon passes on (others: -EINVAL, no syscall).
bool IsCapabilityPrctl(int option);

// getgroups(2) into `buf` of `capacity` entries: the count, -EINVAL when the list is longer
// (capacity 0: just the count), or -errno. Async-signal-safe.
long ReadGroupsInto(uint32_t* buf, size_t capacity);
// The whole list, however long (retried while it grows between calls): the count, or -errno
// (-EAGAIN if it kept growing). Allocates: not for the signal handler.
long ReadGroups(std::vector<uint32_t>* out);

}  // namespace caps
