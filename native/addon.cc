// Node-API glue (placeholder until the native core lands).
#include <napi.h>
#include "launch.h"
#include "xattr.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterXattr(env, exports);
  RegisterLaunch(env, exports);
  return exports;
}

NODE_API_MODULE(linux_caps, Init)
