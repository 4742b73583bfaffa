// launch: fork a child, apply a credential plan in it with raw syscalls, then execve.
// Registered by addon.cc; everything here runs on the calling JS thread (never the threadpool).
#pragma once
#include <napi.h>

void RegisterLaunch(Napi::Env env, Napi::Object exports);
