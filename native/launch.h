// Node-API registration for the launch functions (owned by the launch work; addon.cc only calls this).
#pragma once
#include <napi.h>

void RegisterLaunch(Napi::Env env, Napi::Object exports);
