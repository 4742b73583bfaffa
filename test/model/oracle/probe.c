/*
 * Kernel probe for test/model/kernel-oracle.test.ts: runs a few credential scenarios, each in a
 * fresh child, and prints one line per observation:
 *   <scenario> step <name> <ret> <errno>
 *   <scenario> state <CapInh> <CapPrm> <CapEff> <CapBnd> <CapAmb> <uid> <euid> <suid> <fsuid> <securebits>
 * Run as root. No libcap: raw syscalls, so the probe sees exactly what the kernel does.
 * `probe report-dumpable` prints `<scenario> step dumpable-after-exec <PR_GET_DUMPABLE> 0` (the
 * exec scenarios run it); argv[1] of a plain run is a copy of the probe with mode 0711.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/fsuid.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *scenario;

static void step(const char *name, long ret) {
  printf("%s step %s %ld %d\n", scenario, name, ret, ret < 0 ? errno : 0);
  fflush(stdout);
}

static void state_from(FILE *f) {
  char line[512], inh[17] = "", prm[17] = "", eff[17] = "", bnd[17] = "", amb[17] = "";
  unsigned r = 0, e = 0, s = 0, fs = 0;
  while (fgets(line, sizeof line, f)) {
    sscanf(line, "CapInh: %16s", inh); sscanf(line, "CapPrm: %16s", prm); sscanf(line, "CapEff: %16s", eff);
    sscanf(line, "CapBnd: %16s", bnd); sscanf(line, "CapAmb: %16s", amb);
    sscanf(line, "Uid: %u %u %u %u", &r, &e, &s, &fs);
  }
  printf("%s state %s %s %s %s %s %u %u %u %u %ld\n", scenario, inh, prm, eff, bnd, amb, r, e, s, fs, (long)prctl(PR_GET_SECUREBITS));
  fflush(stdout);
}

static void state(void) {
  FILE *f = fopen("/proc/thread-self/status", "r");
  state_from(f);
  fclose(f);
}

static long do_capset(unsigned long long e, unsigned long long p, unsigned long long i) {
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2] = {
    { (unsigned)e, (unsigned)p, (unsigned)i }, { (unsigned)(e >> 32), (unsigned)(p >> 32), (unsigned)(i >> 32) } };
  return syscall(SYS_capset, &h, d);
}

static unsigned long long current(int which) { /* 0 E, 1 P, 2 I */
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  syscall(SYS_capget, &h, d);
  unsigned long long lo = which == 0 ? d[0].effective : which == 1 ? d[0].permitted : d[0].inheritable;
  unsigned long long hi = which == 0 ? d[1].effective : which == 1 ? d[1].permitted : d[1].inheritable;
  return lo | (hi << 32);
}

static void run(const char *name, void (*fn)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) { scenario = name; state(); fn(); state(); _exit(0); }
  waitpid(pid, NULL, 0);
}

/* §2.5 6.14+ exception: without SETPCAP only a non-empty change of the exec bits passes. */
static void securebits(void) {
  unsigned long long p = current(1);
  step("capset-no-setpcap", do_capset(p & ~(1ULL << CAP_SETPCAP), p, 0));
  step("set-0x100", prctl(PR_SET_SECUREBITS, 0x100));
  step("set-0x100-again", prctl(PR_SET_SECUREBITS, 0x100));
  step("set-0x110", prctl(PR_SET_SECUREBITS, 0x110));
  step("set-0xa00", prctl(PR_SET_SECUREBITS, 0xb00));
}

/* §2.6 history: uid 1000 / euid 2000 with an ambient cap execs a plain binary. */
static void ambient_exec(void) {
  unsigned long long raw = 1ULL << CAP_NET_RAW;
  step("keepcaps", prctl(PR_SET_KEEPCAPS, 1));
  step("setresuid", setresuid(1000, 2000, 2000));
  step("capset", do_capset(raw, raw, raw));
  step("ambient-raise", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0));
  int fds[2];
  if (pipe(fds) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  FILE *f = fdopen(fds[0], "r");
  scenario = "ambient_exec_after";
  state_from(f); /* securebits printed are the caller's; the test ignores them here */
  fclose(f);
  waitpid(pid, NULL, 0);
  scenario = "ambient_exec";
}

/* §2.8: a new user namespace resets the credential, securebits included. */
static void userns(void) {
  step("securebits-0x2f", prctl(PR_SET_SECUREBITS, 0x2f & ~0x10));
  step("capset-inh", do_capset(current(0), current(1), 1ULL << CAP_KILL));
  step("unshare", unshare(CLONE_NEWUSER));
}

/* §2.4: setresuid(-1, euid, -1) while fsuid differs is no no-op. */
static void fsuid_noop(void) {
  step("setfsuid-5", setfsuid(5));
  step("setresuid-noop-args", setresuid(-1, 0, -1));
  step("setfsuid-5-again", setfsuid(5));
  step("setresuid-true-noop", setresuid(0, -1, 0));
}

/* §2.2/§2.8: setns into a child user namespace owned by euid 0 (created by a holder process). */
static int userns_fd = -1;
static void setns_owner_no_caps(void) {
  step("capset-E-empty", do_capset(0, current(1), 0));
  step("setns", setns(userns_fd, CLONE_NEWUSER));
}
static void setns_other_euid_no_caps(void) {
  step("setresuid-euid-1000", setresuid(-1, 1000, -1));
  step("setns", setns(userns_fd, CLONE_NEWUSER));
}
static void setns_other_euid_full_caps(void) {
  step("setresuid-euid-1000", setresuid(-1, 1000, -1));
  step("capset-E-full", do_capset(current(1), current(1), 0));
  step("setns", setns(userns_fd, CLONE_NEWUSER));
}

/* §2.9 dumpable: writes one line to a /proc/self file, as the kernel's open and write answer. */
static long write_proc_self(const char *file, const char *text) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/%s", file);
  int fd = open(path, O_WRONLY);
  if (fd < 0) return -1;
  long n = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = saved;
  return n < 0 ? -1 : 0;
}

/* The issue-16 reproducer: root drops to 1000, which resets dumpable; its new namespace's uid_map
 * then belongs to root, which that namespace cannot map (EACCES). */
static void dumpable_map(void) {
  step("setresuid-1000", setresuid(1000, 1000, 1000));
  step("get-dumpable", prctl(PR_GET_DUMPABLE));
  step("unshare", unshare(CLONE_NEWUSER));
  step("get-dumpable-in-ns", prctl(PR_GET_DUMPABLE));
  step("write-uid-map", write_proc_self("uid_map", "0 1000 1"));
  step("set-dumpable-1", prctl(PR_SET_DUMPABLE, 1));
  step("write-uid-map-dumpable", write_proc_self("uid_map", "0 1000 1"));
}

/* gid_map of the initial namespace after the same drop: EACCES at open, before map_write's EPERM. */
static void dumpable_gid_map_init(void) {
  step("setresuid-1000", setresuid(1000, 1000, 1000));
  step("write-gid-map", write_proc_self("gid_map", "0 0 1"));
}

/* PR_SET/GET_DUMPABLE and which credential changes reset the flag. */
static void dumpable_prctl(void) {
  step("set-dumpable-2", prctl(PR_SET_DUMPABLE, 2));
  step("set-dumpable-0", prctl(PR_SET_DUMPABLE, 0));
  step("get-after-set-0", prctl(PR_GET_DUMPABLE));
  step("set-dumpable-1", prctl(PR_SET_DUMPABLE, 1));
  unsigned long long kept = current(1) & ~(1ULL << CAP_NET_RAW);
  step("capset-lower", do_capset(kept, kept, 0));
  step("get-after-capset", prctl(PR_GET_DUMPABLE));
  step("setfsuid-5", setfsuid(5));
  step("get-after-setfsuid", prctl(PR_GET_DUMPABLE));
  step("setfsuid-0", setfsuid(0));
  step("set-dumpable-1-again", prctl(PR_SET_DUMPABLE, 1));
  step("setresgid-7", setresgid(7, 7, 7));
  step("get-after-setresgid", prctl(PR_GET_DUMPABLE));
}

/* exec decides dumpable from the ids before it and the binary's readability (begin_new_exec). */
static const char *unreadable_copy;
static void exec_report(const char *path) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    setenv("PROBE_SCENARIO", scenario, 1);
    execl(path, path, "report-dumpable", (char *)NULL);
    _exit(127);
  }
  waitpid(pid, NULL, 0);
}
static void dumpable_exec_seteuid(void) {
  step("setresuid-euid-1000", setresuid(-1, 1000, -1));
  exec_report("/proc/self/exe");
}
static void dumpable_exec_setresuid(void) {
  step("setresuid-1000", setresuid(1000, 1000, 1000));
  exec_report("/proc/self/exe");
}
static void dumpable_exec_unreadable(void) {
  step("setresuid-1000", setresuid(1000, 1000, 1000));
  step("set-dumpable-1", prctl(PR_SET_DUMPABLE, 1));
  if (unreadable_copy) exec_report(unreadable_copy);
}

/* Nested user namespaces, each mapping 0 to the parent's 0, until the kernel refuses. */
static void userns_nesting(void) {
  char name[32];
  for (int level = 1; level <= 34; level++) {
    snprintf(name, sizeof name, "unshare-%d", level);
    long r = unshare(CLONE_NEWUSER);
    step(name, r);
    if (r != 0) break;
    write_proc_self("uid_map", "0 0 1");
    write_proc_self("setgroups", "deny");
    write_proc_self("gid_map", "0 0 1");
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "report-dumpable") == 0) {
    const char *from = getenv("PROBE_SCENARIO");
    printf("%s step dumpable-after-exec %ld 0\n", from ? from : "?", (long)prctl(PR_GET_DUMPABLE));
    return 0;
  }
  if (argc > 1) unreadable_copy = argv[1];
  int ready[2], hold[2];
  if (pipe(ready) == 0 && pipe(hold) == 0) {
    pid_t holder = fork();
    if (holder == 0) {
      close(hold[1]);
      close(ready[0]);
      char c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
      if (write(ready[1], &c, 1) != 1) _exit(1);
      if (read(hold[0], &c, 1) < 0) _exit(1);
      _exit(0);
    }
    char c = 'n';
    if (read(ready[0], &c, 1) == 1 && c == 'y') {
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/ns/user", (int)holder);
      userns_fd = open(path, O_RDONLY);
      run("setns_owner_no_caps", setns_owner_no_caps);
      run("setns_other_euid_no_caps", setns_other_euid_no_caps);
      run("setns_other_euid_full_caps", setns_other_euid_full_caps);
    }
    close(hold[1]);
    close(hold[0]);
    close(ready[0]);
    close(ready[1]);
    waitpid(holder, NULL, 0);
  }

  run("securebits", securebits);
  run("ambient_exec", ambient_exec);
  run("userns", userns);
  run("fsuid_noop", fsuid_noop);
  run("dumpable_map", dumpable_map);
  run("dumpable_gid_map_init", dumpable_gid_map_init);
  run("dumpable_prctl", dumpable_prctl);
  run("dumpable_exec_seteuid", dumpable_exec_seteuid);
  run("dumpable_exec_setresuid", dumpable_exec_setresuid);
  run("dumpable_exec_unreadable", dumpable_exec_unreadable);
  run("userns_nesting", userns_nesting);
  return 0;
}
