/**
 * The signal a whole-process call reaches every other thread through, per libc: the one that
 * libc keeps for its own set*id broadcast, so its sigfillset, sigprocmask and pthread_sigmask
 * leave it unblocked on every thread whose mask was built through libc (spec node-engineering
 * §1.1, §2.2, §3.1). glibc: 33 (SIGSETXID; its sigfillset leaves out 32–33). musl: 34
 * (SIGSYNCCALL; its sigfillset leaves out 32–34). Both refuse their signal in sigaction, so the
 * addon installs its handler with the raw rt_sigaction.
 */
export const BROADCAST_SIGNAL = { glibc: 33, musl: 34 } as const;
