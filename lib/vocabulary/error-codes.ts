/**
 * Every code linux-caps gives its own errors, with what it means: one registry, as Node keeps
 * its own in lib/internal/errors.js. A kernel refusal carries the errno's name instead
 * ('EPERM', 'EINVAL'). The README's error table is this list (a test holds them equal), and a
 * test refuses an `ERR_CAPS_*` literal in lib/ that is not here.
 */
/**
 * A code from the registry: every `ERR_CAPS_*` code linux-caps throws.
 * @example
 * try { capFromName('cap_nope'); } catch (err) {
 *   const code: CapsErrorCode | undefined = err instanceof CapsError && err.code.startsWith('ERR_') ? err.code as CapsErrorCode : undefined;
 *   code;   // 'ERR_CAPS_UNKNOWN_CAP'
 * }
 */
export type CapsErrorCode =
  | 'ERR_CAPS_INVALID_ARG'
  | 'ERR_CAPS_PARSE'
  | 'ERR_CAPS_UNKNOWN_CAP'
  | 'ERR_CAPS_UNKNOWN_USER'
  | 'ERR_CAPS_UNKNOWN_GROUP'
  | 'ERR_CAPS_BAD_XATTR'
  | 'ERR_CAPS_PROC_PARSE'
  | 'ERR_CAPS_PROC_READ'
  | 'ERR_CAPS_NO_PROCFS'
  | 'ERR_CAPS_PARTIAL'
  | 'ERR_CAPS_VERIFY'
  | 'ERR_CAPS_NOT_UNIFORM'
  | 'ERR_CAPS_CANNOT_DROP'
  | 'ERR_CAPS_NOT_MAIN_THREAD'
  | 'ERR_CAPS_IO_URING'
  | 'ERR_CAPS_TOO_MANY_THREADS'
  | 'ERR_CAPS_BUSY'
  | 'ERR_CAPS_BROADCAST_OFF'
  | 'ERR_CAPS_UNSUPPORTED'
  | 'ERR_CAPS_UNSUPPORTED_LIBC'
  | 'ERR_CAPS_UNSUPPORTED_ARCH'
  | 'ERR_CAPS_MODEL_FROM_ENV'
  | 'ERR_CAPS_ENV_EXITING'
  | 'ERR_CAPS_WATCH'
  | 'ERR_CAPS_VSERVER_CONFIG'
  | 'ERR_CAPS_NEED_BASELINE'
  | 'ERR_CAPS_NEED_FLAKY'
  | 'ERR_CAPS_NEED_BUDGET';

/**
 * Each code with what it means (the README's error table).
 * @example
 * ERROR_CODES.ERR_CAPS_PARTIAL;   // 'a whole-process change reached some threads and not others …'
 * Object.keys(ERROR_CODES).length;
 */
export const ERROR_CODES: Readonly<Record<CapsErrorCode, string>> = Object.freeze({
  ERR_CAPS_INVALID_ARG: 'an argument or option is not what the call takes (the message names it and what was expected)',
  ERR_CAPS_PARSE: 'capability or IAB text does not parse; `offset` and `expected` say where and what',
  ERR_CAPS_UNKNOWN_CAP: 'a capability name or number this library or this kernel does not know',
  ERR_CAPS_UNKNOWN_USER: 'a user name that is not a uid and not in the account databases',
  ERR_CAPS_UNKNOWN_GROUP: 'a group name that is not a gid and not in the account databases',
  ERR_CAPS_BAD_XATTR: 'a security.capability value the kernel would not read (size, revision or flags)',
  ERR_CAPS_PROC_PARSE: 'a /proc file is not in the format the kernel writes',
  ERR_CAPS_PROC_READ: 'a /proc file could not be read',
  ERR_CAPS_NO_PROCFS: 'the /proc a check would trust is missing or not procfs: nothing was changed',
  ERR_CAPS_PARTIAL: 'a whole-process change reached some threads and not others (`tids`); nothing is rolled back',
  ERR_CAPS_VERIFY: 'a change was made but reading it back does not show it',
  ERR_CAPS_NOT_UNIFORM: 'caps.get(): the threads of this process do not share one state (`tids` differ from the caller); thread.get() reads the caller alone',
  ERR_CAPS_CANNOT_DROP: 'dropPrivileges cannot do what was asked from this state (said before anything changes)',
  ERR_CAPS_NOT_MAIN_THREAD: 'a whole-process call from a Worker: only the main thread may make one',
  ERR_CAPS_IO_URING: "io_uring worker threads would keep the old credentials: set UV_USE_IO_URING=0",
  ERR_CAPS_TOO_MANY_THREADS: 'more threads than one broadcast can reach',
  ERR_CAPS_BUSY: 'another whole-process change is running',
  ERR_CAPS_BROADCAST_OFF: 'LINUX_CAPS_BROADCAST=off forbids whole-process calls; thread.* still works',
  ERR_CAPS_UNSUPPORTED: 'the addon could not load (every path tried is in the message), or the call needs Linux',
  ERR_CAPS_UNSUPPORTED_LIBC: 'whole-process calls need glibc (signal 33) or musl (signal 34); this Node runs on neither',
  ERR_CAPS_UNSUPPORTED_ARCH: 'whole-process calls are not supported on this architecture',
  ERR_CAPS_MODEL_FROM_ENV: 'LINUX_CAPS_BACKEND=model was inherited on Linux: refused, as a change there would not reach the kernel',
  ERR_CAPS_ENV_EXITING: 'launch() in a Worker that is shutting down',
  ERR_CAPS_WATCH: "a launched child started but its exit cannot be watched; it is reaped in the background",
  ERR_CAPS_VSERVER_CONFIG: 'a util-vserver configuration file the model cannot read',
  ERR_CAPS_NEED_BASELINE: 'findNeededCaps: the command fails even with every capability this process can give: nothing to minimise',
  ERR_CAPS_NEED_FLAKY: 'findNeededCaps: runs of the command with the same capabilities disagree (exit status or output), so no set can be trusted',
  ERR_CAPS_NEED_BUDGET: "findNeededCaps: the search's time budget ran out",
});
