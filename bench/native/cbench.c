// C baselines for bench/native/run.mjs: the same kernel work as the addon, timed the same way.
//
//   cbench capget                  one capget v3 (pid 0) round trip
//   cbench gettid                  one gettid syscall (the cheapest call; shows Node-API's own cost)
//   cbench snapshot-floor          capget + (last+1) PR_CAPBSET_READ + AMBIENT_IS_SET for P∩I
//   cbench snapshot-libcap         libcap: cap_get_proc() + cap_iab_get_proc() (+ their frees)
//   cbench broadcast N [verify]    capset(current state) on the caller, then on every other
//                                  thread of a process of N threads (N-1 idle pthreads) by a
//                                  queued real-time signal; with `verify`, then read every
//                                  /proc/self/task/<tid>/status and compare the cap lines
//   cbench broadcast N park [verify]  the same per-thread syscalls as the addon's handler: capset,
//                                  read back securebits/keepcaps/no_new_privs (3 prctl), ack with a
//                                  futex wake, then park on a futex until the caller ends the
//                                  broadcast (one more wake-up per thread)
//   cbench broadcast N park verify precheck  first the io_uring pre-check caps.set() makes before
//                                  anything changes: read every /proc/self/task/<tid>/comm and
//                                  refuse a task named iou-* (io_uring workers run no signal handler)
//   cbench verify N                only that /proc read-and-compare of every thread
//
// Prints one JSON line: {"op", "threads", "medianNs", "samples", "batch"}.
// Timing: warm-up first, then `samples` batches of `batch` operations; the median of the
// per-operation times is reported (the JS side uses the same scheme and constants). Batches
// are short (~0.1-0.3 ms) so that most fit in one time slice on a loaded machine; the median
// then ignores the batches that were preempted.
//
// The signal is SIGRTMIN+2 (36 on glibc), not 33: glibc's sigaction refuses 33 (its
// SIGSETXID), and this process has no thread that blocks real-time signals, so delivery
// costs the same. It is queued with rt_tgsigqueueinfo (SI_QUEUE + a cookie), as the addon does.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_TIDS 4096

static int samples = 51;
static int batch = 1000;
static int warmup = 2000;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static int last_cap(void) {
  FILE* f = fopen("/proc/sys/kernel/cap_last_cap", "r");
  int last = 40;
  if (f) {
    if (fscanf(f, "%d", &last) != 1) last = 40;
    fclose(f);
  }
  return last;
}

static int lastcap;

// ---- the operations -------------------------------------------------------------------------

static int op_capget(uint64_t out[3]) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &hdr, data) != 0) return -errno;
  out[0] = data[0].effective | ((uint64_t)data[1].effective << 32);
  out[1] = data[0].permitted | ((uint64_t)data[1].permitted << 32);
  out[2] = data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
  return 0;
}

static int op_capset(uint64_t e, uint64_t p, uint64_t i) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {
      {(uint32_t)e, (uint32_t)p, (uint32_t)i},
      {(uint32_t)(e >> 32), (uint32_t)(p >> 32), (uint32_t)(i >> 32)},
  };
  return syscall(SYS_capset, &hdr, data) == 0 ? 0 : -errno;
}

static volatile uint64_t sink;

static void snapshot_floor(void) {
  uint64_t epi[3], bounding = 0, ambient = 0;
  if (op_capget(epi) != 0) abort();
  for (int c = 0; c <= lastcap; c++)
    if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1) bounding |= 1ull << c;
  uint64_t candidates = epi[1] & epi[2];
  for (int c = 0; c <= lastcap; c++)
    if ((candidates >> c & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1) ambient |= 1ull << c;
  sink = epi[0] ^ bounding ^ ambient;
}

static void snapshot_libcap(void) {
  cap_t caps = cap_get_proc();
  cap_iab_t iab = cap_iab_get_proc();
  if (!caps || !iab) abort();
  sink = (uint64_t)(uintptr_t)caps ^ (uint64_t)(uintptr_t)iab;
  cap_free(caps);
  cap_free(iab);
}

static void plain_gettid(void) { sink = (uint64_t)syscall(SYS_gettid); }

static void plain_capget(void) {
  uint64_t epi[3];
  if (op_capget(epi) != 0) abort();
  sink = epi[0];
}

// ---- the broadcast --------------------------------------------------------------------------

static const int kSignal = 2;  // SIGRTMIN + 2
static _Atomic uint32_t acks;
static _Atomic uint32_t expected;  // acks the caller waits for; UINT32_MAX while it still sends
static _Atomic uint32_t parked;    // == cookie while handlers must stay parked (park mode)
static int park_mode;
static _Atomic uint32_t cookie;
static _Atomic int failures;
static uint64_t target[3];

static long futex(_Atomic uint32_t* addr, int op, uint32_t val, const struct timespec* timeout) {
  return syscall(SYS_futex, addr, op, val, timeout, NULL, 0);
}

static void on_signal(int sig, siginfo_t* info, void* ucontext) {
  (void)sig;
  (void)ucontext;
  if (info->si_code != SI_QUEUE || (uint32_t)info->si_value.sival_int != atomic_load(&cookie)) return;
  int saved = errno;
  if (op_capset(target[0], target[1], target[2]) != 0) atomic_fetch_add(&failures, 1);
  if (park_mode) {
    // What the addon's handler does besides capset: read back, wake on every ack, park.
    sink = (uint64_t)prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) + (uint64_t)prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) +
           (uint64_t)prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    atomic_fetch_add(&acks, 1);
    futex(&acks, FUTEX_WAKE_PRIVATE, 1, NULL);
    uint32_t mine = (uint32_t)info->si_value.sival_int;
    const struct timespec tick = {0, 50 * 1000 * 1000};
    while (atomic_load(&parked) == mine) futex(&parked, FUTEX_WAIT_PRIVATE, mine, &tick);
  } else if (atomic_fetch_add(&acks, 1) + 1 == atomic_load(&expected)) {
    // Wake the caller only for the last ack it waits for: one context switch per sweep.
    futex(&acks, FUTEX_WAKE_PRIVATE, 1, NULL);
  }
  errno = saved;
}

static void* idle_thread(void* arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Lists /proc/self/task with raw getdents64 (as the addon does); returns the count.
static int list_tids(int* tids, int max) {
  int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) abort();
  char buf[16384];
  int n = 0;
  for (;;) {
    long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (got <= 0) break;
    for (long off = 0; off < got;) {
      struct linux_dirent64* d = (struct linux_dirent64*)(buf + off);
      if (d->d_name[0] != '.' && n < max) tids[n++] = atoi(d->d_name);
      off += d->d_reclen;
    }
  }
  close(fd);
  return n;
}

static int contains(const int* list, int n, int tid) {
  for (int k = 0; k < n; k++)
    if (list[k] == tid) return 1;
  return 0;
}

// Reads one task's status and checks CapInh/CapPrm/CapEff against the target.
static int verify_tid(int tid) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long len = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (len <= 0) return -1;
  buf[len] = 0;
  static const char* keys[3] = {"CapEff:\t", "CapPrm:\t", "CapInh:\t"};
  for (int k = 0; k < 3; k++) {
    char* at = strstr(buf, keys[k]);
    if (!at || strtoull(at + 8, NULL, 16) != target[k]) return -1;
  }
  return 0;
}

// The io_uring pre-check: every task's comm, read as the addon's readTasks reads it.
static void precheck_io_uring(void) {
  int tids[MAX_TIDS];
  int n = list_tids(tids, MAX_TIDS);
  for (int k = 0; k < n; k++) {
    char path[64], comm[32];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", tids[k]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // the task exited
    long len = read(fd, comm, sizeof comm - 1);
    close(fd);
    if (len >= 4 && !strncmp(comm, "iou-", 4)) abort();
  }
}

static int pid, self_tid;
static int signalled[MAX_TIDS];

// One whole-process apply: caller first, then signal every other listed thread until two
// consecutive sweeps find no thread left to signal, waiting for every ack.
static void broadcast_once(int verify, int precheck) {
  if (precheck) precheck_io_uring();
  if (op_capset(target[0], target[1], target[2]) != 0) abort();
  uint32_t my_cookie = atomic_load(&cookie) + 1;
  atomic_store(&cookie, my_cookie);
  atomic_store(&parked, my_cookie);
  atomic_store(&acks, 0);
  int nsignalled = 0, quiet_sweeps = 0;
  int tids[MAX_TIDS];
  while (quiet_sweeps < 2) {
    atomic_store(&expected, UINT32_MAX);
    int n = list_tids(tids, MAX_TIDS), sent = 0;
    for (int k = 0; k < n; k++) {
      if (tids[k] == self_tid || contains(signalled, nsignalled, tids[k])) continue;
      siginfo_t si;
      memset(&si, 0, sizeof si);
      si.si_signo = SIGRTMIN + kSignal;
      si.si_code = SI_QUEUE;
      si.si_pid = pid;
      si.si_uid = getuid();
      si.si_value.sival_int = (int)my_cookie;
      if (syscall(SYS_rt_tgsigqueueinfo, pid, tids[k], SIGRTMIN + kSignal, &si) != 0) {
        if (errno == ESRCH) continue;
        abort();
      }
      signalled[nsignalled++] = tids[k];
      sent++;
    }
    atomic_store(&expected, (uint32_t)nsignalled);
    for (uint32_t a; (a = atomic_load(&acks)) < (uint32_t)nsignalled;) {
      struct timespec ms = {0, 1000000};
      futex(&acks, FUTEX_WAIT_PRIVATE, a, &ms);
    }
    quiet_sweeps = sent ? 0 : quiet_sweeps + 1;
  }
  atomic_store(&parked, 0);
  if (park_mode) futex(&parked, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL);
  if (atomic_load(&failures)) abort();
  if (verify) {
    int n = list_tids(tids, MAX_TIDS);
    for (int k = 0; k < n; k++)
      if (verify_tid(tids[k]) != 0) abort();
  }
}

static int broadcast_threads = 1, broadcast_verify = 0, broadcast_precheck = 0;
static void broadcast_op(void) { broadcast_once(broadcast_verify, broadcast_precheck); }

static void verify_op(void) {
  int tids[MAX_TIDS];
  int n = list_tids(tids, MAX_TIDS);
  for (int k = 0; k < n; k++)
    if (verify_tid(tids[k]) != 0) abort();
}

static void start_threads(int total) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  for (int k = 1; k < total; k++) {
    pthread_t t;
    if (pthread_create(&t, &attr, idle_thread, NULL) != 0) abort();
  }
  int tids[MAX_TIDS];
  while (list_tids(tids, MAX_TIDS) < total) usleep(1000);
}

// ---- the timing loop ------------------------------------------------------------------------

static double measure(void (*op)(void)) {
  for (int k = 0; k < warmup; k++) op();
  double* per_op = calloc((size_t)samples, sizeof(double));
  for (int s = 0; s < samples; s++) {
    uint64_t t0 = now_ns();
    for (int k = 0; k < batch; k++) op();
    per_op[s] = (double)(now_ns() - t0) / batch;
  }
  qsort(per_op, (size_t)samples, sizeof(double), cmp_double);
  double median = per_op[samples / 2];
  free(per_op);
  return median;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: cbench gettid|capget|snapshot-floor|snapshot-libcap|broadcast N [park] [verify] [precheck]|verify N\n");
    return 2;
  }
  lastcap = last_cap();
  pid = getpid();
  self_tid = (int)syscall(SYS_gettid);
  const char* mode = argv[1];
  void (*op)(void) = NULL;
  if (!strcmp(mode, "gettid")) {
    op = plain_gettid;
    samples = 201, batch = 200, warmup = 20000;
  } else if (!strcmp(mode, "capget")) {
    op = plain_capget;
    samples = 201, batch = 200, warmup = 20000;
  } else if (!strcmp(mode, "snapshot-floor")) {
    op = snapshot_floor;
    samples = 201, batch = 10, warmup = 2000;
  } else if (!strcmp(mode, "snapshot-libcap")) {
    op = snapshot_libcap;
    samples = 201, batch = 10, warmup = 2000;
  } else if ((!strcmp(mode, "broadcast") || !strcmp(mode, "verify")) && argc >= 3) {
    broadcast_threads = atoi(argv[2]);
    for (int k = 3; k < argc; k++) {
      if (!strcmp(argv[k], "verify")) broadcast_verify = 1;
      else if (!strcmp(argv[k], "precheck")) broadcast_precheck = 1;
      else if (!strcmp(argv[k], "park")) park_mode = 1;
      else return 2;
    }
    if (broadcast_threads < 1 || broadcast_threads >= MAX_TIDS) return 2;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    if (sigaction(SIGRTMIN + kSignal, &sa, NULL) != 0) abort();
    start_threads(broadcast_threads);
    if (op_capget(target) != 0) abort();
    op = strcmp(mode, "verify") ? broadcast_op : verify_op;
    samples = 101, batch = 1, warmup = 30;
  } else {
    fprintf(stderr, "cbench: unknown mode %s\n", mode);
    return 2;
  }
  if (getenv("CBENCH_SAMPLES")) samples = atoi(getenv("CBENCH_SAMPLES"));
  double median = measure(op);
  printf("{\"op\":\"%s%s%s\",\"threads\":%d,\"medianNs\":%.1f,\"samples\":%d,\"batch\":%d}\n", mode,
         park_mode ? (broadcast_verify ? "+park+verify" : "+park") : broadcast_verify ? "+verify" : "",
         broadcast_precheck ? "+precheck" : "", broadcast_threads, median, samples, batch);
  return 0;
}
