// Node-API registration of the process-wide id changes: libc's own setgroups, setresgid and
// setresuid, which glibc (SIGSETXID) and musl (__synccall) apply to every thread of the process,
// as Node's process.setgroups/setgid/setuid do; called from the addon so that no runtime's
// `process` object is needed (issue 25).
#pragma once
#include <napi.h>

// Registers, on `exports`:
//   setIds(groups: Uint32Array | null, gid: number, uid: number) -> Int32Array [step, -errno]
//     groups first (null: unchanged), then gid (-1: unchanged) as real, effective and saved,
//     then uid likewise; step is 1, 2 or 3 for the call that failed (nothing after it ran),
//     or 0 with errno 0 when all ran.
void RegisterIds(Napi::Env env, Napi::Object exports);
