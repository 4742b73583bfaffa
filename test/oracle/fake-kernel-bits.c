/*
 * LD_PRELOAD shim: makes libcap believe the kernel supports LINUX_CAPS_FAKE_CAP_BITS
 * capabilities (text-formats §2.4). libcap sizes itself once, in a constructor, by a binary
 * search with prctl(PR_CAPBSET_READ, n): a kernel answers 0 or 1 below its last cap and
 * EINVAL above. Debian's libcap 2.66 imports both `prctl` and `syscall`; its probe goes through
 * libc's `prctl` (test/text/kernel-bits.test.ts proves it with this file built with
 * -DHOOK_SYSCALL=0, hooking prctl alone), and `syscall` is hooked too so that a build routing
 * prctl through syscall(SYS_prctl) is faked as well.
 * Only PR_CAPBSET_READ is answered here; everything else goes to the real kernel.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static long fake_bits(void) {
    const char *s = getenv("LINUX_CAPS_FAKE_CAP_BITS");
    if (s == NULL || *s == '\0') return -1;
    long n = strtol(s, NULL, 10);
    return n >= 1 && n <= 64 ? n : -1;
}

/* Returns 1 and sets *result when the call is a PR_CAPBSET_READ this shim answers. */
static int answer_capbset_read(long option, unsigned long cap, long *result) {
    long bits = fake_bits();
    if (option != PR_CAPBSET_READ || bits < 0) return 0;
    if (cap < (unsigned long) bits) {
        *result = 1;
    } else {
        errno = EINVAL;
        *result = -1;
    }
    return 1;
}

int prctl(int option, ...) {
    va_list ap;
    va_start(ap, option);
    unsigned long a2 = va_arg(ap, unsigned long);
    unsigned long a3 = va_arg(ap, unsigned long);
    unsigned long a4 = va_arg(ap, unsigned long);
    unsigned long a5 = va_arg(ap, unsigned long);
    va_end(ap);
    long result;
    if (answer_capbset_read(option, a2, &result)) return (int) result;
    return (int) syscall(SYS_prctl, option, a2, a3, a4, a5);
}

#ifndef HOOK_SYSCALL
#define HOOK_SYSCALL 1
#endif

#if HOOK_SYSCALL
long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
    va_end(ap);
    long result;
    if (number == SYS_prctl && answer_capbset_read(a[0], (unsigned long) a[1], &result)) return result;
    static long (*real_syscall)(long, ...);
    if (real_syscall == NULL) real_syscall = (long (*)(long, ...)) dlsym(RTLD_NEXT, "syscall");
    return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
#endif
