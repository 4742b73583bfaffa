// Placeholder: registers nothing until the launch work lands.
#include "launch.h"

void RegisterLaunch(Napi::Env, Napi::Object) {}
