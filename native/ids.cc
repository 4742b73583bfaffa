// The process-wide id changes (see ids.h): argument checks and three libc calls, in the order
// the kernel allows (groups and gids while the uid can still change them).
#include "ids.h"

#include <cerrno>
#include <cstdint>
#include <grp.h>
#include <unistd.h>

namespace {

constexpr int kStepGroups = 1;
constexpr int kStepGid = 2;
constexpr int kStepUid = 3;

// An id argument: -1 (leave it) or 0..2^32-2.
bool IdArg(const Napi::Value& v, int64_t* out) {
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (d == -1) { *out = -1; return true; }
  if (d < 0 || d > 4294967294.0 || d != static_cast<double>(static_cast<uint32_t>(d))) return false;
  *out = static_cast<int64_t>(d);
  return true;
}

Napi::Value Result(Napi::Env env, int step, int err) {
  Napi::Int32Array out = Napi::Int32Array::New(env, 2);
  out[0] = step;
  out[1] = err;
  return out;
}

Napi::Value SetIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t gid = -1, uid = -1;
  const bool groupsOk = info.Length() >= 1 && (info[0].IsNull() || info[0].IsTypedArray());
  if (!groupsOk || info.Length() < 3 || !IdArg(info[1], &gid) || !IdArg(info[2], &uid)) {
    Napi::TypeError::New(env, "setIds(groups: Uint32Array | null, gid: number, uid: number): ids are -1 or 0..4294967294").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info[0].IsTypedArray()) {
    Napi::TypedArray t = info[0].As<Napi::TypedArray>();
    if (t.TypedArrayType() != napi_uint32_array) {
      Napi::TypeError::New(env, "setIds: groups must be a Uint32Array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint32Array groups = t.As<Napi::Uint32Array>();
    if (setgroups(groups.ElementLength(), reinterpret_cast<const gid_t*>(groups.Data())) != 0) return Result(env, kStepGroups, -errno);
  }
  if (gid >= 0) {
    const gid_t g = static_cast<gid_t>(gid);
    if (setresgid(g, g, g) != 0) return Result(env, kStepGid, -errno);
  }
  if (uid >= 0) {
    const uid_t u = static_cast<uid_t>(uid);
    if (setresuid(u, u, u) != 0) return Result(env, kStepUid, -errno);
  }
  return Result(env, 0, 0);
}

}  // namespace

void RegisterIds(Napi::Env env, Napi::Object exports) {
  exports.Set("setIds", Napi::Function::New(env, SetIds, "setIds"));
}
