// Node-API glue (placeholder until the native core lands).
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  return exports;
}

NODE_API_MODULE(linux_caps, Init)
