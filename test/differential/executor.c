/*
 * Differential executor: runs sequences of credential syscalls on the real kernel and reports,
 * as JSON lines, each step's return value/errno and the full credential state after it.
 *
 * Modes (argv[1]):
 *   supervise BASE FILE...   unshare(CLONE_NEWNS), make every mount private, mount a private tmpfs
 *                            on BASE (and a nosuid one on BASE/n), create the exec targets (copies
 *                            of this binary, FILE = "dir:idx:uid:gid:mode:xattrhex"), report them,
 *                            then for every sequence read from stdin fork ONE child that runs it.
 *                            Dir "r" holds xattrs the kernel's setxattr refuses (v1, malformed):
 *                            debugfs writes them into an ext4 image, loop-mounted read-only on
 *                            BASE/r inside the private mount namespace (gone when it ends).
 *   cont BASE STEP EUID EGID  the image after a successful execve: report, then go on reading the
 *                            same sequence from fd OPS_FD (the open pipe survives exec).
 *
 * Sequence wire format (stdin of the supervisor): u32 count, then count records of 8 int64
 * (kind, a0..a6; see enum op_kind and ops.mjs, which encodes them). Results go to fd RES_FD: one {"k":"r"} line per step, one {"k":"s"} state
 * line after it (and one before the first step, step -1); the supervisor adds {"k":"end"}.
 * Nothing here changes the host: the supervisor's own credentials are never touched, the
 * children are the only ones that run the sequences, and every file lives on the private tmpfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/loop.h>
#include <sys/ioctl.h>

#define OPS_FD 10
#define RES_FD 11
#define MAX_RECORDS 256

enum op_kind {
  OP_CAPGET = 1,
  OP_CAPSET = 2,
  OP_PRCTL = 3,
  OP_SETUID = 10,
  OP_SETREUID = 11,
  OP_SETRESUID = 12,
  OP_SETFSUID = 13,
  OP_SETGID = 14,
  OP_SETREGID = 15,
  OP_SETRESGID = 16,
  OP_SETFSGID = 17,
  OP_SETGROUPS = 18,
  OP_EXECVE = 20,
  OP_UNSHARE_USER = 30,
  OP_WRITE_UID_MAP = 31,
  OP_WRITE_GID_MAP = 32,
  OP_WRITE_SETGROUPS = 33,
  OP_SHARE_FS = 40,
  OP_TRACEME = 41,
  OP_SPAWN_THREAD = 42,
};

struct record {
  int64_t kind;
  int64_t a[7];
};

static const char *base_dir;
/* The euid/egid seen just before the last unshare(CLONE_NEWUSER): the "outside" ids of a map. */
static long pre_unshare_euid = -1, pre_unshare_egid = -1;

/* ---- output ------------------------------------------------------------------------------ */

static char out_buf[1 << 16];
static size_t out_len;

static void out_flush(void) {
  size_t off = 0;
  while (off < out_len) {
    ssize_t n = write(RES_FD, out_buf + off, out_len - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      _exit(120);
    }
    off += (size_t)n;
  }
  out_len = 0;
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...) {
  if (out_len > sizeof out_buf - 4096) out_flush();
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out_buf + out_len, sizeof out_buf - out_len, fmt, ap);
  va_end(ap);
  if (n > 0) out_len += (size_t)n;
}

/* ---- state report ------------------------------------------------------------------------ */

static void copy_status_field(const char *status, const char *key, char *dst, size_t cap) {
  const char *p = strstr(status, key);
  dst[0] = 0;
  if (!p) return;
  p += strlen(key);
  while (*p == ' ' || *p == '\t') p++;
  size_t n = 0;
  while (p[n] && p[n] != '\n' && n + 1 < cap) n++;
  memcpy(dst, p, n);
  dst[n] = 0;
}

/* "1 2 3 4" (tabs or spaces) -> "1,2,3,4" */
static void to_json_list(const char *src, char *dst, size_t cap) {
  size_t o = 0;
  int need_comma = 0;
  for (const char *p = src; *p && o + 24 < cap;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) break;
    if (need_comma) dst[o++] = ',';
    while (*p && *p != ' ' && *p != '\t' && o + 2 < cap) dst[o++] = *p++;
    need_comma = 1;
  }
  dst[o] = 0;
}

static void report_state(long step) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  if (syscall(SYS_capget, &h, d) != 0) {
    out("{\"k\":\"fatal\",\"what\":\"capget\",\"errno\":%d}\n", errno);
    return;
  }
  char status[8192];
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, status, sizeof status - 1) : -1;
  if (fd >= 0) close(fd);
  if (n <= 0) {
    out("{\"k\":\"fatal\",\"what\":\"/proc/self/status\",\"errno\":%d}\n", errno);
    return;
  }
  status[n] = 0;
  char bnd[32], amb[32], inh[32], prm[32], eff[32], nnp[8], uid[96], gid[96], groups[1024];
  char uidj[128], gidj[128], groupsj[1100];
  copy_status_field(status, "\nCapBnd:", bnd, sizeof bnd);
  copy_status_field(status, "\nCapAmb:", amb, sizeof amb);
  copy_status_field(status, "\nCapInh:", inh, sizeof inh);
  copy_status_field(status, "\nCapPrm:", prm, sizeof prm);
  copy_status_field(status, "\nCapEff:", eff, sizeof eff);
  copy_status_field(status, "\nNoNewPrivs:", nnp, sizeof nnp);
  copy_status_field(status, "\nUid:", uid, sizeof uid);
  copy_status_field(status, "\nGid:", gid, sizeof gid);
  copy_status_field(status, "\nGroups:", groups, sizeof groups);
  to_json_list(uid, uidj, sizeof uidj);
  to_json_list(gid, gidj, sizeof gidj);
  to_json_list(groups, groupsj, sizeof groupsj);
  uint64_t e = ((uint64_t)d[1].effective << 32) | d[0].effective;
  uint64_t p = ((uint64_t)d[1].permitted << 32) | d[0].permitted;
  uint64_t i = ((uint64_t)d[1].inheritable << 32) | d[0].inheritable;
  int sb = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  int kc = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
  out("{\"k\":\"s\",\"s\":%ld,\"e\":\"%016llx\",\"p\":\"%016llx\",\"i\":\"%016llx\",\"b\":\"%s\",\"a\":\"%s\","
      "\"sb\":%d,\"kc\":%d,\"nnp\":%s,\"uid\":[%s],\"gid\":[%s],\"groups\":[%s],\"sec\":%lu,"
      "\"proc\":[\"%s\",\"%s\",\"%s\"]}\n",
      step, (unsigned long long)e, (unsigned long long)p, (unsigned long long)i, bnd, amb, sb, kc,
      nnp[0] ? nnp : "-1", uidj, gidj, groupsj, getauxval(AT_SECURE), eff, prm, inh);
}

/* ---- operations -------------------------------------------------------------------------- */

/* a[6] = 1: the pid is our own tid (only known here). */
static int target_pid(const struct record *r) { return r->a[6] ? (int)syscall(SYS_gettid) : (int)r->a[1]; }

/* What the last successful capget with a data buffer returned (E, P, I), for the result line. */
static uint64_t capget_data[3];
static int capget_has_data;

static long do_capget(const struct record *r) {
  struct __user_cap_header_struct h = {(uint32_t)r->a[0], target_pid(r)};
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  long rc = syscall(SYS_capget, &h, r->a[2] ? NULL : d);
  capget_has_data = rc == 0 && !r->a[2];
  capget_data[0] = ((uint64_t)d[1].effective << 32) | d[0].effective;
  capget_data[1] = ((uint64_t)d[1].permitted << 32) | d[0].permitted;
  capget_data[2] = ((uint64_t)d[1].inheritable << 32) | d[0].inheritable;
  return rc;
}

static long do_capset(const struct record *r) {
  struct __user_cap_header_struct h = {(uint32_t)r->a[0], target_pid(r)};
  struct __user_cap_data_struct d[2];
  uint64_t e = (uint64_t)r->a[2], p = (uint64_t)r->a[3], i = (uint64_t)r->a[4];
  d[0].effective = (uint32_t)e;
  d[0].permitted = (uint32_t)p;
  d[0].inheritable = (uint32_t)i;
  d[1].effective = (uint32_t)(e >> 32);
  d[1].permitted = (uint32_t)(p >> 32);
  d[1].inheritable = (uint32_t)(i >> 32);
  return syscall(SYS_capset, &h, d);
}

static long write_proc_self(const char *file, const char *text, size_t len);

/* Writes one line to /proc/self/{uid,gid}_map, with dumpable as the sequence left it (an id change
 * clears it, and then the file belongs to root of the namespace the binary was exec'd in). */
static long write_map(const char *file, const struct record *r, long self_outside) {
  char line[96];
  long outside = r->a[3] ? self_outside : (long)r->a[1];
  int len = snprintf(line, sizeof line, "%lld %ld %lld\n", (long long)r->a[0], outside, (long long)r->a[2]);
  return write_proc_self(file, line, (size_t)len);
}

/* Writes a whole string to a /proc/self file. */
static long write_proc_self(const char *file, const char *text, size_t len) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, len);
  int saved = errno;
  close(fd);
  errno = saved;
  return n == (ssize_t)len ? 0 : -1;
}

static void run_sequence(long step);

/* A process that shares our fs_struct (clone CLONE_FS without CLONE_THREAD) makes every later
 * execve "unsafe" (LSM_UNSAFE_SHARE, kernel-semantics §2.6 step 4). It only waits, and leaves as
 * soon as its parent is gone (polling getppid: PR_SET_PDEATHSIG would be refused once the parent
 * changed uid, since the kernel sends it with the dying parent's credentials), 30 s at most. */
static char sharer_stack[64 * 1024] __attribute__((aligned(16)));

static int sharer_main(void *arg) {
  pid_t parent = (pid_t)(intptr_t)arg;
  alarm(30);
  struct timespec tick = {0, 2 * 1000 * 1000};
  while (getppid() == parent) nanosleep(&tick, NULL);
  _exit(0);
}

/* A second thread that only waits: the process is multi-threaded until its next execve. */
static void *idle_thread(void *arg) {
  (void)arg;
  for (;;) pause();
  return NULL;
}

static long do_spawn_thread(void) {
  pthread_t t;
  int rc = pthread_create(&t, NULL, idle_thread, NULL);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  return 0;
}

static long do_share_fs(void) {
  pid_t pid = clone(sharer_main, sharer_stack + sizeof sharer_stack, CLONE_FS | SIGCHLD, (void *)(intptr_t)getpid());
  return pid < 0 ? -1 : 0;
}

static long do_execve(const struct record *r, long step) {
  char path[4096], step_s[24], euid_s[24], egid_s[24];
  snprintf(path, sizeof path, "%s/%s/f%lld", base_dir, r->a[1] == 2 ? "r" : r->a[1] ? "n" : "s", (long long)r->a[0]);
  snprintf(step_s, sizeof step_s, "%ld", step);
  snprintf(euid_s, sizeof euid_s, "%ld", pre_unshare_euid);
  snprintf(egid_s, sizeof egid_s, "%ld", pre_unshare_egid);
  char *argv[] = {path, "cont", (char *)base_dir, step_s, euid_s, egid_s, NULL};
  char *envp[] = {NULL};
  out_flush();
  return execve(path, argv, envp);
}

static long perform(const struct record *r, long step) {
  const int64_t *a = r->a;
  switch (r->kind) {
    case OP_CAPGET: return do_capget(r);
    case OP_CAPSET: return do_capset(r);
    case OP_PRCTL:
      return syscall(SYS_prctl, (int)a[0], (unsigned long)a[1], (unsigned long)a[2], (unsigned long)a[3],
                     (unsigned long)a[4]);
    case OP_SETUID: return syscall(SYS_setuid, (uid_t)a[0]);
    case OP_SETREUID: return syscall(SYS_setreuid, (uid_t)a[0], (uid_t)a[1]);
    case OP_SETRESUID: return syscall(SYS_setresuid, (uid_t)a[0], (uid_t)a[1], (uid_t)a[2]);
    case OP_SETFSUID: return syscall(SYS_setfsuid, (uid_t)a[0]);
    case OP_SETGID: return syscall(SYS_setgid, (gid_t)a[0]);
    case OP_SETREGID: return syscall(SYS_setregid, (gid_t)a[0], (gid_t)a[1]);
    case OP_SETRESGID: return syscall(SYS_setresgid, (gid_t)a[0], (gid_t)a[1], (gid_t)a[2]);
    case OP_SETFSGID: return syscall(SYS_setfsgid, (gid_t)a[0]);
    case OP_SETGROUPS: {
      gid_t groups[6];
      int count = a[0] < 0 ? 0 : a[0] > 6 ? 6 : (int)a[0];
      for (int k = 0; k < count; k++) groups[k] = (gid_t)a[1 + k];
      return syscall(SYS_setgroups, count, groups);
    }
    case OP_EXECVE: return do_execve(r, step);
    case OP_UNSHARE_USER: {
      uid_t ru, eu, su;
      gid_t rg, eg, sg;
      getresuid(&ru, &eu, &su);
      getresgid(&rg, &eg, &sg);
      long rc = syscall(SYS_unshare, CLONE_NEWUSER);
      if (rc == 0) {
        pre_unshare_euid = eu;
        pre_unshare_egid = eg;
      }
      return rc;
    }
    case OP_WRITE_UID_MAP: return write_map("/proc/self/uid_map", r, pre_unshare_euid);
    case OP_WRITE_GID_MAP: return write_map("/proc/self/gid_map", r, pre_unshare_egid);
    case OP_WRITE_SETGROUPS:
      return r->a[0] ? write_proc_self("/proc/self/setgroups", "allow", 5) : write_proc_self("/proc/self/setgroups", "deny", 4);
    case OP_SHARE_FS: return do_share_fs();
    case OP_SPAWN_THREAD: return do_spawn_thread();
    /* The supervisor becomes our tracer, with OUR credentials of now as the tracer's (ptrace_link
     * records current_cred() for PTRACE_TRACEME): later execs are "traced" (§2.6 step 4). */
    case OP_TRACEME: return ptrace(PTRACE_TRACEME, 0, NULL, NULL);
    default: errno = ENOSYS; return -1;
  }
}

/* Reads the next record of the sequence; 0 at the end. */
static int next_record(struct record *r) {
  size_t got = 0;
  while (got < sizeof *r) {
    ssize_t n = read(OPS_FD, (char *)r + got, sizeof *r - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    got += (size_t)n;
  }
  return 1;
}

static void run_sequence(long step) {
  struct record r;
  while (next_record(&r)) {
    step++;
    errno = 0;
    long rc = perform(&r, step);
    int err = rc < 0 ? errno : 0;
    out("{\"k\":\"r\",\"s\":%ld,\"op\":%lld,\"ret\":%ld,\"err\":%d", step, (long long)r.kind, rc, err);
    if (r.kind == OP_CAPGET && capget_has_data)
      out(",\"data\":[\"%016llx\",\"%016llx\",\"%016llx\"]", (unsigned long long)capget_data[0],
          (unsigned long long)capget_data[1], (unsigned long long)capget_data[2]);
    out("}\n");
    report_state(step);
  }
  out_flush();
  _exit(0);
}

/* ---- supervisor -------------------------------------------------------------------------- */

static void die(const char *what) {
  fprintf(stderr, "executor: %s: %s\n", what, strerror(errno));
  exit(2);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void write_all(int fd, const void *buf, size_t len, const char *what) {
  const char *p = buf;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      die(what);
    }
    p += n;
    len -= (size_t)n;
  }
}

static int read_all(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    p += n;
    len -= (size_t)n;
  }
  return 1;
}

static char *read_self(size_t *size) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open /proc/self/exe");
  struct stat st;
  if (fstat(fd, &st) != 0) die("fstat /proc/self/exe");
  char *buf = malloc((size_t)st.st_size);
  if (!buf || !read_all(fd, buf, (size_t)st.st_size)) die("read /proc/self/exe");
  close(fd);
  *size = (size_t)st.st_size;
  return buf;
}

/* Files of dir "r", made by make_raw_fs once every spec is read. */
struct raw_file {
  int idx;
  unsigned uid, gid, mode;
  char hex[256];
};
static struct raw_file raw_files[16];
static int raw_count;

/* spec "dir:idx:uid:gid:mode:xattrhex" (mode octal, xattrhex may be empty) */
static void make_file(const char *spec, const char *image, size_t image_size) {
  char dir[8], hex[256] = "";
  int idx;
  unsigned uid, gid, mode;
  if (sscanf(spec, "%7[^:]:%d:%u:%u:%o:%255s", dir, &idx, &uid, &gid, &mode, hex) < 5) {
    fprintf(stderr, "executor: bad file spec %s\n", spec);
    exit(2);
  }
  if (strcmp(dir, "r") == 0) {
    if (raw_count == (int)(sizeof raw_files / sizeof raw_files[0])) die("too many raw files");
    raw_files[raw_count++] = (struct raw_file){idx, uid, gid, mode, ""};
    snprintf(raw_files[raw_count - 1].hex, sizeof raw_files[0].hex, "%s", hex);
    return;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/%s/f%d", base_dir, dir, idx);
  int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0700);
  if (fd < 0) die(path);
  write_all(fd, image, image_size, path);
  if (fchown(fd, uid, gid) != 0) die("fchown");
  unsigned char xattr[128];
  size_t xlen = strlen(hex) / 2;
  for (size_t k = 0; k < xlen && k < sizeof xattr; k++) xattr[k] = (unsigned char)(hexval(hex[2 * k]) * 16 + hexval(hex[2 * k + 1]));
  if (xlen && fsetxattr(fd, "security.capability", xattr, xlen, 0) != 0) die("fsetxattr security.capability");
  if (fchmod(fd, mode) != 0) die("fchmod");
  struct stat st;
  if (fstat(fd, &st) != 0) die("fstat");
  ssize_t stored = fgetxattr(fd, "security.capability", xattr, sizeof xattr);
  close(fd);
  out("{\"k\":\"file\",\"dir\":\"%s\",\"idx\":%d,\"uid\":%u,\"gid\":%u,\"mode\":%u,\"xattr\":\"", dir, idx,
      (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
  for (ssize_t k = 0; k < stored; k++) out("%02x", xattr[k]);
  out("\"}\n");
}

/* Runs an e2fsprogs tool (PATH may lack the sbin folders); its exit status. */
static int run_tool(char *const argv[]) {
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull < 0 || dup2(devnull, 1) != 1) _exit(126);
    static const char *const dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
    char path[256];
    for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
      snprintf(path, sizeof path, "%s/%s", dirs[k], argv[0]);
      execv(path, argv);
    }
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode) {
  int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) die(path);
  write_all(fd, data, len, path);
  close(fd);
}

/* Attaches `image` to a free loop device (read-only, cleared when its mount goes) and mounts it. */
static void mount_image(const char *image, const char *dir) {
  int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (control < 0) die("open /dev/loop-control");
  int backing = open(image, O_RDONLY | O_CLOEXEC);
  if (backing < 0) die(image);
  for (int tries = 0;; tries++) {
    int n = ioctl(control, LOOP_CTL_GET_FREE);
    if (n < 0) die("LOOP_CTL_GET_FREE");
    char dev[64];
    snprintf(dev, sizeof dev, "/dev/loop%d", n);
    int loop = open(dev, O_RDONLY | O_CLOEXEC);
    if (loop < 0) die(dev);
    struct loop_config config;
    memset(&config, 0, sizeof config);
    config.fd = (unsigned)backing;
    config.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
    if (ioctl(loop, LOOP_CONFIGURE, &config) == 0) {
      if (mount(dev, dir, "ext4", MS_RDONLY | MS_NODEV, NULL) != 0) die("mount the raw-xattr ext4 image");
      close(loop);
      break;
    }
    close(loop);
    if (errno != EBUSY || tries > 20) die("LOOP_CONFIGURE");  /* another process took it: next one */
  }
  close(backing);
  close(control);
}

/* Dir "r": an ext4 image written by debugfs, whose security.capability bytes no setxattr could
 * store (the kernel accepts only v2/v3 there), loop-mounted read-only on BASE/r. */
static void make_raw_fs(const char *image, size_t image_size) {
  if (raw_count == 0) return;
  char src[4096], img[4096], cmds[4096], dir[4096];
  snprintf(src, sizeof src, "%s/raw-src", base_dir);
  snprintf(img, sizeof img, "%s/raw.img", base_dir);
  snprintf(cmds, sizeof cmds, "%s/raw.cmds", base_dir);
  snprintf(dir, sizeof dir, "%s/r", base_dir);
  write_file(src, image, image_size, 0755);
  int fd = open(img, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 || ftruncate(fd, 32 << 20) != 0) die(img);
  close(fd);
  char *mkfs[] = {"mke2fs", "-q", "-F", "-t", "ext4", "-O", "^has_journal", img, NULL};
  if (run_tool(mkfs) != 0) die("mke2fs (e2fsprogs) on the raw-xattr image");
  FILE *f = fopen(cmds, "w");
  if (!f) die(cmds);
  for (int k = 0; k < raw_count; k++) {
    const struct raw_file *r = &raw_files[k];
    fprintf(f, "write %s f%d\nset_inode_field f%d mode 0100%o\nset_inode_field f%d uid %u\nset_inode_field f%d gid %u\n",
            src, r->idx, r->idx, r->mode, r->idx, r->uid, r->idx, r->gid);
    size_t len = strlen(r->hex) / 2;
    if (len == 0) continue;
    unsigned char bytes[128];
    for (size_t b = 0; b < len && b < sizeof bytes; b++) bytes[b] = (unsigned char)(hexval(r->hex[2 * b]) * 16 + hexval(r->hex[2 * b + 1]));
    char bin[4096];
    snprintf(bin, sizeof bin, "%s/raw-x%d.bin", base_dir, r->idx);
    write_file(bin, bytes, len, 0600);
    fprintf(f, "ea_set -f %s f%d security.capability\n", bin, r->idx);
  }
  fclose(f);
  char *debugfs[] = {"debugfs", "-w", "-f", cmds, img, NULL};
  if (run_tool(debugfs) != 0) die("debugfs on the raw-xattr image");
  if (mkdir(dir, 0755) != 0) die("mkdir r");
  mount_image(img, dir);
  /* Report each file as the mount shows it; the xattr as written (getxattr refuses v1 and
   * malformed ones with EINVAL: cap_inode_getsecurity). */
  for (int k = 0; k < raw_count; k++) {
    const struct raw_file *r = &raw_files[k];
    char path[4200];
    snprintf(path, sizeof path, "%s/f%d", dir, r->idx);
    struct stat st;
    if (stat(path, &st) != 0) die(path);
    out("{\"k\":\"file\",\"dir\":\"r\",\"idx\":%d,\"uid\":%u,\"gid\":%u,\"mode\":%u,\"xattr\":\"%s\"}\n", r->idx,
        (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777), r->hex);
  }
}

static void setup_mounts(void) {
  if (unshare(CLONE_NEWNS) != 0) die("unshare(CLONE_NEWNS)");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("make / private");
  if (mount("linux-caps-diff", base_dir, "tmpfs", MS_NODEV, "mode=0755,size=64m") != 0) die("mount tmpfs");
  char path[4096];
  snprintf(path, sizeof path, "%s/s", base_dir);
  if (mkdir(path, 0755) != 0) die("mkdir s");
  snprintf(path, sizeof path, "%s/n", base_dir);
  if (mkdir(path, 0755) != 0) die("mkdir n");
  if (mount("linux-caps-diff-nosuid", path, "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755,size=64m") != 0)
    die("mount nosuid tmpfs");
}

static int supervise(int argc, char **argv) {
  if (dup2(1, RES_FD) != RES_FD) die("dup2 results");
  size_t image_size;
  char *image = read_self(&image_size);
  setup_mounts();
  for (int k = 3; k < argc; k++) make_file(argv[k], image, image_size);
  make_raw_fs(image, image_size);
  free(image);
  report_state(-1);
  out("{\"k\":\"ready\"}\n");
  out_flush();
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) die("PR_SET_CHILD_SUBREAPER");
  struct record records[MAX_RECORDS];
  for (;;) {
    uint32_t count;
    if (!read_all(0, &count, sizeof count)) {
      while (wait(NULL) > 0) {
      }
      return 0;
    }
    if (count > MAX_RECORDS) {
      fprintf(stderr, "executor: sequence of %u records is too long\n", count);
      return 2;
    }
    if (!read_all(0, records, count * sizeof records[0])) return 2;
    int ops[2];
    if (pipe2(ops, O_CLOEXEC) != 0) die("pipe");
    write_all(ops[1], records, count * sizeof records[0], "write ops pipe");
    close(ops[1]);
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
      if (dup2(ops[0], OPS_FD) != OPS_FD || dup2(devnull, 0) != 0) _exit(121);
      alarm(20);
      report_state(-1);
      run_sequence(-1);
    }
    close(ops[0]);
    int status = 0;
    for (;;) {
      if (waitpid(child, &status, 0) < 0) {
        if (errno == EINTR) continue;
        die("waitpid");
      }
      if (!WIFSTOPPED(status)) break;
      /* A traced sequence (OP_TRACEME): let it run; pass on every signal but exec's SIGTRAP. */
      int sig = WSTOPSIG(status);
      ptrace(PTRACE_CONT, child, NULL, (void *)(intptr_t)(sig == SIGTRAP ? 0 : sig));
    }
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    } /* fs sharers the sequence left behind (we are their subreaper) */
    out("{\"k\":\"end\",\"status\":%d}\n", status);
    out_flush();
  }
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "supervise") == 0) {
    base_dir = argv[2];
    return supervise(argc, argv);
  }
  if (argc >= 6 && strcmp(argv[1], "cont") == 0) {
    base_dir = argv[2];
    long step = strtol(argv[3], NULL, 10);
    pre_unshare_euid = strtol(argv[4], NULL, 10);
    pre_unshare_egid = strtol(argv[5], NULL, 10);
    out("{\"k\":\"r\",\"s\":%ld,\"op\":%d,\"ret\":0,\"err\":0}\n", step, OP_EXECVE);
    report_state(step);
    run_sequence(step);
  }
  fprintf(stderr, "usage: executor supervise BASE [dir:idx:uid:gid:mode:xattrhex]...\n");
  return 2;
}
