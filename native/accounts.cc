// Account lookups through libc's NSS: the reentrant getpw*_r / getgr*_r calls and getgrouplist.
// Thin on purpose: a name or id in, the entry's fields out; what to do with them is TypeScript's
// (lib/operations/accounts.ts). Runs on the calling thread: NSS modules may keep per-thread state.
#include "accounts.h"

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace {

constexpr size_t kFirstBuffer = 4096;
constexpr size_t kMaxBuffer = 1 << 22;  // an entry larger than 4 MiB is refused with -ERANGE
constexpr int kMaxGroups = 65536;       // NGROUPS_MAX of Linux

// A name (string without NUL) or an id (integer 0..2^32-2) from info[0]; false with a pending
// TypeError otherwise.
bool NameOrId(const Napi::CallbackInfo& info, std::string* name, uint32_t* id, bool* byId) {
  Napi::Env env = info.Env();
  if (info.Length() >= 1 && info[0].IsString()) {
    *name = info[0].As<Napi::String>().Utf8Value();
    if (name->empty() || name->find('\0') != std::string::npos) {
      Napi::TypeError::New(env, "name must be a non-empty string without NUL").ThrowAsJavaScriptException();
      return false;
    }
    *byId = false;
    return true;
  }
  if (info.Length() >= 1 && info[0].IsNumber()) {
    double v = info[0].As<Napi::Number>().DoubleValue();
    if (v >= 0 && v <= 4294967294.0 && v == static_cast<double>(static_cast<uint32_t>(v))) {
      *id = static_cast<uint32_t>(v);
      *byId = true;
      return true;
    }
  }
  Napi::TypeError::New(env, "expected a name or an id from 0 to 4294967294").ThrowAsJavaScriptException();
  return false;
}

// Calls `lookup(buffer)` with a growing buffer while it reports ERANGE; returns its errno (0 ok).
template <typename Lookup>
int WithBuffer(std::vector<char>* buffer, Lookup lookup) {
  for (size_t size = kFirstBuffer; size <= kMaxBuffer; size *= 2) {
    buffer->resize(size);
    int rc = lookup(buffer->data(), buffer->size());
    if (rc != ERANGE) return rc;
  }
  return ERANGE;
}

Napi::Value User(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  uint32_t id = 0;
  bool byId = false;
  if (!NameOrId(info, &name, &id, &byId)) return env.Undefined();
  struct passwd entry {};
  struct passwd* found = nullptr;
  std::vector<char> buffer;
  int rc = WithBuffer(&buffer, [&](char* data, size_t size) {
    return byId ? getpwuid_r(id, &entry, data, size, &found) : getpwnam_r(name.c_str(), &entry, data, size, &found);
  });
  // getpw*_r report "no such entry" as 0 (or ENOENT, ESRCH, EBADF, EPERM from some modules) with no result.
  if (found == nullptr && (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)) return env.Null();
  if (rc != 0 || found == nullptr) return Napi::Number::New(env, -(rc != 0 ? rc : EIO));
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", Napi::String::New(env, entry.pw_name));
  o.Set("uid", Napi::Number::New(env, entry.pw_uid));
  o.Set("gid", Napi::Number::New(env, entry.pw_gid));
  o.Set("home", Napi::String::New(env, entry.pw_dir != nullptr ? entry.pw_dir : ""));
  o.Set("shell", Napi::String::New(env, entry.pw_shell != nullptr ? entry.pw_shell : ""));
  return o;
}

Napi::Value Group(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  uint32_t id = 0;
  bool byId = false;
  if (!NameOrId(info, &name, &id, &byId)) return env.Undefined();
  struct group entry {};
  struct group* found = nullptr;
  std::vector<char> buffer;
  int rc = WithBuffer(&buffer, [&](char* data, size_t size) {
    return byId ? getgrgid_r(id, &entry, data, size, &found) : getgrnam_r(name.c_str(), &entry, data, size, &found);
  });
  if (found == nullptr && (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM)) return env.Null();
  if (rc != 0 || found == nullptr) return Napi::Number::New(env, -(rc != 0 ? rc : EIO));
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", Napi::String::New(env, entry.gr_name));
  o.Set("gid", Napi::Number::New(env, entry.gr_gid));
  Napi::Array members = Napi::Array::New(env);
  uint32_t n = 0;
  for (char** m = entry.gr_mem; m != nullptr && *m != nullptr; ++m) members.Set(n++, Napi::String::New(env, *m));
  o.Set("members", members);
  return o;
}

Napi::Value GroupList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "accountGroupList(name, gid)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  double g = info[1].As<Napi::Number>().DoubleValue();
  if (name.empty() || name.find('\0') != std::string::npos || !(g >= 0 && g <= 4294967294.0) ||
      g != static_cast<double>(static_cast<uint32_t>(g))) {
    Napi::TypeError::New(env, "accountGroupList: a name without NUL and a gid from 0 to 4294967294").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<gid_t> groups(64);
  for (;;) {
    int count = static_cast<int>(groups.size());
    if (getgrouplist(name.c_str(), static_cast<gid_t>(g), groups.data(), &count) >= 0) {
      groups.resize(static_cast<size_t>(count));
      break;
    }
    // Too small: glibc sets count to what is needed.
    if (count <= static_cast<int>(groups.size()) || count > kMaxGroups) return Napi::Number::New(env, -ERANGE);
    groups.resize(static_cast<size_t>(count));
  }
  Napi::Array out = Napi::Array::New(env, groups.size());
  for (size_t i = 0; i < groups.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, groups[i]));
  return out;
}

}  // namespace

void RegisterAccounts(Napi::Env env, Napi::Object exports) {
  exports.Set("accountUser", Napi::Function::New(env, User, "accountUser"));
  exports.Set("accountGroup", Napi::Function::New(env, Group, "accountGroup"));
  exports.Set("accountGroupList", Napi::Function::New(env, GroupList, "accountGroupList"));
}
