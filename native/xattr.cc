// Placeholder: registers nothing until the xattr work lands.
#include "xattr.h"

void RegisterXattr(Napi::Env, Napi::Object) {}
