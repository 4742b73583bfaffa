// launch: fork a child, apply a credential plan in it with raw syscalls, then execve.
//
// The plan is computed in TypeScript (lib/operations/launch/plan.ts) and arrives as fixed-size steps.
// Between fork and exec the child uses raw syscalls only (it is a copy of one thread of a
// multi-threaded process: no malloc, no locks). A failing step writes {step, errno} to a
// CLOEXEC pipe and exits 127; exec success closes the pipe, so the parent reads EOF.
// The parent then watches the child through a pidfd polled on the JS thread's libuv loop.
#include "launch.h"
#include "arch.h"
#include "broadcast.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <pthread.h>

#include <map>
#include <string>
#include <vector>

namespace {


// stdio plan values for fds 0..2: kPipe, kNull, or an fd to duplicate.
constexpr int32_t kPipe = -1;
constexpr int32_t kNull = -2;

// Parent-side failures, reported as the step (lib/operations/launch/launch.ts names the syscall).
constexpr int32_t kFailPipe = -2;       // pipe2 for the child's stdio or the error pipe
constexpr int32_t kFailFork = -3;       // fork
constexpr int32_t kFailStdioFd = -4;    // a stdio fd that is not open (fcntl F_GETFD)
constexpr int32_t kFailPidfd = -5;      // pidfd_open after fork (the child was killed and reaped)

using caps::KernelSigaction;

[[noreturn]] void ReportAndExit(int fd, int32_t step, int err) {
  int32_t msg[2] = {step, err};
  ssize_t ignored = write(fd, msg, sizeof msg);
  (void)ignored;
  _exit(127);
}

long RawCapset(uint32_t e_lo, uint32_t e_hi, uint32_t p_lo, uint32_t p_hi, uint32_t i_lo, uint32_t i_hi) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {{e_lo, p_lo, i_lo}, {e_hi, p_hi, i_hi}};
  return syscall(SYS_capset, &hdr, data);
}

// Sets every catchable signal's action to SIG_DFL; with `saved`, keeps the previous actions there
// (indexed by signal number) so a failed execve can put them back. Raw rt_sigaction only.
void ResetSignalHandlers(KernelSigaction* saved) {
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    KernelSigaction sa = {reinterpret_cast<void*>(SIG_DFL), 0, nullptr, 0};
    syscall(SYS_rt_sigaction, sig, &sa, saved == nullptr ? nullptr : &saved[sig], sizeof(uint64_t));
  }
}

// The credential plan on the calling thread, in order: 0, or the errno of the step that failed
// (its index in *failed_step). Raw syscalls only (it also runs between fork and exec).
int RunSteps(const uint32_t* steps, size_t step_count, const gid_t* groups, size_t group_count, const char* cwd,
             int* failed_step) {
  for (size_t s = 0; s < step_count; s++) {
    const uint32_t* w = steps + s * caps::kWordsPerStep;  // native/wire.h: code, arg, then 3 operands lo/hi
    long rc = 0;
    switch (w[0]) {
      case caps::kOpKeepCapsSet: rc = prctl(PR_SET_KEEPCAPS, w[1], 0, 0, 0); break;
      case caps::kOpSetgroups: rc = syscall(SYS_setgroups, group_count, groups); break;
      case caps::kOpSetresgid: rc = syscall(SYS_setresgid, w[2], w[4], w[6]); break;
      case caps::kOpSetresuid: rc = syscall(SYS_setresuid, w[2], w[4], w[6]); break;
      case caps::kOpCapset: rc = RawCapset(w[2], w[3], w[4], w[5], w[6], w[7]); break;
      case caps::kOpBoundingDrop: rc = prctl(PR_CAPBSET_DROP, w[1], 0, 0, 0); break;
      case caps::kOpAmbientClear: rc = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); break;
      case caps::kOpAmbientRaise: rc = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, w[1], 0, 0); break;
      case caps::kOpSecurebitsSet: rc = prctl(PR_SET_SECUREBITS, w[1], 0, 0, 0); break;
      case caps::kOpNoNewPrivsSet: rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); break;
      case caps::kOpChdir: rc = chdir(cwd); break;
      case caps::kOpRaiseAll: {
        struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct cur[2];
        rc = syscall(SYS_capget, &hdr, cur);
        if (rc == 0) {
          uint32_t i_lo = w[1] ? w[6] : cur[0].inheritable, i_hi = w[1] ? w[7] : cur[1].inheritable;
          rc = RawCapset(cur[0].permitted, cur[1].permitted, cur[0].permitted, cur[1].permitted, i_lo, i_hi);
        }
        break;
      }
      // Convergence codes and ambient.lower belong to programs, never to a launch plan.
      default: errno = EINVAL; rc = -1;
    }
    if (rc < 0) { *failed_step = static_cast<int>(s); return errno; }
  }
  return 0;
}

// Runs in the child. Only async-signal-safe syscalls from here to execve.
[[noreturn]] void ChildMain(const char* file, char* const* argv, char* const* envp, const char* cwd,
                            const int32_t* stdio, const int* child_ends, const uint32_t* steps, size_t step_count,
                            const gid_t* groups, size_t group_count, int err_fd) {
  // Handlers are the parent's; ignored signals (Node ignores SIGPIPE) would survive exec.
  ResetSignalHandlers(nullptr);
  // Move every stdio source above 2 first, so dup2 onto 0..2 cannot clobber a later source.
  int sources[3];
  for (int i = 0; i < 3; i++) {
    int src;
    if (stdio[i] == kPipe) src = child_ends[i];
    else if (stdio[i] == kNull) src = open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
    else src = stdio[i];
    if (src < 0) ReportAndExit(err_fd, -1, errno);
    sources[i] = fcntl(src, F_DUPFD_CLOEXEC, 3);
    if (sources[i] < 0) ReportAndExit(err_fd, -1, errno);
  }
  for (int i = 0; i < 3; i++) {
    if (dup2(sources[i], i) < 0) ReportAndExit(err_fd, -1, errno);
  }
  int failed_step = 0;
  if (int err = RunSteps(steps, step_count, groups, group_count, cwd, &failed_step)) ReportAndExit(err_fd, failed_step, err);
  uint64_t empty = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, nullptr, sizeof empty);
  execve(file, argv, envp);
  ReportAndExit(err_fd, static_cast<int32_t>(step_count), errno);
}

// Argument checks: a wrong type is a TypeError (a bug in lib/backend/native/launcher.ts), never
// a crash. Strings reach execve as C strings, so an embedded NUL is refused, not truncated.
bool TypeErr(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return false;
}

bool CString(Napi::Env env, const Napi::Value& v, const char* what, std::string* out) {
  if (!v.IsString()) return TypeErr(env, std::string(what) + " must be a string");
  *out = v.As<Napi::String>().Utf8Value();
  if (out->find('\0') != std::string::npos) return TypeErr(env, std::string(what) + " must not contain NUL bytes");
  return true;
}

bool StringArray(Napi::Env env, const Napi::Value& v, const char* what, std::vector<std::string>* out) {
  if (!v.IsArray()) return TypeErr(env, std::string(what) + " must be an array of strings");
  Napi::Array arr = v.As<Napi::Array>();
  const uint32_t n = arr.Length();
  if (n > 1u << 20) return TypeErr(env, std::string(what) + " has too many elements");
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value item = arr.Get(i);
    if (env.IsExceptionPending()) return false;  // a throwing getter or proxy
    std::string s;
    if (!CString(env, item, what, &s)) return false;
    out->push_back(std::move(s));
  }
  return true;
}

template <typename T>
bool TypedArrayArg(Napi::Env env, const Napi::Value& v, napi_typedarray_type type, const char* what, T** data, size_t* length) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) return TypeErr(env, std::string(what));
  Napi::TypedArray t = v.As<Napi::TypedArray>();
  *length = t.ElementLength();
  *data = reinterpret_cast<T*>(static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset());
  return true;
}

std::vector<char*> CPointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// ---- Exit watching: a uv_poll on each child's pidfd, on the loop of the environment (main
// thread or Worker) that launched it. Each environment has its own table (no sharing across
// threads); when an environment is torn down, its children are handed to a reaper thread.

struct LaunchEnv;

struct Watch {
  uv_poll_t poll;
  int pidfd;
  int id;
  napi_env env;
  napi_ref callback;
  LaunchEnv* owner;
};

struct LaunchEnv {
  std::map<int, Watch*> watches;
  int next_id = 1;
};

void* ReapThread(void* arg) {
  const int pidfd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  // uv_poll_init made the pidfd non-blocking, and waitid on a non-blocking pidfd answers EAGAIN
  // while the child runs: block here.
  const int flags = fcntl(pidfd, F_GETFL);
  if (flags >= 0) fcntl(pidfd, F_SETFL, flags & ~O_NONBLOCK);
  siginfo_t si;
  while (waitid(static_cast<idtype_t>(P_PIDFD), pidfd, &si, WEXITED) < 0 && errno == EINTR) {}
  close(pidfd);
  return nullptr;
}

// Waits for the child on a detached thread and closes the pidfd (no zombie is left behind).
void ReapInBackground(int pidfd) {
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  if (pthread_create(&t, &attr, ReapThread, reinterpret_cast<void*>(static_cast<intptr_t>(pidfd))) != 0) {
    // No thread: a non-blocking attempt now is all that is left (the child may stay a zombie).
    siginfo_t si;
    waitid(static_cast<idtype_t>(P_PIDFD), pidfd, &si, WEXITED | WNOHANG);
    close(pidfd);
  }
  pthread_attr_destroy(&attr);
}

void FreeWatch(uv_handle_t* handle) { delete static_cast<Watch*>(handle->data); }

void OnPidfdReadable(uv_poll_t* handle, int status, int) {
  Watch* w = static_cast<Watch*>(handle->data);
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int rc = waitid(static_cast<idtype_t>(P_PIDFD), w->pidfd, &si, WEXITED | WNOHANG);
  if (status == 0 && rc == 0 && si.si_pid == 0) return;  // woke up early: not exited yet
  int code = -1, sig = 0;
  if (rc == 0 && si.si_code == CLD_EXITED) code = si.si_status;
  else if (rc == 0) sig = si.si_status;
  w->owner->watches.erase(w->id);
  uv_poll_stop(handle);
  close(w->pidfd);
  napi_env env = w->env;
  napi_ref ref = w->callback;
  uv_close(reinterpret_cast<uv_handle_t*>(handle), FreeWatch);
  // Raw Node-API, every status ignored: if the environment cannot run JS any more, the callback
  // is simply not made (no throw, no fatal error).
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, global, argv[2];
  if (napi_get_reference_value(env, ref, &fn) == napi_ok && fn != nullptr && napi_get_global(env, &global) == napi_ok &&
      napi_create_int32(env, code, &argv[0]) == napi_ok && napi_create_int32(env, sig, &argv[1]) == napi_ok) {
    napi_value ignored;
    napi_make_callback(env, nullptr, global, fn, 2, argv, &ignored);
  }
  napi_delete_reference(env, ref);
  napi_close_handle_scope(env, scope);
}

// Registers the watch: its id, or -errno (the pidfd stays the caller's then).
int StartWatch(LaunchEnv* le, napi_env env, int pidfd, napi_value callback) {
  uv_loop_t* loop = nullptr;
  if (le == nullptr || napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return -EINVAL;
  Watch* w = new Watch{};
  w->pidfd = pidfd;
  w->env = env;
  w->owner = le;
  if (napi_create_reference(env, callback, 1, &w->callback) != napi_ok) { delete w; return -EINVAL; }
  w->poll.data = w;
  int rc = uv_poll_init(loop, &w->poll, pidfd);
  if (rc != 0) {
    napi_delete_reference(env, w->callback);
    delete w;
    return rc;
  }
  rc = uv_poll_start(&w->poll, UV_READABLE, OnPidfdReadable);
  if (rc != 0) {
    napi_delete_reference(env, w->callback);
    uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), FreeWatch);  // initialized: closed through the loop
    return rc;
  }
  w->id = le->next_id++;
  le->watches[w->id] = w;
  return w->id;
}

// The environment is being torn down (a Worker terminated, or the process exits): stop every
// watch without calling back, and let reaper threads wait for the children.
void CleanupLaunchEnv(void* arg) {
  LaunchEnv* le = static_cast<LaunchEnv*>(arg);
  for (auto& entry : le->watches) {
    Watch* w = entry.second;
    uv_poll_stop(&w->poll);
    napi_delete_reference(w->env, w->callback);
    ReapInBackground(w->pidfd);
    uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), FreeWatch);
  }
  delete le;
}

bool SetNamed(napi_env env, napi_value obj, const char* key, int32_t value) {
  napi_value v;
  return napi_create_int32(env, value, &v) == napi_ok && napi_set_named_property(env, obj, key, v) == napi_ok;
}

bool SetInt(napi_env env, napi_value arr, uint32_t index, int32_t value) {
  napi_value v;
  return napi_create_int32(env, value, &v) == napi_ok && napi_set_element(env, arr, index, v) == napi_ok;
}

// What launchSpawn and launchExecInPlace both take: the program, its environment and the plan.
struct ExecArgs {
  std::string file, cwd;
  std::vector<std::string> argv, envp;
  std::vector<uint32_t> steps;
  std::vector<gid_t> groups;
};

// Reads file, argv, envp and cwd from info[0..3], steps and groups from info[steps_at] and the
// one after; false (a TypeError pending) for anything malformed.
bool ReadExecArgs(const Napi::CallbackInfo& info, size_t steps_at, ExecArgs* out) {
  Napi::Env env = info.Env();
  uint32_t* steps_in = nullptr;
  uint32_t* groups_in = nullptr;
  size_t steps_len = 0, groups_len = 0;
  const bool ok = CString(env, info[0], "file", &out->file) && StringArray(env, info[1], "argv", &out->argv) &&
                  StringArray(env, info[2], "envp", &out->envp) &&
                  (info[3].IsNull() || info[3].IsUndefined() || CString(env, info[3], "cwd", &out->cwd)) &&
                  TypedArrayArg(env, info[steps_at], napi_uint32_array, "steps must be a Uint32Array of 8-word steps", &steps_in, &steps_len) &&
                  TypedArrayArg(env, info[steps_at + 1], napi_uint32_array, "groups must be a Uint32Array", &groups_in, &groups_len);
  if (!ok) return false;
  if (out->file.empty()) return TypeErr(env, "file must not be empty");
  if (steps_len % caps::kWordsPerStep != 0) return TypeErr(env, "steps must be a Uint32Array of 8-word steps");
  if (groups_len > 65536) return TypeErr(env, "groups: at most 65536 (NGROUPS_MAX)");
  out->steps.assign(steps_in, steps_in + steps_len);
  out->groups.assign(groups_in, groups_in + groups_len);
  return true;
}

// launchSpawn(file, argv[], envp[], cwd|null, stdio Int32Array(3), steps Uint32Array, groups Uint32Array,
//             onExit?(code, signal)) → { pid, pidfd, watchId, stdio: [fd|-1 ×3], step, errno }
// (step -1 and errno 0 when exec succeeded; with onExit the exit watch starts before it returns),
// or undefined when the environment is shutting down (the child, if started, is reaped natively).
Napi::Value LaunchSpawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 7) {
    TypeErr(env, "launchSpawn(file, argv, envp, cwd, stdio, steps, groups): 7 arguments expected");
    return env.Undefined();
  }
  ExecArgs args;
  int32_t* stdio_in = nullptr;
  size_t stdio_len = 0;
  if (!ReadExecArgs(info, 5, &args) ||
      !TypedArrayArg(env, info[4], napi_int32_array, "stdio must be an Int32Array(3)", &stdio_in, &stdio_len)) {
    return env.Undefined();
  }
  if (stdio_len != 3) { TypeErr(env, "stdio must be an Int32Array(3)"); return env.Undefined(); }
  for (size_t i = 0; i < 3; i++) {
    if (stdio_in[i] < kNull) { TypeErr(env, "stdio entries must be -1 (pipe), -2 (/dev/null) or an fd"); return env.Undefined(); }
  }
  const std::string& file = args.file;
  const std::string& cwd = args.cwd;
  std::vector<char*> argv = CPointers(args.argv);
  std::vector<char*> envp = CPointers(args.envp);
  int32_t stdio[3] = {stdio_in[0], stdio_in[1], stdio_in[2]};
  const std::vector<uint32_t>& steps = args.steps;
  const std::vector<gid_t>& groups = args.groups;

  Napi::Object result = Napi::Object::New(env);
  auto fail = [&](int32_t step, int err) {
    result.Set("pid", -1);
    result.Set("pidfd", -1);
    result.Set("step", step);
    result.Set("errno", -err);
    return result;
  };

  // Pipes: parent_ends[i] stays here, child_ends[i] becomes the child's fd i.
  int parent_ends[3] = {-1, -1, -1};
  int child_ends[3] = {-1, -1, -1};
  auto close_all = [&]() {
    for (int i = 0; i < 3; i++) {
      if (parent_ends[i] >= 0) close(parent_ends[i]);
      if (child_ends[i] >= 0) close(child_ends[i]);
    }
  };
  // An fd given as stdio must be open now: a closed one could be reused by the pipes below and
  // hand the child our error pipe (issue 22).
  for (int i = 0; i < 3; i++) {
    if (stdio[i] >= 0 && fcntl(stdio[i], F_GETFD) < 0) return fail(kFailStdioFd, errno);
  }
  for (int i = 0; i < 3; i++) {
    if (stdio[i] != kPipe) continue;
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) { int e = errno; close_all(); return fail(kFailPipe, e); }
    parent_ends[i] = i == 0 ? p[1] : p[0];
    child_ends[i] = i == 0 ? p[0] : p[1];
  }
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) < 0) { int e = errno; close_all(); return fail(kFailPipe, e); }

  // Block signals around fork so no handler runs in the child before it resets them — all but
  // the whole-process broadcast's (33 or 34): fork may wait on a lock held by a thread parked
  // in that handler, and the broadcast must still reach this thread meanwhile (issue 22).
  // Nothing sends it to the child: it is not a thread of this process.
  uint64_t all = ~(1ull << (caps::BroadcastSignal() - 1)), old = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof all);
  pid_t pid = fork();
  if (pid == 0) {
    close(err_pipe[0]);
    ChildMain(file.c_str(), argv.data(), envp.data(), cwd.empty() ? nullptr : cwd.c_str(), stdio, child_ends,
              steps.data(), steps.size() / caps::kWordsPerStep, groups.data(), groups.size(), err_pipe[1]);
  }
  int fork_errno = errno;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, nullptr, sizeof old);
  close(err_pipe[1]);
  for (int i = 0; i < 3; i++) {
    if (child_ends[i] >= 0) { close(child_ends[i]); child_ends[i] = -1; }
  }
  if (pid < 0) { close(err_pipe[0]); close_all(); return fail(kFailFork, fork_errno); }

  int32_t msg[2];
  size_t got = 0;
  while (got < sizeof msg) {
    ssize_t n = read(err_pipe[0], reinterpret_cast<char*>(msg) + got, sizeof msg - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(err_pipe[0]);
  if (got == sizeof msg) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    close_all();
    return fail(msg[0], msg[1]);
  }

  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    // Without a pidfd the child cannot be watched or signalled safely: end it now.
    int e = errno;
    kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    close_all();
    return fail(kFailPidfd, e);
  }
  // From here the child runs: whatever happens to this environment, it gets reaped.
  int watch_id = 0;
  if (info.Length() >= 8 && info[7].IsFunction()) {
    watch_id = StartWatch(static_cast<LaunchEnv*>(info.Data()), env, pidfd, info[7]);
    if (watch_id < 0) ReapInBackground(pidfd);
  }
  napi_value out = result;
  Napi::Array fds = Napi::Array::New(env, 3);
  bool built = !env.IsExceptionPending();
  for (uint32_t i = 0; built && i < 3; i++) built = SetInt(env, fds, i, parent_ends[i]);
  built = built && SetNamed(env, out, "pid", pid) && SetNamed(env, out, "pidfd", pidfd) && SetNamed(env, out, "watchId", watch_id) &&
       SetNamed(env, out, "step", -1) && SetNamed(env, out, "errno", 0) &&
       napi_set_named_property(env, out, "stdio", fds) == napi_ok;
  if (!built) {
    // The environment is going away (a terminated Worker): no throw, no result; the watch (or the
    // reaper) still reaps the child, and the pipes close with it.
    if (watch_id == 0) ReapInBackground(pidfd);
    for (int k = 0; k < 3; k++) if (parent_ends[k] >= 0) close(parent_ends[k]);
    return env.Undefined();
  }
  return result;
}

// launchWatch(pidfd, (code, signal) => void) → watch id (keeps the loop alive until exit), or -errno
Napi::Value LaunchWatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
    TypeErr(env, "launchWatch(pidfd, onExit): a pidfd number and a function expected");
    return env.Undefined();
  }
  int pidfd = info[0].As<Napi::Number>().Int32Value();
  // Only a pidfd: signal 0 through it answers EBADF for any other fd (stdout, a socket…), which
  // must never be registered in the loop (it belongs to someone else).
  if (pidfd < 0 || syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0) < 0) {
    if (pidfd < 0 || errno == EBADF || errno == EINVAL) return Napi::Number::New(env, -EBADF);
  }
  LaunchEnv* le = static_cast<LaunchEnv*>(info.Data());
  for (const auto& entry : le->watches) {
    if (entry.second->pidfd == pidfd) return Napi::Number::New(env, -EEXIST);
  }
  return Napi::Number::New(env, StartWatch(le, env, pidfd, info[1]));
}

// launchRef(id, ref: boolean): like child.ref()/unref()
Napi::Value LaunchRef(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsBoolean()) {
    TypeErr(env, "launchRef(watchId, ref): a number and a boolean expected");
    return env.Undefined();
  }
  LaunchEnv* le = static_cast<LaunchEnv*>(info.Data());
  auto it = le->watches.find(info[0].As<Napi::Number>().Int32Value());
  if (it != le->watches.end()) {
    uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&it->second->poll);
    if (info[1].As<Napi::Boolean>().Value()) uv_ref(h); else uv_unref(h);
  }
  return env.Undefined();
}

// launchExecInPlace(file, argv[], envp[], cwd|null, steps Uint32Array, groups Uint32Array)
// → { step, errno } only on failure: on success this process *becomes* the command (same pid),
// as capsh and setpriv do. The plan runs on the calling thread, which is the one execve keeps
// (the kernel ends the others); every signal is blocked meanwhile, and handlers are reset to
// their defaults just before execve (an ignored SIGPIPE would otherwise survive it).
Napi::Value LaunchExecInPlace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 6) {
    TypeErr(env, "launchExecInPlace(file, argv, envp, cwd, steps, groups): 6 arguments expected");
    return env.Undefined();
  }
  ExecArgs args;
  if (!ReadExecArgs(info, 4, &args)) return env.Undefined();
  const std::string& file = args.file;
  const std::string& cwd = args.cwd;
  std::vector<char*> argv = CPointers(args.argv);
  std::vector<char*> envp = CPointers(args.envp);
  const std::vector<uint32_t>& steps = args.steps;
  const std::vector<gid_t>& groups = args.groups;
  uint64_t all = ~0ull, old = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof all);
  int failed_step = 0;
  int err = RunSteps(steps.data(), steps.size() / caps::kWordsPerStep, groups.data(), groups.size(), cwd.empty() ? nullptr : cwd.c_str(), &failed_step);
  if (err == 0) {
    KernelSigaction saved[65];
    ResetSignalHandlers(saved);
    // Node marks fds 0-2 close-on-exec and may make them non-blocking: the command gets them
    // as a shell would hand them over.
    int saved_fd[3], saved_fl[3];
    for (int fd = 0; fd < 3; fd++) {
      saved_fd[fd] = fcntl(fd, F_GETFD);
      saved_fl[fd] = fcntl(fd, F_GETFL);
      if (saved_fd[fd] >= 0) fcntl(fd, F_SETFD, saved_fd[fd] & ~FD_CLOEXEC);
      if (saved_fl[fd] >= 0) fcntl(fd, F_SETFL, saved_fl[fd] & ~O_NONBLOCK);
    }
    uint64_t empty = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, nullptr, sizeof empty);
    execve(file.c_str(), argv.data(), envp.data());
    err = errno;
    for (int fd = 0; fd < 3; fd++) {
      if (saved_fd[fd] >= 0) fcntl(fd, F_SETFD, saved_fd[fd]);
      if (saved_fl[fd] >= 0) fcntl(fd, F_SETFL, saved_fl[fd]);
    }
    failed_step = static_cast<int>(steps.size() / caps::kWordsPerStep);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, nullptr, sizeof all);
    for (int sig = 1; sig <= 64; sig++) {
      if (sig == SIGKILL || sig == SIGSTOP) continue;
      syscall(SYS_rt_sigaction, sig, &saved[sig], nullptr, sizeof(uint64_t));
    }
  }
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, nullptr, sizeof old);
  Napi::Object out = Napi::Object::New(env);
  out.Set("step", failed_step);
  out.Set("errno", -err);
  return out;
}

// launchKill(pidfd, signal) → 0 | -errno (pidfd_send_signal: no pid-reuse race)
Napi::Value LaunchKill(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    TypeErr(info.Env(), "launchKill(pidfd, signal): two numbers expected");
    return info.Env().Undefined();
  }
  int pidfd = info[0].As<Napi::Number>().Int32Value();
  int sig = info[1].As<Napi::Number>().Int32Value();
  long rc = syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0);
  return Napi::Number::New(info.Env(), rc < 0 ? -errno : 0);
}

}  // namespace

void RegisterLaunch(Napi::Env env, Napi::Object exports) {
  LaunchEnv* le = new LaunchEnv();
  napi_add_env_cleanup_hook(env, CleanupLaunchEnv, le);
  exports.Set("launchSpawn", Napi::Function::New(env, LaunchSpawn, "launchSpawn", le));
  exports.Set("launchWatch", Napi::Function::New(env, LaunchWatch, "launchWatch", le));
  exports.Set("launchRef", Napi::Function::New(env, LaunchRef, "launchRef", le));
  exports.Set("launchKill", Napi::Function::New(env, LaunchKill, "launchKill", le));
  exports.Set("launchExecInPlace", Napi::Function::New(env, LaunchExecInPlace, "launchExecInPlace", le));
}
