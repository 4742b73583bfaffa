// security.capability xattr: raw syscalls, one Node-API function each, -errno on failure.
// Validation and decoding live in TypeScript (lib/filecaps*.ts); this file only moves bytes.
// Paths are never followed: the l*xattr calls act on the link itself, and a path that names
// a symbolic link is refused with -ELOOP before any syscall on it (setcap: "Invalid file").
#include "xattr.h"

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>
#include <sys/stat.h>
#include <sys/xattr.h>

namespace {

constexpr const char* kName = "security.capability";

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

// 0 when `path` exists and is not a symbolic link, else -errno (-ELOOP for a link).
int RefuseSymlink(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return -errno;
  return S_ISLNK(st.st_mode) ? -ELOOP : 0;
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
  if (int refused = RefuseSymlink(path)) return Napi::Number::New(info.Env(), refused);
  return ReadValue(info.Env(), [&](void* buf, size_t size) { return lgetxattr(path.c_str(), kName, buf, size); });
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
  if (int refused = RefuseSymlink(path)) return Napi::Number::New(info.Env(), refused);
  int rc = lsetxattr(path.c_str(), kName, data, size, 0);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : -errno);
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
  if (int refused = RefuseSymlink(path)) return Napi::Number::New(info.Env(), refused);
  int rc = lremovexattr(path.c_str(), kName);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : -errno);
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
