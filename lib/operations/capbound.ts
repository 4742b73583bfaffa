/**
 * capBound: the capability bound of the system as the running kernel keeps it.
 *
 * - Kernels ≤ 2.6.24 have one global bound X in `/proc/sys/kernel/cap-bound` (source 'file'):
 *   printed as a signed 32-bit decimal, lowered by writing a smaller mask (kernel-semantics §3.2).
 * - Every kernel since 2.6.25 has a per-thread bounding set instead (source 'prctl'): read from
 *   the calling thread, lowered on every thread with PR_CAPBSET_DROP (`caps.bounding.drop`).
 */
import { closeSync, constants, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CapSet, type CapSetInput } from '../vocabulary/capset.js';
import { CapsError, invalidArg, syscallError } from '../vocabulary/errors.js';
import { refuseUnknownKeys } from '../vocabulary/option-keys.js';
import { capToName } from '../vocabulary/names.js';
import { getBackend } from './backend.js';
import { caps } from './process.js';
import type { ProcessCallOptions } from '../vocabulary/types.js';
import { EPERM } from '../vocabulary/abi.js';
import { formatCapBound, readCapBoundText } from '../text/capbound.js';

/**
 * What `capBound.read()` returns: the capability bound. `source: 'file'`: the legacy global /proc/sys/kernel/cap-bound (2.2 to
 * 2.6.24), with the file's `text`; `source: 'prctl'`: the calling thread's bounding set.
  * @example
  * const bound: CapBoundReading = capBound.read();
  * if (bound.source === 'file') bound.text;   // '-257' on a 2.6.24 kernel
  * bound.set.size;
 */
export type CapBoundReading =
  | {
    /** The legacy global file, /proc/sys/kernel/cap-bound. */
    readonly source: 'file';
    /** The bound as an unsigned mask. */
    readonly mask: bigint;
    /** The bound as a CapSet. */
    readonly set: CapSet;
    /** The file's text as the kernel prints it (signed 32-bit decimal, e.g. '-257'). */
    readonly text: string;
  }
  | {
    /** The calling thread's bounding set (PR_CAPBSET_READ). */
    readonly source: 'prctl';
    /** The bound as a mask. */
    readonly mask: bigint;
    /** The bound as a CapSet. */
    readonly set: CapSet;
    /** Only the file has a text. */
    readonly text?: undefined;
  };

/**
 * Options of every capBound call.
 * @example
 * const options: CapBoundOptions = { procRoot: '/proc' };
 * capBound.read(options).source;   // 'prctl' on every kernel since 2.6.25
 */
export interface CapBoundOptions {
  /** Where procfs is mounted (default '/proc'); point it at a fake tree to test the legacy file. */
  procRoot?: string;
}

/**
 * Options of `lower`/`drop`: procRoot, and for the per-thread path the whole-process options.
 * @example
 * const options: CapBoundLowerOptions = { onPartial: 'throw', deadlineMs: 5000 };
 * capBound.lower(capBound.read().set.without('cap_sys_module'), options);
 */
export type CapBoundLowerOptions = CapBoundOptions & ProcessCallOptions;

const RULE_FILE = 'kernel-semantics §3.2';
const RULE_PRCTL = 'kernel-semantics §2.5';

function procRootOf(options: CapBoundOptions | undefined): { root: string; fake: boolean } {
  if (options === undefined) return { root: '/proc', fake: false };
  if (options === null || typeof options !== 'object') throw invalidArg('capBound options', options, '{ procRoot? }');
  refuseUnknownKeys('capBound', options, ['procRoot', 'deadlineMs', 'onPartial']);
  const root = options.procRoot;
  if (root === undefined) return { root: '/proc', fake: false };
  if (typeof root !== 'string' || root === '' || root.includes('\0')) {
    throw invalidArg('procRoot', root, "a directory path such as '/proc'");
  }
  const normal = root.replace(/\/+$/, '') || '/';
  return { root: normal, fake: normal !== '/proc' };
}

/** A Node fs error as a CapsError with its errno, syscall and path, and why where known. */
function fsError(err: unknown, path: string, reason?: string): CapsError {
  const e = err as { errno?: number; syscall?: string };
  if (typeof e?.errno !== 'number') {
    return new CapsError({ code: 'ERR_CAPS_PROC_READ', message: `${path}: ${String(err)}`, path, cause: err });
  }
  return syscallError({
    errno: e.errno,
    syscall: e.syscall ?? 'open',
    detail: `'${path}'`,
    path,
    ...(reason === undefined ? {} : { reason, rule: RULE_FILE }),
  });
}

export { formatCapBound };

/** Parses what the kernel prints in cap-bound (one signed 32-bit decimal) into an unsigned mask. */
export function parseCapBound(text: string, path = 'cap-bound'): bigint {
  const mask = readCapBoundText(text);
  if (mask === undefined) {
    throw new CapsError({
      code: 'ERR_CAPS_PROC_PARSE',
      message: `${path}: expected one signed 32-bit decimal as the kernel prints it (e.g. -257), got ${JSON.stringify(text)}`,
      path,
      expected: 'a signed 32-bit decimal',
    });
  }
  return mask;
}

function readFileBound(path: string): CapBoundReading {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fsError(err, path, (err as { code?: string }).code === 'EPERM' ? 'kernels before about 2.6.21 also need CAP_SYS_MODULE to read cap-bound' : undefined);
  }
  const mask = parseCapBound(text, path);
  return { mask, set: CapSet.fromMask(mask), source: 'file', text: text.trim() };
}

/** CapBnd of the calling thread from `<root>/thread-self/status`, read synchronously. */
function readStatusBound(root: string): CapBoundReading {
  const path = join(root, 'thread-self', 'status');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fsError(err, path);
  }
  const m = /^CapBnd:\s*([0-9a-fA-F]{1,16})\s*$/m.exec(text);
  if (!m) {
    throw new CapsError({ code: 'ERR_CAPS_PROC_PARSE', message: `${path}: no CapBnd line`, path, expected: 'CapBnd:\t<16 hex digits>' });
  }
  const set = CapSet.fromHex(m[1]!);
  return { mask: set.toMask(), set, source: 'prctl' };
}

/** The calling thread's bounding set from the backend (the addon's snapshot, or the model); /proc if it cannot answer. */
function readThreadBound(root: string, fake: boolean): CapBoundReading {
  if (fake) return readStatusBound(root);
  let bounding: CapSet | undefined;
  try {
    bounding = getBackend().threadState().bounding;
  } catch (err) {
    if (!(err instanceof CapsError) || err.code !== 'ERR_CAPS_UNSUPPORTED' || getBackend().kind !== 'native') throw err;
  }
  if (bounding === undefined) return readStatusBound(root);
  return { mask: bounding.toMask(), set: bounding, source: 'prctl' };
}

function writeFileBound(path: string, mask: bigint): void {
  // One write(2) of the whole number: the kernel's integer sysctl parses one buffer.
  const text = `${formatCapBound(mask)}\n`;
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_TRUNC);
    writeSync(fd, text);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const reason = code === 'EPERM'
      ? 'lowering cap-bound needs CAP_SYS_MODULE in the effective set'
      : code === 'EACCES'
        ? 'cap-bound is mode 0600, owned by root'
        : undefined;
    throw fsError(err, path, reason);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sourceOf(options: CapBoundOptions | undefined): { root: string; fake: boolean; file: string | undefined } {
  const { root, fake } = procRootOf(options);
  // Under the model (and no fake procfs given) the simulated process answers, like every other call.
  if (!fake && getBackend().kind === 'model') return { root, fake, file: undefined };
  const file = join(root, 'sys', 'kernel', 'cap-bound');
  return { root, fake, file: existsSync(file) ? file : undefined };
}

function read(options?: CapBoundOptions): CapBoundReading {
  const { root, fake, file } = sourceOf(options);
  return file === undefined ? readThreadBound(root, fake) : readFileBound(file);
}

function lower(newBound: CapSetInput, options?: CapBoundLowerOptions): CapBoundReading {
  const target = CapSet.from(newBound);
  const { root, fake, file } = sourceOf(options);
  const before = file === undefined ? readThreadBound(root, fake) : readFileBound(file);
  const raised = target.minus(before.set);
  if (raised.size > 0) {
    const names = [...raised].map(capToName).join(',');
    throw new CapsError({
      code: 'ERR_CAPS_INVALID_ARG',
      errno: -EPERM,
      message: `capBound.lower cannot raise the bound: ${names} ${raised.size === 1 ? 'is' : 'are'} not in the current ${file === undefined ? 'bounding set' : 'cap-bound'} (${before.text ?? `0x${before.set.toHex()}`}); it only ever shrinks`,
      cap: capToName([...raised][0]!),
      reason: file === undefined ? 'PR_CAPBSET_DROP only removes capabilities from the bounding set' : 'a write to cap-bound is ANDed with the current bound (only the global init may set it freely)',
      rule: file === undefined ? RULE_PRCTL : RULE_FILE,
    });
  }
  if (file !== undefined) {
    if (target.equals(before.set)) return before;
    writeFileBound(file, target.toMask());
    const after = readFileBound(file);
    if (!after.set.equals(target)) {
      throw new CapsError({
        code: 'ERR_CAPS_VERIFY',
        message: `${file}: wrote ${formatCapBound(target.toMask())} but the kernel now shows ${after.text}`,
        path: file,
        rule: RULE_FILE,
      });
    }
    return after;
  }
  const toDrop = before.set.minus(target);
  if (toDrop.size === 0) return before;
  if (fake) {
    throw invalidArg('procRoot', root, "'/proc' for the per-thread bounding set (a fake procfs has no threads to drop from)");
  }
  const { deadlineMs, onPartial } = options ?? {};
  caps.bounding.drop(toDrop, { ...(deadlineMs === undefined ? {} : { deadlineMs }), ...(onPartial === undefined ? {} : { onPartial }) });
  return readThreadBound(root, fake);
}

/**
 * The system's capability bound: the legacy global file where it exists, the per-thread bounding set otherwise.
 * @example
 * const { set } = capBound.read();
 * capBound.lower(set.without('cap_sys_module', 'cap_sys_rawio'));   // every thread; no module loading from now on
 */
export const capBound = {
  /**
   * Reads the bound. `source: 'file'` on kernels with `/proc/sys/kernel/cap-bound` (≤ 2.6.24),
   * with `text` as the kernel prints it; otherwise `source: 'prctl'`, the calling thread's bounding set.
   * @example capBound.read()  // { mask: 0x1fffeffffffn, set, source: 'prctl' }
   */
  read,

  /**
   * Lowers the bound TO `newBound` (the set that remains — not the caps to remove: to drop named
   * capabilities from every thread's bounding set, the verb is `caps.bounding.drop`).
   * Refuses with a CapsError, before anything is written, if `newBound` holds a cap the bound
   * lacks. 'file': writes the new mask as the kernel expects (signed decimal); 'prctl': drops
   * every other cap from the bounding set of every thread (`caps.bounding.drop`, verified).
   * @returns the bound read back afterwards
   */
  lower,
};
