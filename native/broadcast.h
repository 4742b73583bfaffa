// Apply one credential program to every thread of the process (spec node-engineering §3–4):
// the caller first, then every other thread through one signal (33, glibc's SIGSETXID, or
// 34, musl's SIGSYNCCALL: the one each libc's sigfillset leaves unblocked), with our
// deliveries tagged SI_QUEUE + a per-broadcast cookie and our handler chained in front of
// libc's. /proc/self/task is swept with raw getdents64 until two consecutive clean passes;
// handlers park until the broadcast ends; a deadline bounds the wait.
#pragma once
#include "creds.h"

namespace caps {

constexpr int kMaxThreads = 4096;

// Refusals and failures of the machinery itself (status), besides -errno from the kernel.
constexpr int kStatusNotMainThread = -1001;
constexpr int kStatusTooManyThreads = -1002;
constexpr int kStatusNotProcfs = -1003;  // /proc/self/task is not on procfs (fstatfs)

struct ThreadReport {
  int tid;
  int index;  // failed step, -1 if the whole program ran
  int err;    // -errno, 0 on success
  int securebits;
  int keep_caps;
  int no_new_privs;
};

struct BroadcastOutcome {
  int status;         // 0, -EBUSY, kStatus*, or -errno of rt_sigaction / /proc/self/task
  int caller_index;   // the caller's failed step (-1 = ran); on failure nothing else was touched
  int caller_err;
  const ThreadReport* reports;  // threads that ran (static storage, valid until the next call)
  int report_count;
  const int* unreported;        // TIDs listed in the last sweep that never reported
  int unreported_count;
  long long elapsed_ns;
  int sweeps;
  int signalled;
};

// Runs `program` on the calling (main) thread, then on every other thread. The caller skips
// the first `caller_skip` steps (the convergence prefix: bringing the others to the caller's
// state is a no-op on the caller). Not reentrant: a concurrent call gets status -EBUSY.
// Never rolls back.
void Broadcast(const Program& program, int deadline_ms, int caller_skip, BroadcastOutcome* out);

// The broadcast's signal: 33 unless set. SetBroadcastSignal returns 0, -EINVAL outside 32..64,
// or -EBUSY for another signal once a broadcast has installed its handler.
int BroadcastSignal();
int SetBroadcastSignal(int sig);

struct HandlerInfo {
  bool installed;
  bool chained;            // a previous handler (libc's) is called for deliveries that are not ours
  unsigned long previous_flags;
};
HandlerInfo GetHandlerInfo();

// Test only: a thread that blocks the broadcast's signal with a raw rt_sigprocmask (spec §1.2 E6c).
int TestStartBlockingThread();
void TestStopBlockingThread();
// Test only: puts the saved previous (libc's) action back, as musl's sigaction would replace
// ours (spec §3.1), so the next broadcast must notice and re-install. 0 or -errno.
int TestRestorePreviousHandler();

}  // namespace caps
