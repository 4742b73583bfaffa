// Node-API registration for the xattr functions (owned by the xattr work; addon.cc only calls this).
#pragma once
#include <napi.h>

void RegisterXattr(Napi::Env env, Napi::Object exports);
