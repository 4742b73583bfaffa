// The module's entry (Init registers every area's functions) and the Node-API glue of the
// credential calls: argument conversion and results only; the syscalls are in creds.cc and
// broadcast.cc. xattr.cc, accounts.cc and launch.cc hold their own area's glue (Register*).
// Kernel refusals come back as -errno numbers, never as exceptions; only a call with arguments
// of the wrong type throws (a TypeError: a bug in a caller of lib/backend/native/addon.ts).
#include <napi.h>

#include <dlfcn.h>
#include <linux/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include <string>
#include <vector>

#include "abi.h"
#include "accounts.h"
#include "broadcast.h"
#include "creds.h"
#include "ids.h"
#include "launch.h"
#include "tasks.h"
#include "xattr.h"

namespace {

using caps::RawSyscall;

Napi::Value TypeError(Napi::Env env, const char* message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool ToU64(const Napi::Value& v, uint64_t* out) {
  if (!v.IsBigInt()) return false;
  bool lossless = false;
  *out = v.As<Napi::BigInt>().Uint64Value(&lossless);
  return lossless;
}

Napi::Value LastCap(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), caps::LastCap()); }

Napi::Value Gettid(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), caps::Gettid()); }

// The data of a typed array of `type` and its length in elements, or nullptr if it is not one
// (an empty array's data, which Node-API may give as null, is a valid place to write nothing).
void* TypedOut(napi_env env, napi_value value, napi_typedarray_type want, size_t* length) {
  static uint64_t empty;
  napi_typedarray_type type;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &data, nullptr, nullptr) != napi_ok || type != want) return nullptr;
  return data != nullptr ? data : &empty;
}

// The data of a BigUint64Array of at least `min` elements, with one napi_get_typedarray_info
// (the hot read paths: several node-addon-api accessors would each make that call again).
uint64_t* BigU64Out(napi_env env, napi_value value, size_t min) {
  size_t length = 0;
  void* data = TypedOut(env, value, napi_biguint64_array, &length);
  return data != nullptr && length >= min ? static_cast<uint64_t*>(data) : nullptr;
}

Napi::Value Capget(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t* out = info.Length() < 1 ? nullptr : BigU64Out(env, info[0], 3);
  if (out == nullptr) return TypeError(env, "capget(out): out must be a BigUint64Array of length >= 3");
  return Napi::Number::New(env, caps::Capget(&out[0], &out[1], &out[2]));
}

Napi::Value Capset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t e, p, i;
  if (info.Length() < 3 || !ToU64(info[0], &e) || !ToU64(info[1], &p) || !ToU64(info[2], &i)) {
    return TypeError(env, "capset(e, p, i): three bigint masks below 2**64 expected");
  }
  return Napi::Number::New(env, caps::Capset(e, p, i));
}

Napi::Value Prctl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned long args[5] = {0, 0, 0, 0, 0};
  for (size_t k = 0; k < 5 && k < info.Length(); k++) {
    if (!info[k].IsNumber()) return TypeError(env, "prctl(option, ...args): numbers expected");
    // Through int64 so that -1 reaches the kernel as ~0UL, as C callers would pass it.
    args[k] = static_cast<unsigned long>(info[k].As<Napi::Number>().Int64Value());
  }
  const int option = static_cast<int>(args[0]);
  if (info.Length() < 1 || !caps::IsCapabilityPrctl(option)) return Napi::Number::New(env, -EINVAL);
  return Napi::Number::New(env, static_cast<double>(caps::RawPrctl(option, args[1], args[2], args[3], args[4])));
}

Napi::Value IdArray(Napi::Env env, const uint32_t* ids) {
  Napi::Array a = Napi::Array::New(env, 4);
  for (uint32_t k = 0; k < 4; k++) a.Set(k, Napi::Number::New(env, ids[k]));
  return a;
}

Napi::Value Getresuid(const Napi::CallbackInfo& info) {
  caps::IdsSnapshot ids;
  int r = caps::SnapshotIds(&ids);
  if (r < 0) return Napi::Number::New(info.Env(), r);
  return IdArray(info.Env(), ids.uid);
}

Napi::Value Getresgid(const Napi::CallbackInfo& info) {
  caps::IdsSnapshot ids;
  int r = caps::SnapshotIds(&ids);
  if (r < 0) return Napi::Number::New(info.Env(), r);
  return IdArray(info.Env(), ids.gid);
}

Napi::Value GroupList(Napi::Env env, const uint32_t* list, long count) {
  Napi::Array a = Napi::Array::New(env, static_cast<size_t>(count));
  for (long k = 0; k < count; k++) a.Set(static_cast<uint32_t>(k), Napi::Number::New(env, list[k]));
  return a;
}

Napi::Value Groups(Napi::Env env) {
  // Most processes have a few groups: one syscall into a stack buffer, the whole list only if that fails.
  uint32_t small[64];
  long got = caps::ReadGroupsInto(small, 64);
  if (got >= 0) return GroupList(env, small, got);
  if (got != -EINVAL) return Napi::Number::New(env, static_cast<double>(got));
  std::vector<uint32_t> list;
  got = caps::ReadGroups(&list);
  if (got < 0) return Napi::Number::New(env, static_cast<double>(got));
  return GroupList(env, list.data(), got);
}

Napi::Value Getgroups(const Napi::CallbackInfo& info) { return Groups(info.Env()); }

Napi::Value Snapshot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  caps::ThreadCreds t;
  int r = caps::ReadThreadCreds(&t);
  if (r < 0) return Napi::Number::New(env, r);
  const caps::CapsSnapshot& c = t.caps;
  const caps::IdsSnapshot& ids = t.ids;
  const long securebits = t.securebits, nnp = t.no_new_privs;
  Napi::Value groups = Groups(env);
  if (groups.IsNumber()) return groups;
  Napi::Object o = Napi::Object::New(env);
  o.Set("effective", Napi::BigInt::New(env, c.effective));
  o.Set("permitted", Napi::BigInt::New(env, c.permitted));
  o.Set("inheritable", Napi::BigInt::New(env, c.inheritable));
  o.Set("bounding", Napi::BigInt::New(env, c.bounding));
  o.Set("ambient", Napi::BigInt::New(env, c.ambient));
  o.Set("securebits", Napi::Number::New(env, static_cast<double>(securebits)));
  o.Set("noNewPrivs", Napi::Number::New(env, static_cast<double>(nnp)));
  o.Set("uid", IdArray(env, ids.uid));
  o.Set("gid", IdArray(env, ids.gid));
  o.Set("groups", groups);
  return o;
}

// The data and length of a Uint32Array (nullptr unless it is one).
uint32_t* U32Out(napi_env env, napi_value value, size_t* length) {
  napi_typedarray_type type;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &data, nullptr, nullptr) != napi_ok) return nullptr;
  return type == napi_uint32_array ? static_cast<uint32_t*>(data) : nullptr;
}

// snapshotInto(caps: BigUint64Array(5), words: Uint32Array(12), groups: Uint32Array) → 0 | 1 | -errno
// The whole snapshot into caller-owned typed arrays (no object built here: JS builds it, which
// is several µs cheaper than Node-API object creation). caps = [E, P, I, B, A]; words =
// [securebits, nnp, uid r/e/s/fs, gid r/e/s/fs, ngroups, tid]. 1 = `groups` too small: words[10]
// holds the count needed; call again with a larger array.
Napi::Value SnapshotInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t nwords = 0, ngroups = 0;
  uint64_t* out = info.Length() < 3 ? nullptr : BigU64Out(env, info[0], 5);
  uint32_t* words = out == nullptr ? nullptr : U32Out(env, info[1], &nwords);
  uint32_t* groups = words == nullptr ? nullptr : U32Out(env, info[2], &ngroups);
  if (groups == nullptr || nwords < 12) {
    return TypeError(env, "snapshotInto(caps, words, groups): a BigUint64Array(5), a Uint32Array(12) and a Uint32Array");
  }
  caps::ThreadCreds t;
  int r = caps::ReadThreadCreds(&t);
  if (r < 0) return Napi::Number::New(env, r);
  const caps::CapsSnapshot& c = t.caps;
  const caps::IdsSnapshot& ids = t.ids;
  const long securebits = t.securebits, nnp = t.no_new_privs;
  long got = caps::ReadGroupsInto(groups, ngroups);
  if (got == -EINVAL) {
    long n = caps::ReadGroupsInto(nullptr, 0);
    if (n < 0) return Napi::Number::New(env, static_cast<double>(n));
    words[10] = static_cast<uint32_t>(n);
    return Napi::Number::New(env, 1);
  }
  if (got < 0) return Napi::Number::New(env, static_cast<double>(got));
  out[0] = c.effective, out[1] = c.permitted, out[2] = c.inheritable, out[3] = c.bounding, out[4] = c.ambient;
  words[0] = static_cast<uint32_t>(securebits);
  words[1] = static_cast<uint32_t>(nnp);
  for (int i = 0; i < 4; i++) words[2 + i] = ids.uid[i], words[6 + i] = ids.gid[i];
  words[10] = static_cast<uint32_t>(got);
  words[11] = static_cast<uint32_t>(caps::Gettid());
  return Napi::Number::New(env, 0);
}

Napi::Value SnapshotCaps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t* out = info.Length() < 1 ? nullptr : BigU64Out(env, info[0], 5);
  if (out == nullptr) return TypeError(env, "snapshotCaps(out): out must be a BigUint64Array of length >= 5");
  caps::CapsSnapshot c;
  int r = caps::SnapshotCaps(&c);
  if (r == 0) out[0] = c.effective, out[1] = c.permitted, out[2] = c.inheritable, out[3] = c.bounding, out[4] = c.ambient;
  return Napi::Number::New(env, r);
}

bool ReadProgram(const Napi::CallbackInfo& info, caps::Program* program) {
  if (info.Length() < 1 || !info[0].IsTypedArray()) return false;
  Napi::TypedArray t = info[0].As<Napi::TypedArray>();
  if (t.TypedArrayType() != napi_uint32_array) return false;
  Napi::Uint32Array words = t.As<Napi::Uint32Array>();
  return caps::DecodeProgram(words.Data(), words.ElementLength(), program);
}

// One static program buffer for the main thread's calls (8 KiB; the JS thread is not reentrant).
thread_local caps::Program t_program;

Napi::Value RunProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ReadProgram(info, &t_program)) return TypeError(env, "runProgram(program): a Uint32Array of 8-word steps expected");
  caps::ProgramResult r = caps::RunProgram(t_program, caps::RunMode::kExact);
  Napi::Int32Array out = Napi::Int32Array::New(env, 2);
  out[0] = r.index;
  out[1] = r.err;
  return out;
}

Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!ReadProgram(info, &t_program)) return TypeError(env, "broadcast(program, deadlineMs): a Uint32Array of 8-word steps expected");
  if (info.Length() < 2 || !info[1].IsNumber()) return TypeError(env, "broadcast(program, deadlineMs): deadlineMs must be a number");
  const int deadline = info[1].As<Napi::Number>().Int32Value();
  const int caller_skip = info.Length() >= 3 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
  caps::BroadcastOutcome out;
  caps::Broadcast(t_program, deadline, caller_skip, &out);
  Napi::Object o = Napi::Object::New(env);
  o.Set("status", Napi::Number::New(env, out.status));
  o.Set("callerIndex", Napi::Number::New(env, out.caller_index));
  o.Set("callerErrno", Napi::Number::New(env, out.caller_err));
  Napi::Array results = Napi::Array::New(env, out.report_count);
  for (int k = 0; k < out.report_count; k++) {
    const caps::ThreadReport& r = out.reports[k];
    Napi::Object t = Napi::Object::New(env);
    t.Set("tid", Napi::Number::New(env, r.tid));
    t.Set("index", Napi::Number::New(env, r.index));
    t.Set("errno", Napi::Number::New(env, r.err));
    t.Set("securebits", Napi::Number::New(env, r.securebits));
    t.Set("keepCaps", Napi::Number::New(env, r.keep_caps));
    t.Set("noNewPrivs", Napi::Number::New(env, r.no_new_privs));
    results.Set(static_cast<uint32_t>(k), t);
  }
  o.Set("results", results);
  Napi::Array unreported = Napi::Array::New(env, out.unreported_count);
  for (int k = 0; k < out.unreported_count; k++) unreported.Set(static_cast<uint32_t>(k), Napi::Number::New(env, out.unreported[k]));
  o.Set("unreported", unreported);
  o.Set("elapsedNs", Napi::Number::New(env, static_cast<double>(out.elapsed_ns)));
  o.Set("sweeps", Napi::Number::New(env, out.sweeps));
  o.Set("signalled", Napi::Number::New(env, out.signalled));
  return o;
}

// setBroadcastSignal(signal): 0 or -errno (-EBUSY once a broadcast used another signal).
Napi::Value SetBroadcastSignal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return TypeError(env, "setBroadcastSignal(signal): a signal number expected");
  return Napi::Number::New(env, caps::SetBroadcastSignal(info[0].As<Napi::Number>().Int32Value()));
}

Napi::Value HandlerState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  caps::HandlerInfo h = caps::GetHandlerInfo();
  Napi::Object o = Napi::Object::New(env);
  o.Set("installed", Napi::Boolean::New(env, h.installed));
  o.Set("chained", Napi::Boolean::New(env, h.chained));
  o.Set("previousFlags", Napi::Number::New(env, static_cast<double>(h.previous_flags)));
  return o;
}

Napi::Value TestStartBlockingThread(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), caps::TestStartBlockingThread());
}

Napi::Value TestRestorePreviousHandler(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), caps::TestRestorePreviousHandler());
}

Napi::Value TestStopBlockingThread(const Napi::CallbackInfo& info) {
  caps::TestStopBlockingThread();
  return info.Env().Undefined();
}

// readTasks(mode, words: Int32Array, masks: BigUint64Array, groups: Uint32Array, counts: Float64Array(4)):
// 0 or -errno / kStatusNotProcfs; counts = [tasks listed, group ids needed, the group's Threads:
// in the first status read, in the last] (tasks.h).
Napi::Value ReadTasks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "readTasks(mode, words: Int32Array, masks: BigUint64Array, groups: Uint32Array, counts: Float64Array)";
  if (info.Length() < 5 || !info[0].IsNumber()) return TypeError(env, usage);
  int mode = info[0].As<Napi::Number>().Int32Value();
  size_t words_len = 0, masks_len = 0, groups_len = 0, counts_len = 0;
  auto* words = static_cast<int32_t*>(TypedOut(env, info[1], napi_int32_array, &words_len));
  auto* masks = static_cast<uint64_t*>(TypedOut(env, info[2], napi_biguint64_array, &masks_len));
  auto* groups = static_cast<uint32_t*>(TypedOut(env, info[3], napi_uint32_array, &groups_len));
  auto* counts = static_cast<double*>(TypedOut(env, info[4], napi_float64_array, &counts_len));
  if ((mode != caps::kReadComm && mode != caps::kReadStatus) || words == nullptr || masks == nullptr ||
      groups == nullptr || counts == nullptr || counts_len < 4) {
    return TypeError(env, usage);
  }
  size_t capacity = words_len / caps::kTaskWords;
  if (masks_len / caps::kTaskMasks < capacity) capacity = masks_len / caps::kTaskMasks;
  caps::TaskCount n = caps::ReadTasks(static_cast<caps::TaskReadMode>(mode), {words, masks, capacity, groups, groups_len});
  counts[0] = static_cast<double>(n.tasks);
  counts[1] = static_cast<double>(n.groups);
  counts[2] = static_cast<double>(n.threads_before);
  counts[3] = static_cast<double>(n.threads_after);
  return Napi::Number::New(env, n.status);
}

// Test only: testParseStatus(text, tid, words, masks, groups, counts) parses `text` as task
// `tid`'s status into record 0: whether it is one the kernel writes; counts[1] = groups needed.
Napi::Value TestParseStatus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "testParseStatus(text, tid, words: Int32Array, masks: BigUint64Array, groups: Uint32Array, counts: Float64Array)";
  if (info.Length() < 6 || !info[0].IsString() || !info[1].IsNumber()) return TypeError(env, usage);
  std::string text = info[0].As<Napi::String>().Utf8Value();
  size_t words_len = 0, masks_len = 0, groups_len = 0, counts_len = 0;
  auto* words = static_cast<int32_t*>(TypedOut(env, info[2], napi_int32_array, &words_len));
  auto* masks = static_cast<uint64_t*>(TypedOut(env, info[3], napi_biguint64_array, &masks_len));
  auto* groups = static_cast<uint32_t*>(TypedOut(env, info[4], napi_uint32_array, &groups_len));
  auto* counts = static_cast<double*>(TypedOut(env, info[5], napi_float64_array, &counts_len));
  if (words == nullptr || words_len < caps::kTaskWords || masks == nullptr || masks_len < caps::kTaskMasks ||
      groups == nullptr || counts == nullptr || counts_len < 4) {
    return TypeError(env, usage);
  }
  memset(words, 0, sizeof(int32_t) * caps::kTaskWords);
  memset(masks, 0, sizeof(uint64_t) * caps::kTaskMasks);
  size_t used = 0;
  int tid = info[1].As<Napi::Number>().Int32Value();
  words[caps::kTaskTid] = tid;
  bool ok = caps::ParseTaskStatus(text.data(), text.size(), tid, words, masks, {words, masks, 1, groups, groups_len}, &used);
  counts[1] = static_cast<double>(used);
  return Napi::Boolean::New(env, ok);
}

void Export(Napi::Env env, Napi::Object exports, const char* name, Napi::Function::Callback fn) {
  exports.Set(name, Napi::Function::New(env, fn, name));
}

}  // namespace

// Node unloads an addon with the environment that loaded it (a Worker's), but code of ours
// outlives any one environment: the broadcast's signal handler, launch's reaper threads and libuv close
// callbacks that run after the Worker's cleanup hooks. Keep the library mapped for good.
static void PinLibrary() {
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&PinLibrary), &self) != 0 && self.dli_fname != nullptr) {
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  }
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  PinLibrary();
  Export(env, exports, "lastCap", LastCap);
  Export(env, exports, "gettid", Gettid);
  Export(env, exports, "capget", Capget);
  Export(env, exports, "capset", Capset);
  Export(env, exports, "prctl", Prctl);
  Export(env, exports, "getresuid", Getresuid);
  Export(env, exports, "getresgid", Getresgid);
  Export(env, exports, "getgroups", Getgroups);
  Export(env, exports, "snapshot", Snapshot);
  Export(env, exports, "snapshotCaps", SnapshotCaps);
  Export(env, exports, "snapshotInto", SnapshotInto);
  Export(env, exports, "runProgram", RunProgram);
  Export(env, exports, "broadcast", Broadcast);
  Export(env, exports, "handlerState", HandlerState);
  Export(env, exports, "setBroadcastSignal", SetBroadcastSignal);
  Export(env, exports, "readTasks", ReadTasks);
  const char* test = getenv("LINUX_CAPS_TEST_EXPORTS");
  if (test != nullptr && strcmp(test, "1") == 0) {
    Export(env, exports, "testStartBlockingThread", TestStartBlockingThread);
    Export(env, exports, "testStopBlockingThread", TestStopBlockingThread);
    Export(env, exports, "testRestorePreviousHandler", TestRestorePreviousHandler);
    Export(env, exports, "testParseStatus", TestParseStatus);
  }
  RegisterXattr(env, exports);
  RegisterAccounts(env, exports);
  RegisterIds(env, exports);
  RegisterLaunch(env, exports);
  return exports;
}

NODE_API_MODULE(linux_caps, Init)
