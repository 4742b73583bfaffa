// security.capability xattr: raw syscalls, one Node-API function each, -errno on failure.
// Validation and decoding live in TypeScript (lib/filecaps*.ts); this file only moves bytes.
// Paths are never followed: a path with a symbolic link anywhere (a directory component, a
// trailing slash after a link, or the last component) is refused with -ELOOP (openat2
// RESOLVE_NO_SYMLINKS), and the xattr call then acts on the very inode that was opened.
#include "xattr.h"
#include "procfs.h"

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/xattr.h>

namespace {

constexpr const char* kName = "security.capability";
constexpr uint64_t kResolveNoSymlinks = 0x04;  // linux/openat2.h RESOLVE_NO_SYMLINKS

// A v3 xattr is 24 bytes; start a little larger and grow on ERANGE (a foreign, malformed
// value can be longer, and the decoder should see all of it to say what is wrong).
constexpr size_t kFirstGuess = 64;

bool TakeArgs(const Napi::CallbackInfo& info, size_t count, const char* usage) {
  if (info.Length() < count) {
    Napi::TypeError::New(info.Env(), usage).ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// Reads a path argument; false (with a JS exception pending) when it is not a string.
bool PathArg(const Napi::CallbackInfo& info, std::string* out) {
  if (!info[0].IsString()) {
    Napi::TypeError::New(info.Env(), "path must be a string").ThrowAsJavaScriptException();
    return false;
  }
  *out = info[0].As<Napi::String>().Utf8Value();
  return true;
}

bool FdArg(const Napi::CallbackInfo& info, int* out) {
  if (!info[0].IsNumber()) {
    Napi::TypeError::New(info.Env(), "fd must be a number").ThrowAsJavaScriptException();
    return false;
  }
  *out = info[0].As<Napi::Number>().Int32Value();
  return true;
}

bool BytesArg(const Napi::CallbackInfo& info, const uint8_t** data, size_t* size) {
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(info.Env(), "value must be a Uint8Array").ThrowAsJavaScriptException();
    return false;
  }
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  *data = bytes.Data();
  *size = bytes.ByteLength();
  return true;
}

// An O_PATH fd for `path`, resolved without following a symbolic link anywhere on the way
// (openat2 RESOLVE_NO_SYMLINKS: a link in a directory component, a trailing slash after a link,
// or a final link all give -ELOOP), or -errno. Kernels without openat2 (before 5.6): every
// component is checked with lstat first (a racy best effort, said in SECURITY.md).
// O_PATH | O_NOFOLLOW opens a final symbolic link itself (even under RESOLVE_NO_SYMLINKS); the
// xattr call through /proc/self/fd would then follow it. Refuse it: the fd, or -ELOOP.
int RefuseLink(int fd) {
  struct stat st;
  if (fstat(fd, &st) == 0 && !S_ISLNK(st.st_mode)) return fd;
  close(fd);
  return -ELOOP;
}

int OpenNoSymlinks(const std::string& path) {
  struct OpenHow { uint64_t flags, mode, resolve; } how = {O_PATH | O_CLOEXEC | O_NOFOLLOW, 0, kResolveNoSymlinks};
  long fd = syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how);
  if (fd >= 0) return RefuseLink(static_cast<int>(fd));
  if (errno != ENOSYS) return -errno;
  for (size_t at = path.find('/', 1); ; at = path.find('/', at + 1)) {
    const std::string prefix = at == std::string::npos ? path : path.substr(0, at);
    struct stat st;
    if (!prefix.empty() && lstat(prefix.c_str(), &st) != 0) return -errno;
    if (!prefix.empty() && S_ISLNK(st.st_mode)) return -ELOOP;
    if (at == std::string::npos) break;
  }
  fd = open(path.c_str(), O_PATH | O_CLOEXEC | O_NOFOLLOW);
  return fd >= 0 ? RefuseLink(static_cast<int>(fd)) : -errno;
}

// Runs `op(procPath)` on the file an O_PATH fd names, through /proc/self/fd/N (the xattr calls
// take no O_PATH fd), after checking that /proc/self/fd is procfs: a forged /proc could point
// the link anywhere. Returns op's result, or -errno.
template <typename Op>
long OnPathFd(const std::string& path, Op op) {
  int fd = OpenNoSymlinks(path);
  if (fd < 0) return fd;
  struct statfs fs;
  long rc;
  if (statfs("/proc/self/fd", &fs) != 0) rc = -errno;
  else if (fs.f_type != caps::kProcSuperMagic) rc = -ENOTSUP;
  else rc = op(("/proc/self/fd/" + std::to_string(fd)).c_str());
  const int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

// Calls `get(buffer, size)` (an l/fgetxattr) until the buffer is large enough.
template <typename Getter>
Napi::Value ReadValue(Napi::Env env, Getter get) {
  std::vector<uint8_t> buffer(kFirstGuess);
  for (int attempt = 0; attempt < 4; ++attempt) {
    ssize_t got = get(buffer.data(), buffer.size());
    if (got >= 0) return Napi::Buffer<uint8_t>::Copy(env, buffer.data(), static_cast<size_t>(got));
    if (errno != ERANGE) return Napi::Number::New(env, -errno);
    ssize_t needed = get(nullptr, 0);  // the value grew between calls, or is unusually long
    if (needed < 0) return Napi::Number::New(env, -errno);
    buffer.resize(static_cast<size_t>(needed) + 1);
  }
  return Napi::Number::New(env, -ERANGE);
}

Napi::Value GetPath(const Napi::CallbackInfo& info) {
  std::string path;
  if (!TakeArgs(info, 1, "xattrGetPath(path)") || !PathArg(info, &path)) return info.Env().Undefined();
  Napi::Value out = info.Env().Undefined();
  long rc = OnPathFd(path, [&](const char* at) {
    out = ReadValue(info.Env(), [&](void* buf, size_t size) { return getxattr(at, kName, buf, size); });
    return 0L;
  });
  return rc < 0 ? Napi::Number::New(info.Env(), static_cast<double>(rc)) : out;
}

Napi::Value GetFd(const Napi::CallbackInfo& info) {
  int fd;
  if (!TakeArgs(info, 1, "xattrGetFd(fd)") || !FdArg(info, &fd)) return info.Env().Undefined();
  return ReadValue(info.Env(), [&](void* buf, size_t size) { return fgetxattr(fd, kName, buf, size); });
}

Napi::Value SetPath(const Napi::CallbackInfo& info) {
  std::string path;
  const uint8_t* data;
  size_t size;
  if (!TakeArgs(info, 2, "xattrSetPath(path, bytes)") || !PathArg(info, &path) || !BytesArg(info, &data, &size)) {
    return info.Env().Undefined();
  }
  long rc = OnPathFd(path, [&](const char* at) { return setxattr(at, kName, data, size, 0) == 0 ? 0L : -static_cast<long>(errno); });
  return Napi::Number::New(info.Env(), static_cast<double>(rc));
}

Napi::Value SetFd(const Napi::CallbackInfo& info) {
  int fd;
  const uint8_t* data;
  size_t size;
  if (!TakeArgs(info, 2, "xattrSetFd(fd, bytes)") || !FdArg(info, &fd) || !BytesArg(info, &data, &size)) {
    return info.Env().Undefined();
  }
  int rc = fsetxattr(fd, kName, data, size, 0);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : -errno);
}

Napi::Value RemovePath(const Napi::CallbackInfo& info) {
  std::string path;
  if (!TakeArgs(info, 1, "xattrRemovePath(path)") || !PathArg(info, &path)) return info.Env().Undefined();
  long rc = OnPathFd(path, [&](const char* at) { return removexattr(at, kName) == 0 ? 0L : -static_cast<long>(errno); });
  return Napi::Number::New(info.Env(), static_cast<double>(rc));
}

Napi::Value RemoveFd(const Napi::CallbackInfo& info) {
  int fd;
  if (!TakeArgs(info, 1, "xattrRemoveFd(fd)") || !FdArg(info, &fd)) return info.Env().Undefined();
  int rc = fremovexattr(fd, kName);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : -errno);
}

}  // namespace

void RegisterXattr(Napi::Env env, Napi::Object exports) {
  exports.Set("xattrGetPath", Napi::Function::New(env, GetPath, "xattrGetPath"));
  exports.Set("xattrGetFd", Napi::Function::New(env, GetFd, "xattrGetFd"));
  exports.Set("xattrSetPath", Napi::Function::New(env, SetPath, "xattrSetPath"));
  exports.Set("xattrSetFd", Napi::Function::New(env, SetFd, "xattrSetFd"));
  exports.Set("xattrRemovePath", Napi::Function::New(env, RemovePath, "xattrRemovePath"));
  exports.Set("xattrRemoveFd", Napi::Function::New(env, RemoveFd, "xattrRemoveFd"));
}
