// The wire format of credential steps, shared by programs (the broadcast: every thread) and
// launch plans (one child between fork and exec): 8 u32 words per step,
//   word 0      the code below
//   word 1      arg: a capability, the securebits word, 0|1 (keepCaps.set; raiseAll: an I is given)
//   words 2..7  three 64-bit operands, lo then hi: capset E, P, I; converge.* as noted;
//               setresuid/setresgid real, effective, saved (lo words; 0xffffffff = unchanged);
//               raiseAll the I to set when word 1 is 1
// lib/backend/wire.ts writes it; its WIRE_OPS table spells each name once, and
// test/native/wire.test.ts checks this enum against it (kOp + the name in PascalCase).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace caps {

enum WireOp : uint32_t {
  kOpCapset = 1,
  kOpBoundingDrop = 2,
  kOpAmbientRaise = 3,
  kOpAmbientLower = 4,
  kOpAmbientClear = 5,
  kOpSecurebitsSet = 6,
  kOpKeepCapsSet = 7,
  kOpNoNewPrivsSet = 8,
  // Convergence (programs only): bring a thread to an absolute state (the caller's) with the
  // fewest syscalls; each is a no-op on a thread already there. The broadcast runs them first,
  // so every thread equals the caller before the program runs (all attributes travel together).
  kOpConvergeSecurebits = 9,   // arg = the securebits word
  kOpConvergeBounding = 10,    // operand 1 = the bounding set to keep (drops the rest)
  kOpConvergeCaps = 11,        // E, P, I absolute: capset only if they differ
  kOpConvergeAmbient = 12,     // operand 1 = the ambient set (raise/lower the difference)
  kOpConvergeNoNewPrivs = 13,  // set no_new_privs if it is not set
  // Launch plans only (the child between fork and exec).
  kOpSetgroups = 14,           // the groups array beside the plan
  kOpSetresgid = 15,
  kOpSetresuid = 16,
  kOpChdir = 17,               // the cwd beside the plan
  kOpRaiseAll = 18,            // capget, then capset(E := P, P, I := operand 3 if arg, else the current I)
};

constexpr size_t kWordsPerStep = 8;

}  // namespace caps
