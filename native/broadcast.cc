// The all-threads broadcast (see broadcast.h and spec node-engineering §3–4).
//
// Async-signal-safety: the handler and everything it calls use raw syscalls, static storage
// and atomics only (no malloc, no locks, no stdio, no errno left changed). The main thread,
// while other threads may be parked in the handler, also uses only raw syscalls and static
// buffers: a parked thread may hold malloc's or a dirstream's lock.
#include "broadcast.h"
#include "procfs.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>

#include <atomic>
#include <climits>

namespace caps {

namespace {

// The signal every other thread is reached through: chosen per libc in TypeScript
// (lib/backend/native/broadcast-signal.ts) before the first broadcast; glibc's 33 by default.
std::atomic<int> g_signal{33};
std::atomic<bool> g_signal_used{false};
constexpr int kTableSize = 2 * kMaxThreads;

enum SlotState : uint32_t { kNew = 1, kSent = 2, kDone = 3, kGone = 4 };

struct Slot {
  std::atomic<uint32_t> generation;  // == current generation: slot in use
  std::atomic<int32_t> tid;
  std::atomic<uint32_t> state;
  int index, err, securebits, keep_caps, no_new_privs;  // written by the handler before kDone
  int seen_in_sweep;                                    // main thread only
  bool vanished;                                        // main thread only: reported, then left the listing
};

Slot g_slots[kTableSize];
int g_used[kMaxThreads];  // slot indices in use this generation (main thread only)
int g_used_count;

Program g_program;
std::atomic<bool> g_active{false};
std::atomic<uint32_t> g_generation{0};
std::atomic<uint64_t> g_cookie{0};
std::atomic<int> g_park{0};   // == generation while handlers must stay parked (futex word)
std::atomic<int> g_acks{0};   // bumped by every report (futex word the main thread waits on)
std::atomic<bool> g_busy{false};
std::atomic<int> g_inflight{0};  // handlers between "is this ours?" and leaving (see Broadcast)
std::atomic<int> g_quiescing{0};  // 1 while Broadcast waits for g_inflight to reach 0
int g_pid;
uint32_t g_cookie_tag;  // random high half of every cookie: tells stale deliveries of ours apart

KernelSigaction g_previous;
std::atomic<bool> g_chained{false};

ThreadReport g_reports[kMaxThreads];
int g_unreported[kMaxThreads];
int g_listed[kMaxThreads];
alignas(8) char g_dirbuf[32768];

#if defined(__x86_64__)
// Returns from a signal handler: rt_sigreturn (15). Used only if libc's action had no restorer.
__asm__(
    ".text\n"
    ".align 16\n"
    ".hidden linux_caps_restore_rt\n"
    "linux_caps_restore_rt:\n"
    "  mov $15, %rax\n"
    "  syscall\n");
#endif

long Futex(std::atomic<int>* word, int op, int value, const timespec* timeout) {
  return RawSyscall(SYS_futex, reinterpret_cast<long>(word), op, value, reinterpret_cast<long>(timeout), 0, 0);
}

long long NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

unsigned SlotHash(int tid) { return (static_cast<unsigned>(tid) * 2654435761u) % kTableSize; }

Slot* FindSlot(int tid, uint32_t generation) {
  for (unsigned i = SlotHash(tid), n = 0; n < kTableSize; i = (i + 1) % kTableSize, n++) {
    Slot& s = g_slots[i];
    if (s.generation.load(std::memory_order_acquire) != generation) return nullptr;
    if (s.tid.load(std::memory_order_relaxed) == tid) return &s;
  }
  return nullptr;
}

// Main thread only. Entries are never removed within a generation, so a handler probing
// concurrently always finds its (already published) entry.
Slot* FindOrInsertSlot(int tid, uint32_t generation) {
  for (unsigned i = SlotHash(tid), n = 0; n < kTableSize; i = (i + 1) % kTableSize, n++) {
    Slot& s = g_slots[i];
    if (s.generation.load(std::memory_order_relaxed) != generation) {
      if (g_used_count >= kMaxThreads) return nullptr;
      s.tid.store(tid, std::memory_order_relaxed);
      s.state.store(kNew, std::memory_order_relaxed);
      s.seen_in_sweep = 0;
      s.vanished = false;
      s.generation.store(generation, std::memory_order_release);
      g_used[g_used_count++] = static_cast<int>(i);
      return &s;
    }
    if (s.tid.load(std::memory_order_relaxed) == tid) return &s;
  }
  return nullptr;
}

void RunDelivery(uint32_t generation) {
  Slot* slot = FindSlot(Gettid(), generation);
  if (slot == nullptr) return;
  if (slot->state.load(std::memory_order_acquire) != kDone) {
    ProgramResult r = RunProgram(g_program, RunMode::kConverge);
    slot->index = r.index;
    slot->err = r.err;
    slot->securebits = static_cast<int>(RawPrctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
    slot->keep_caps = static_cast<int>(RawPrctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    slot->no_new_privs = static_cast<int>(RawPrctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    slot->state.store(kDone, std::memory_order_release);
    g_acks.fetch_add(1, std::memory_order_release);
    Futex(&g_acks, FUTEX_WAKE_PRIVATE, 1, nullptr);
  }
  // Park until the broadcast ends, so a switched thread cannot clone children that the sweep
  // would have to chase (spec §2.3, psx). The timeout only bounds a lost wake-up.
  const timespec tick = {0, 50 * 1000 * 1000};
  while (g_park.load(std::memory_order_acquire) == static_cast<int>(generation)) {
    Futex(&g_park, FUTEX_WAIT_PRIVATE, static_cast<int>(generation), &tick);
  }
}

void ChainToPrevious(int sig, siginfo_t* info, void* context) {
  if (!g_chained.load(std::memory_order_acquire)) return;
  void* h = g_previous.handler;
  if (h == reinterpret_cast<void*>(SIG_DFL) || h == reinterpret_cast<void*>(SIG_IGN)) return;
  if (g_previous.flags & SA_SIGINFO) {
    reinterpret_cast<void (*)(int, siginfo_t*, void*)>(h)(sig, info, context);
  } else {
    reinterpret_cast<void (*)(int)>(h)(sig);
  }
}

extern "C" void linux_caps_signal_handler(int sig, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  const bool queued_by_us = info != nullptr && info->si_code == SI_QUEUE && info->si_pid == g_pid;
  const uint64_t cookie = queued_by_us ? reinterpret_cast<uint64_t>(info->si_value.sival_ptr) : 0;
  if (queued_by_us && static_cast<uint32_t>(cookie >> 32) == g_cookie_tag) {
    // Ours: act only on the current broadcast; a stale delivery (earlier generation, still
    // pending on a thread that had the signal blocked) is dropped, never passed to libc. Counted in
    // g_inflight *before* the check (seq_cst, paired with Broadcast's quiescence wait), so the
    // main thread never rewrites g_program under a handler that is reading it.
    g_inflight.fetch_add(1, std::memory_order_seq_cst);
    if (g_active.load(std::memory_order_seq_cst) && cookie == g_cookie.load(std::memory_order_seq_cst)) {
      RunDelivery(static_cast<uint32_t>(cookie));
    }
    // The last handler out wakes a broadcast waiting to start (seq_cst with its wait: either it
    // sees g_quiescing, or the waiter sees g_inflight at 0 and does not sleep).
    if (g_inflight.fetch_sub(1, std::memory_order_seq_cst) == 1 && g_quiescing.load(std::memory_order_seq_cst)) {
      Futex(&g_inflight, FUTEX_WAKE_PRIVATE, 1, nullptr);
    }
  } else {
    ChainToPrevious(sig, info, context);
  }
  errno = saved_errno;
}

// Installs our handler in front of the current one (libc's), or confirms it is still there
// (musl, or anyone, may have replaced it since: spec §3.1). Raw rt_sigaction: glibc's
// sigaction refuses signal 33, musl's refuses 34.
int EnsureHandler() {
  g_signal_used.store(true, std::memory_order_relaxed);
  KernelSigaction current;
  long r = RawSyscall(SYS_rt_sigaction, BroadcastSignal(), 0, reinterpret_cast<long>(&current), 8);
  if (r < 0) return static_cast<int>(r);
  if (current.handler == reinterpret_cast<void*>(&linux_caps_signal_handler)) return 0;
  KernelSigaction ours = current;
  ours.handler = reinterpret_cast<void*>(&linux_caps_signal_handler);
  ours.flags = (current.flags | SA_SIGINFO | SA_ONSTACK | SA_RESTART) & ~static_cast<unsigned long>(SA_RESETHAND | SA_NODEFER);
  if (kHandlerNeedsRestorer && !(current.flags & kSaRestorer)) {
    ours.flags |= kSaRestorer;
    ours.restorer = kRestorer;
  }
  // Publish the handler we chain to before ours can run.
  g_chained.store(false, std::memory_order_release);
  g_previous = current;
  g_chained.store(true, std::memory_order_release);
  r = RawSyscall(SYS_rt_sigaction, BroadcastSignal(), reinterpret_cast<long>(&ours), 0, 8);
  return static_cast<int>(r);
}

// Lists /proc/self/task into g_listed with raw open + getdents64 (no opendir: no malloc).
int ListTasks(int* count) {
  long fd = RawSyscall(SYS_openat, AT_FDCWD, reinterpret_cast<long>("/proc/self/task"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return static_cast<int>(fd);
  int n = 0;
  int status = 0;
  // Only procfs lists the kernel's threads: a tmpfs or bind mount over /proc would hide some
  // from the sweep (DESIGN "/proc is authenticated").
  struct statfs fs;
  long rc = RawSyscall(SYS_fstatfs, fd, reinterpret_cast<long>(&fs));
  if (rc < 0 || fs.f_type != kProcSuperMagic) {
    RawSyscall(SYS_close, fd);
    return rc < 0 ? static_cast<int>(rc) : kStatusNotProcfs;
  }
  for (;;) {
    long got = RawSyscall(SYS_getdents64, fd, reinterpret_cast<long>(g_dirbuf), sizeof g_dirbuf);
    if (got < 0) { status = static_cast<int>(got); break; }
    if (got == 0) break;
    for (long off = 0; off < got;) {
      int tid;
      off += DirentTid(g_dirbuf + off, &tid);
      if (tid >= 0) {
        if (n >= kMaxThreads) { status = kStatusTooManyThreads; break; }
        g_listed[n++] = tid;
      }
    }
    if (status != 0) break;
  }
  RawSyscall(SYS_close, fd);
  *count = n;
  return status;
}

int SendTo(int tid, uint64_t cookie) {
  siginfo_t si;
  __builtin_memset(&si, 0, sizeof si);
  si.si_signo = BroadcastSignal();
  si.si_code = SI_QUEUE;
  si.si_pid = g_pid;
  si.si_uid = static_cast<uid_t>(RawSyscall(SYS_getuid));
  si.si_value.sival_ptr = reinterpret_cast<void*>(cookie);
  return static_cast<int>(RawSyscall(SYS_rt_tgsigqueueinfo, g_pid, tid, BroadcastSignal(), reinterpret_cast<long>(&si)));
}

// The sweep (spec §4.2 steps 3–5). Returns 0, or a status that ends the broadcast early.
int Sweep(uint32_t generation, uint64_t cookie, long long deadline_ns, int self, BroadcastOutcome* out) {
  int clean_runs = 0;
  for (int sweep = 1;; sweep++) {
    out->sweeps = sweep;
    const int acks_before = g_acks.load(std::memory_order_acquire);
    int count = 0;
    int status = ListTasks(&count);
    if (status != 0) return status;
    bool clean = true;
    for (int k = 0; k < count; k++) {
      const int tid = g_listed[k];
      if (tid == self) continue;
      Slot* slot = FindOrInsertSlot(tid, generation);
      if (slot == nullptr) return kStatusTooManyThreads;
      slot->seen_in_sweep = sweep;
      uint32_t state = slot->state.load(std::memory_order_acquire);
      if (state == kGone || (state == kDone && slot->vanished)) {
        // The TID came back after its thread left: a new thread reusing it (it may have been
        // cloned by a thread that had not switched yet), so it is signalled like any other.
        slot->state.store(kNew, std::memory_order_relaxed);
        slot->vanished = false;
        state = kNew;
      }
      if (state == kDone) continue;
      clean = false;
      if (state != kNew) continue;
      slot->state.store(kSent, std::memory_order_release);
      int r = SendTo(tid, cookie);
      uint32_t expected = kSent;
      if (r == -ESRCH) slot->state.compare_exchange_strong(expected, kGone);
      else if (r == -EAGAIN) slot->state.compare_exchange_strong(expected, kNew);  // RT queue full: next sweep
      else if (r < 0) return r;
      else out->signalled++;
    }
    // Signalled threads missing from this listing have exited.
    for (int k = 0; k < g_used_count; k++) {
      Slot& s = g_slots[g_used[k]];
      if (s.seen_in_sweep == sweep) continue;
      if (s.state.load(std::memory_order_acquire) == kDone) s.vanished = true;
      uint32_t expected = kSent;
      s.state.compare_exchange_strong(expected, kGone);
      expected = kNew;
      s.state.compare_exchange_strong(expected, kGone);
    }
    // Two consecutive clean sweeps: a thread alive during the second one was listed and had
    // reported; a thread born later was cloned by a reported thread, which is parked (§4.2).
    if (clean) {
      if (++clean_runs >= 2) return 0;
      continue;
    }
    clean_runs = 0;
    const long long now = NowNs();
    if (now >= deadline_ns) return 0;
    long long wait_ns = deadline_ns - now;
    if (wait_ns > 1000000) wait_ns = 1000000;
    const timespec timeout = {0, static_cast<long>(wait_ns)};
    Futex(&g_acks, FUTEX_WAIT_PRIVATE, acks_before, &timeout);
  }
}

void Collect(int last_sweep, BroadcastOutcome* out) {
  int reports = 0, unreported = 0;
  for (int k = 0; k < g_used_count; k++) {
    Slot& s = g_slots[g_used[k]];
    const uint32_t state = s.state.load(std::memory_order_acquire);
    const int tid = s.tid.load(std::memory_order_relaxed);
    if (state == kDone) {
      g_reports[reports++] = {tid, s.index, s.err, s.securebits, s.keep_caps, s.no_new_privs};
    } else if (state != kGone && s.seen_in_sweep == last_sweep) {
      g_unreported[unreported++] = tid;
    }
  }
  out->reports = g_reports;
  out->report_count = reports;
  out->unreported = g_unreported;
  out->unreported_count = unreported;
}

uint32_t RandomTag() {
  uint32_t tag = 0;
  if (RawSyscall(SYS_getrandom, reinterpret_cast<long>(&tag), sizeof tag, 0) != sizeof tag || tag == 0) {
    tag = static_cast<uint32_t>(NowNs()) | 1u;
  }
  return tag;
}

}  // namespace

int BroadcastSignal() { return g_signal.load(std::memory_order_relaxed); }

int SetBroadcastSignal(int sig) {
  if (sig < 32 || sig > 64) return -EINVAL;
  if (sig == BroadcastSignal()) return 0;
  if (g_signal_used.load(std::memory_order_relaxed)) return -EBUSY;
  g_signal.store(sig, std::memory_order_relaxed);
  return 0;
}

void Broadcast(const Program& program, int deadline_ms, int caller_skip, BroadcastOutcome* out) {
  *out = BroadcastOutcome{};
  out->caller_index = -1;
  if (!kBroadcastPort) {  // arch.h: no sigaction layout known here (TypeScript refuses first)
    out->status = -ENOSYS;
    return;
  }
  if (g_busy.exchange(true, std::memory_order_acq_rel)) {
    out->status = -EBUSY;
    return;
  }
  const long long started = NowNs();
  g_pid = Getpid();
  const int self = Gettid();
  if (self != g_pid) {
    out->status = kStatusNotMainThread;
    g_busy.store(false, std::memory_order_release);
    return;
  }
  if (g_cookie_tag == 0) g_cookie_tag = RandomTag();
  // Everything that could refuse is checked before the caller changes (fail before, not after).
  int status = EnsureHandler();
  int listed = 0;
  if (status == 0) status = ListTasks(&listed);
  // Handlers of the previous broadcast (late deliveries, parked ones on their way out) must be
  // gone before g_program is rewritten; they leave within microseconds once g_active is false,
  // and the last one out wakes us (a sleep of fixed length here cost a whole nap per call).
  g_quiescing.store(1, std::memory_order_seq_cst);
  for (int inflight; status == 0 && (inflight = g_inflight.load(std::memory_order_seq_cst)) != 0;) {
    if (NowNs() - started > 200000000LL) {
      status = -EBUSY;
      break;
    }
    const timespec tick = {0, 100000};
    Futex(&g_inflight, FUTEX_WAIT_PRIVATE, inflight, &tick);
  }
  g_quiescing.store(0, std::memory_order_seq_cst);
  if (status != 0) {
    out->status = status;
    g_busy.store(false, std::memory_order_release);
    return;
  }
  // 1. The caller first: if the kernel refuses here, no other thread is touched (§4.2).
  ProgramResult mine = RunProgram(program, RunMode::kExact, caller_skip);
  if (mine.index >= 0) {
    out->caller_index = mine.index;
    out->caller_err = mine.err;
    out->elapsed_ns = NowNs() - started;
    g_busy.store(false, std::memory_order_release);
    return;
  }
  // 2. Publish the program, then a new generation and cookie, then go active.
  g_program = program;
  const uint32_t generation = g_generation.fetch_add(1, std::memory_order_acq_rel) + 1;
  const uint64_t cookie = (static_cast<uint64_t>(g_cookie_tag) << 32) | generation;
  g_used_count = 0;
  g_park.store(static_cast<int>(generation), std::memory_order_release);
  g_cookie.store(cookie, std::memory_order_release);
  g_active.store(true, std::memory_order_seq_cst);

  const long long deadline = started + static_cast<long long>(deadline_ms) * 1000000LL;
  out->status = Sweep(generation, cookie, deadline, self, out);
  Collect(out->sweeps, out);

  // 3. End: late deliveries are ignored from here on, parked handlers leave.
  g_active.store(false, std::memory_order_seq_cst);
  g_park.store(0, std::memory_order_release);
  Futex(&g_park, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr);
  out->elapsed_ns = NowNs() - started;
  g_busy.store(false, std::memory_order_release);
}

HandlerInfo GetHandlerInfo() {
  KernelSigaction current;
  HandlerInfo info = {false, false, 0};
  if (RawSyscall(SYS_rt_sigaction, BroadcastSignal(), 0, reinterpret_cast<long>(&current), 8) < 0) return info;
  info.installed = current.handler == reinterpret_cast<void*>(&linux_caps_signal_handler);
  info.chained = info.installed && g_chained.load(std::memory_order_acquire) &&
                 g_previous.handler != reinterpret_cast<void*>(SIG_DFL) &&
                 g_previous.handler != reinterpret_cast<void*>(SIG_IGN);
  info.previous_flags = g_previous.flags;
  return info;
}

// ---- test only ----

namespace {
std::atomic<int> g_test_tid{0};
std::atomic<bool> g_test_stop{false};
pthread_t g_test_thread;
bool g_test_running = false;

void* BlockingThreadMain(void*) {
  // glibc's pthread_sigmask strips 33 from any mask; a raw rt_sigprocmask does not (§1.2 E6c).
  uint64_t block = 1ULL << (BroadcastSignal() - 1);
  RawSyscall(SYS_rt_sigprocmask, SIG_BLOCK, reinterpret_cast<long>(&block), 0, 8);
  g_test_tid.store(Gettid(), std::memory_order_release);
  const timespec nap = {0, 5 * 1000 * 1000};
  while (!g_test_stop.load(std::memory_order_acquire)) nanosleep(&nap, nullptr);
  return nullptr;
}
}  // namespace

int TestStartBlockingThread() {
  if (g_test_running) return g_test_tid.load();
  g_test_stop.store(false);
  g_test_tid.store(0);
  if (pthread_create(&g_test_thread, nullptr, BlockingThreadMain, nullptr) != 0) return -EAGAIN;
  g_test_running = true;
  while (g_test_tid.load(std::memory_order_acquire) == 0) sched_yield();
  return g_test_tid.load();
}

int TestRestorePreviousHandler() {
  if (!g_chained.load(std::memory_order_acquire)) return -ENOENT;
  KernelSigaction previous = g_previous;
  return static_cast<int>(RawSyscall(SYS_rt_sigaction, BroadcastSignal(), reinterpret_cast<long>(&previous), 0, 8));
}

void TestStopBlockingThread() {
  if (!g_test_running) return;
  g_test_stop.store(true, std::memory_order_release);
  pthread_join(g_test_thread, nullptr);
  g_test_running = false;
}

}  // namespace caps
