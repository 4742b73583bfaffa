// What the broadcast needs to know about the CPU architecture, in one place (issue 12): how to
// make a raw syscall, the kernel's `struct sigaction` as rt_sigaction(2) reads it, and how a
// signal handler returns. Each layout is checked at compile time. An architecture without a port
// still builds: calling-thread calls work through libc's syscall(), and kBroadcastPort is false,
// so whole-process calls refuse (ERR_CAPS_UNSUPPORTED_ARCH, decided in TypeScript).
#pragma once
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

namespace caps {

// The kernel's struct sigaction for rt_sigaction (include/uapi/asm-generic/signal.h with
// SA_RESTORER defined; x86_64 and arm64 both define it — arm64 "for AArch32 compatibility").
struct KernelSigaction {
  void* handler;
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};
constexpr unsigned long kSaRestorer = 0x04000000;

#if defined(__x86_64__)
constexpr bool kBroadcastPort = true;
// x86_64 has no signal trampoline of its own: a handler returns through sa_restorer, which
// must call rt_sigreturn. libc's actions carry one; ours (kRestorer) is used only where none was.
extern "C" void linux_caps_restore_rt();  // rt_sigreturn; defined in broadcast.cc
constexpr bool kHandlerNeedsRestorer = true;
constexpr void (*kRestorer)() = &linux_caps_restore_rt;

inline long RawSyscall(long n, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0) {
  long ret;
  register long r10 __asm__("r10") = a4;
  register long r8 __asm__("r8") = a5;
  register long r9 __asm__("r9") = a6;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
constexpr bool kBroadcastPort = true;
// arm64 returns from a handler through the vDSO's sigtramp when SA_RESTORER is not set
// (arch/arm64/kernel/signal.c setup_return), so no restorer of ours is ever needed (kRestorer null).
constexpr bool kHandlerNeedsRestorer = false;
constexpr void (*kRestorer)() = nullptr;

inline long RawSyscall(long n, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a1;
  register long x1 __asm__("x1") = a2;
  register long x2 __asm__("x2") = a3;
  register long x3 __asm__("x3") = a4;
  register long x4 __asm__("x4") = a5;
  register long x5 __asm__("x5") = a6;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
}
#else
// No port: the layout and the handler's return path are not known here, so the broadcast is not
// built in; libc's syscall() serves the calling-thread calls.
constexpr bool kBroadcastPort = false;
constexpr bool kHandlerNeedsRestorer = false;
constexpr void (*kRestorer)() = nullptr;

inline long RawSyscall(long n, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0) {
  int saved = errno;
  long ret = syscall(n, a1, a2, a3, a4, a5, a6);
  if (ret == -1) ret = -errno;
  errno = saved;
  return ret;
}
#endif

// Every ported architecture reads that layout (x86_64 and arm64 uapi headers agree).
static_assert(!kBroadcastPort || (offsetof(KernelSigaction, flags) == 8 && offsetof(KernelSigaction, restorer) == 16 &&
                                  offsetof(KernelSigaction, mask) == 24 && sizeof(KernelSigaction) == 32),
              "struct sigaction: handler, flags, restorer, mask");

}  // namespace caps
