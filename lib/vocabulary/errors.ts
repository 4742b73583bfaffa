/**
 * CapsError: every failure of linux-caps, shaped like Node's own system errors
 * (`code`, negative `errno`, `syscall`), plus what was asked (`op`, `cap`) and, where the
 * kernel's rules say why, the reason.
 */
import {
  EPERM, ENOENT, ESRCH, EINTR, EIO, E2BIG, ENOEXEC, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT, EBUSY, EEXIST, ENOTDIR, EISDIR, EINVAL, EMFILE, ETXTBSY, ENOSPC, EROFS, ERANGE, ENAMETOOLONG, ENOSYS, ELOOP, ENODATA, EOVERFLOW, EOPNOTSUPP, ETIMEDOUT,
} from './abi.js';
import type { CapsErrorCode } from './error-codes.js';

/** Linux errno names and messages (x86_64 numbering; the model speaks Linux on every OS). */
const LINUX_ERRNO: Record<number, [ErrnoCode, string]> = {
  [EPERM]: ['EPERM', 'operation not permitted'],
  [ENOENT]: ['ENOENT', 'no such file or directory'],
  [ESRCH]: ['ESRCH', 'no such process'],
  [EINTR]: ['EINTR', 'interrupted system call'],
  [EIO]: ['EIO', 'i/o error'],
  [E2BIG]: ['E2BIG', 'argument list too long'],
  [ENOEXEC]: ['ENOEXEC', 'exec format error'],
  [EBADF]: ['EBADF', 'bad file descriptor'],
  [EAGAIN]: ['EAGAIN', 'resource temporarily unavailable'],
  [ENOMEM]: ['ENOMEM', 'not enough memory'],
  [EACCES]: ['EACCES', 'permission denied'],
  [EFAULT]: ['EFAULT', 'bad address in system call argument'],
  [EBUSY]: ['EBUSY', 'resource busy or locked'],
  [EEXIST]: ['EEXIST', 'file already exists'],
  [ENOTDIR]: ['ENOTDIR', 'not a directory'],
  [EISDIR]: ['EISDIR', 'illegal operation on a directory'],
  [EINVAL]: ['EINVAL', 'invalid argument'],
  [EMFILE]: ['EMFILE', 'too many open files'],
  [ETXTBSY]: ['ETXTBSY', 'text file is busy'],
  [ENOSPC]: ['ENOSPC', 'no space left on device'],
  [EROFS]: ['EROFS', 'read-only file system'],
  [ERANGE]: ['ERANGE', 'result too large'],
  [ENAMETOOLONG]: ['ENAMETOOLONG', 'name too long'],
  [ENOSYS]: ['ENOSYS', 'function not implemented'],
  [ELOOP]: ['ELOOP', 'too many symbolic links encountered'],
  [ENODATA]: ['ENODATA', 'no data available'],
  [EOVERFLOW]: ['EOVERFLOW', 'value too large for defined data type'],
  [EOPNOTSUPP]: ['EOPNOTSUPP', 'operation not supported'],
  [ETIMEDOUT]: ['ETIMEDOUT', 'connection timed out'],
};

/** `['EPERM', 'operation not permitted']` for -1 or 1; a generic pair for unknown numbers. */
export function errnoName(errno: number): [ErrnoCode, string] {
  const n = Math.abs(errno);
  return LINUX_ERRNO[n] ?? [`E${n}`, `unknown error ${n}`];
}

/**
 * What `CapsError.code` holds: one of the library's own codes (the README's error table), or the
 * name of the errno the kernel returned (`'EPERM'`, `'EINVAL'`, …), as in Node's system errors.
  * @example
  * function isPermission(code: CapsErrorCodeOrErrno): boolean { return code === 'EPERM' || code === 'ERR_CAPS_CANNOT_DROP'; }
  * isPermission('EPERM');   // true
 */
export type CapsErrorCodeOrErrno = CapsErrorCode | ErrnoCode;

/**
 * An errno's name, as Node's system errors spell it: `'EPERM'`.
 * @example
 * const code: ErrnoCode = 'EPERM';
 */
export type ErrnoCode = `E${Uppercase<string>}`;

/**
 * The fields a CapsError is built from (its constructor's argument).
 * @example
 * const init: CapsErrorInit = { code: 'ERR_CAPS_INVALID_ARG', errno: -22, message: 'deadlineMs: expected a positive number' };
 * new CapsError(init).errno;   // -22
 */
export interface CapsErrorInit {
  /** `ERR_CAPS_*` (see ERROR_CODES) or the errno's name ('EPERM'). */
  code: CapsErrorCodeOrErrno;
  /** What was asked and why it failed. */
  message: string;
  /** Negative errno, as in Node's fs errors. */
  errno?: number;
  /** The syscall that failed (capset, prctl, setxattr, …). */
  syscall?: string;
  /** The operation asked for, e.g. 'PR_CAPBSET_DROP'. */
  op?: string;
  /** libcap's lower-case name of the capability involved. */
  cap?: string;
  /** Threads concerned (partial application, divergence). */
  tids?: number[];
  /** Parse errors: where the text went wrong, and what would have been accepted there. */
  offset?: number;
  /** Parse errors: what would have been accepted at offset. */
  expected?: string;
  /** The kernel rule that refused, in words (from the model or the spec). */
  reason?: string;
  /** Spec section the reason comes from, e.g. 'kernel-semantics §2.3'. */
  rule?: string;
  /** The file or /proc path involved. */
  path?: string;
  /** The underlying error (kept as the standard Error cause). */
  cause?: unknown;
}

/**
 * Every failure of linux-caps. Like Node's system errors: `code` ('EPERM', 'ERR_CAPS_PARTIAL', …),
 * a negative `errno`, `syscall`; plus `op`/`cap` (what was asked), `reason`/`rule` (which kernel rule
 * refused), `tids` (threads of a partial application), `offset`/`expected` (parse errors), `path`.
  * @example
  * try {
  *   parseCaps('cap_net_raw+q');
  * } catch (err) {
  *   if (err instanceof CapsError) err.code;   // 'ERR_CAPS_PARSE', with err.offset and err.expected
  * }
 */
export class CapsError extends Error {
  /** `ERR_CAPS_*` (see ERROR_CODES) or the errno's name ('EPERM'), as Node's errors. */
  readonly code: CapsErrorCodeOrErrno;
  /** Negative errno, as in Node's fs errors (-1 for EPERM). */
  readonly errno?: number;
  /** The syscall that failed (capset, prctl, setxattr, …). */
  readonly syscall?: string;
  /** The operation asked for, e.g. 'PR_CAPBSET_DROP'. */
  readonly op?: string;
  /** libcap's lower-case name of the capability involved. */
  readonly cap?: string;
  /** Threads concerned (a partial application, a divergence). */
  readonly tids?: number[];
  /** Parse errors: the offset in the text where it went wrong. */
  readonly offset?: number;
  /** Parse errors: what would have been accepted there. */
  readonly expected?: string;
  /** The kernel rule that refused, in words. */
  readonly reason?: string;
  /** Spec section the reason comes from, e.g. 'kernel-semantics §2.3'. */
  readonly rule?: string;
  /** The file or /proc path involved. */
  readonly path?: string;

  /** Builds the error from its fields; `cause` is kept as the standard Error cause. */
  constructor(init: CapsErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'CapsError';
    this.code = init.code;
    for (const key of ['errno', 'syscall', 'op', 'cap', 'tids', 'offset', 'expected', 'reason', 'rule', 'path'] as const) {
      if (init[key] !== undefined) (this as Record<string, unknown>)[key] = init[key];
    }
  }
}

export interface SyscallErrorInit {
  /** errno, either sign. */
  errno: number;
  syscall: string;
  /** What was asked, for the message: e.g. 'PR_CAPBSET_DROP cap_sys_admin'. */
  detail?: string;
  op?: string;
  cap?: string;
  reason?: string;
  rule?: string;
  tids?: number[];
  path?: string;
}

/**
 * A CapsError for a failed syscall, with Node's message shape:
 * `EPERM: operation not permitted, prctl PR_CAPBSET_DROP cap_sys_admin (reason)`.
 */
export function syscallError(init: SyscallErrorInit): CapsError {
  const [code, text] = errnoName(init.errno);
  const what = [init.syscall, init.detail].filter(Boolean).join(' ');
  const message = `${code}: ${text}, ${what}${init.reason ? ` (${init.reason})` : ''}`;
  return new CapsError({ ...init, code, errno: -Math.abs(init.errno), message });
}

/** A CapsError for bad input to a public call (ERR_INVALID_ARG_VALUE style, errno -22). */
export function invalidArg(what: string, value: unknown, expected: string): CapsError {
  let shown: string;
  try { shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value); }
  catch { shown = String(value); }
  // A huge input must not make a huge message: quote its start and say how long it was.
  if (shown.length > 120) shown = `${shown.slice(0, 100)}… (${shown.length} characters)`;
  return new CapsError({
    code: 'ERR_CAPS_INVALID_ARG',
    errno: -EINVAL,
    message: `invalid ${what}: ${shown}; expected ${expected}`,
    expected,
  });
}
