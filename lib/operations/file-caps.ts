/**
 * fileCaps: the capabilities a file grants at exec — the `security.capability` xattr — read,
 * written and removed like getcap / setcap do, on a path (never following symlinks) or an fd.
 */
import { fstatSync, lstatSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CapSet, type CapSetInput } from '../vocabulary/capset.js';
import { capToName } from '../vocabulary/names.js';
import { CapsError, invalidArg, syscallError } from '../vocabulary/errors.js';
import { refuseUnknownKeys } from '../vocabulary/option-keys.js';
import { changeRefusal, getBackend } from './backend.js';
import { parseStatus } from '../proc/status.js';
import { formatCaps, parseCaps } from '../text/index.js';
import { decodeFileCaps, encodeFileCaps, type FileCapsXattr } from '../filecaps/codec.js';
import { CAP_SETFCAP, EINVAL, ELOOP, ENODATA, ENOENT, EOPNOTSUPP, EOVERFLOW, EPERM } from '../vocabulary/abi.js';

/**
 * A file: a path (string or file: URL; a symlink is refused, never followed) or an open fd.
 * @example
 * const targets: FileTarget[] = ['/usr/bin/true', new URL('file:///usr/bin/true')];   // or an open fd; never a symlink
 * targets.map((t) => fileCaps.get(t)?.text);
 */
export type FileTarget = string | URL | number;

/** A file's capabilities, as `getcap` shows them. */
/**
 * What every revision of file caps holds.
 * @example
 * import { copyFileSync, mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const file = join(mkdtempSync(join(tmpdir(), 'caps-')), 'ping');
 * copyFileSync('/bin/true', file);
 * const set: FileCapsCommon = fileCaps.set(file, 'cap_net_raw=ep');
 * set.effective;   // true
 */
export interface FileCapsCommon {
  /** The single fE flag: when set, exec puts every permitted cap it grants into E. */
  readonly effective: boolean;
  /** fP: what exec grants whatever the process holds (within the bounding set). */
  readonly permitted: CapSet;
  /** fI: what exec grants only where the process has it in I. */
  readonly inheritable: CapSet;
  /** Exactly what `getcap` prints after the path, e.g. `cap_net_admin,cap_net_raw=ep`. */
  readonly text: string;
}

/**
 * A file's capabilities, by xattr revision: 2 as setcap writes it, 1 from old kernels, and 3,
 * which alone has a `rootid` (the uid whose user namespace's root the caps are for; `getcap -n`
 * prints `[rootid=N]`).
  * @example
  * import { copyFileSync, mkdtempSync } from 'node:fs';
  * import { tmpdir } from 'node:os';
  * import { join } from 'node:path';
  * const file = join(mkdtempSync(join(tmpdir(), 'caps-')), 'ping');
  * copyFileSync('/bin/true', file);
  * const caps: FileCaps = fileCaps.set(file, { permitted: ['cap_net_bind_service'], effective: true }, { rootid: 0 });
  * if (caps.version === 3) caps.rootid;   // only a v3 xattr has a rootid
 */
export type FileCaps =
  | (FileCapsCommon & {
    /** The xattr's revision: 1 (32-bit sets) or 2 (64-bit), with no namespace root. */
    readonly version: 1 | 2;
    /** v1 and v2 carry no rootid. */
    readonly rootid?: undefined;
  })
  | (FileCapsCommon & {
    /** Revision 3: 64-bit sets for the root of one user namespace. */
    readonly version: 3;
    /** The uid, in the filesystem's user namespace, whose root the caps belong to. */
    readonly rootid: number;
  });

/**
 * File caps as an object. `effective` is the all-or-nothing fE flag: `true`, `false`, or a set
 * as setcap reads one (empty → off; otherwise it must hold every permitted and inheritable cap).
  * @example
  * import { copyFileSync, mkdtempSync } from 'node:fs';
  * import { tmpdir } from 'node:os';
  * import { join } from 'node:path';
  * const file = join(mkdtempSync(join(tmpdir(), 'caps-')), 'ping');
  * copyFileSync('/bin/true', file);
  * const input: FileCapsInput = { permitted: ['cap_net_raw'], effective: true };
  * fileCaps.set(file, input).text;   // 'cap_net_raw=ep'
 */
export interface FileCapsInput {
  /** fP (default empty). */
  permitted?: CapSetInput;
  /** fI (default empty). */
  inheritable?: CapSetInput;
  /** The fE flag: a boolean, or a set as setcap reads one (default false). */
  effective?: boolean | CapSetInput;
}

/**
 * Options of `fileCaps.set`.
 * @example
 * import { copyFileSync, mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const file = join(mkdtempSync(join(tmpdir(), 'caps-')), 'ping');
 * copyFileSync('/bin/true', file);
 * const options: FileCapsSetOptions = { rootid: 100000 };   // for the root of a user namespace
 * fileCaps.set(file, 'cap_net_bind_service=ep', options).version;   // 3
 */
export interface FileCapsSetOptions {
  /**
   * Write a v3 xattr whose caps apply only to the root of user namespaces owned by this uid
   * (`setcap -n ROOTID`). The kernel stores rootid 0 as v2 when it is root of the file's namespace.
   */
  rootid?: number;
}


interface Resolved {
  target: string | number;
  /** For messages: `'/usr/bin/ping'` or `fd 7`. */
  shown: string;
  path?: string;
}

function resolveTarget(target: FileTarget): Resolved {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0 || target > 0x7fffffff) {
      throw invalidArg('file descriptor', target, 'an integer from 0 to 2147483647');
    }
    return { target, shown: `fd ${target}` };
  }
  let path: string | undefined;
  if (target instanceof URL) {
    try { path = fileURLToPath(target); } catch { throw invalidArg('file URL', target.href, 'a file: URL'); }
  } else if (typeof target === 'string') {
    path = target;
  }
  if (path === undefined || path === '' || path.includes('\0')) {
    throw invalidArg('file', target, 'a non-empty path without NUL bytes, a file: URL, or an open fd');
  }
  return { target: path, shown: `'${path}'`, path };
}

function syscallFor(verb: 'get' | 'set' | 'remove', file: Resolved): string {
  return `${typeof file.target === 'number' ? 'f' : 'l'}${verb}xattr`;
}

/** Whether the calling thread holds CAP_SETFCAP in E; undefined when it cannot be told. */
function callerHasSetfcap(): boolean | undefined {
  try {
    return getBackend().threadState().effective.has(CAP_SETFCAP);
  } catch {
    try {
      return parseStatus(readFileSync('/proc/thread-self/status', 'utf8')).effective.has(CAP_SETFCAP);
    } catch {
      return undefined;
    }
  }
}

/** Why the kernel said `errno` to this call, in words (kernel-semantics §2.7). */
function reasonFor(errno: number, verb: 'get' | 'set' | 'remove', file: Resolved, rootid?: number): string | undefined {
  switch (-Math.abs(errno)) {
    case -ENOENT:
      // The model's files are its own: a real file that exists is still not in the simulation.
      return getBackend().kind === 'model'
        ? 'the model backend knows only simulated files: useBackend(model.createSimulatedBackend({ files: [{ path }] }))'
        : undefined;
    case -ELOOP:
      return file.path === undefined
        ? undefined
        : 'Invalid file: a symbolic link; file capabilities are never read or set through a link, pass fs.realpathSync(path)';
    case -ENODATA:
      return verb === 'remove' ? 'the file has no capability to remove' : undefined;
    case -EOPNOTSUPP:
      return 'the filesystem does not support security.* extended attributes (e.g. /proc, /sys, or a FUSE/9p/NFS mount without them); file capabilities need ext4, xfs, btrfs, tmpfs or similar';
    case -EOVERFLOW:
      return "the file's v3 rootid does not map into this user namespace";
    case -EPERM: {
      if (verb === 'get') return undefined;
      const has = callerHasSetfcap();
      const need = 'changing security.capability needs CAP_SETFCAP in the effective set';
      if (has === false) return `${need}: cap_setfcap is not in this thread's effective set`;
      return `${need} (held here), in the user namespace owning the file, with the file's uid and gid mapped there; an immutable or append-only file also refuses`;
    }
    case -EINVAL:
      if (verb !== 'set') return undefined;
      return rootid === undefined
        ? 'the kernel refused the value (it accepts only exact v2/v3 values)'
        : `the kernel refused rootid ${rootid}: a v3 rootid must be a uid mapped in the writer's user namespace`;
    default:
      return undefined;
  }
}

/**
 * File capabilities mean something only on a regular file (an executable); setcap refuses
 * anything else ("Invalid file … for capability operation"), and so does set — a directory, a
 * FIFO or /dev/null (issue 23). A symbolic link is left to the addon (ELOOP). Kernel only: the
 * model's files are simulated.
 */
function refuseNonRegular(file: Resolved): void {
  if (getBackend().kind !== 'native') return;
  if (typeof file.target === 'string' && file.target.endsWith('/')) return; // a link before it is ELOOP in the addon
  let st;
  try {
    st = typeof file.target === 'number' ? fstatSync(file.target) : lstatSync(file.target);
  } catch {
    return; // the write itself reports ENOENT / EBADF with its own words
  }
  if (st.isFile() || st.isSymbolicLink()) return;
  throw syscallError({
    errno: -EINVAL,
    syscall: syscallFor('set', file),
    detail: file.shown,
    reason: 'not a regular file: file capabilities apply only to executables (setcap: "Invalid file for capability operation")',
    ...(file.path === undefined ? {} : { path: file.path }),
  });
}

function failure(errno: number, verb: 'get' | 'set' | 'remove', file: Resolved, rootid?: number): CapsError {
  const reason = reasonFor(errno, verb, file, rootid);
  return syscallError({
    errno,
    syscall: syscallFor(verb, file),
    detail: file.shown,
    ...(reason === undefined ? {} : { reason, rule: 'kernel-semantics §2.7' }),
    ...(file.path === undefined ? {} : { path: file.path }),
  });
}

/**
 * The text getcap prints for decoded file caps: libcap loads fE as E = P ∪ I (the flag is all
 * or nothing), then prints the triple with cap_to_text.
 */
export function fileCapsText(caps: Pick<FileCapsXattr, 'effective' | 'permitted' | 'inheritable'>): string {
  const { permitted, inheritable } = caps;
  return formatCaps({ effective: caps.effective ? permitted.union(inheritable) : CapSet.EMPTY, permitted, inheritable });
}

/**
 * Turns setcap text or an object into the fields of an xattr, with libcap's rule for the
 * effective set: empty (flag off), or containing every permitted and inheritable cap (flag on).
 */
export function toFileCapsFields(caps: string | FileCapsInput): { effective: boolean; permitted: CapSet; inheritable: CapSet } {
  let permitted: CapSet;
  let inheritable: CapSet;
  let effective: boolean | CapSet;
  if (typeof caps === 'string') {
    const parsed = parseCaps(caps);
    ({ permitted, inheritable } = parsed);
    effective = parsed.effective;
  } else if (caps !== null && typeof caps === 'object' && !Array.isArray(caps) && !(caps instanceof CapSet)) {
    permitted = CapSet.from(caps.permitted ?? CapSet.EMPTY);
    inheritable = CapSet.from(caps.inheritable ?? CapSet.EMPTY);
    effective = typeof caps.effective === 'boolean' ? caps.effective : CapSet.from(caps.effective ?? CapSet.EMPTY);
  } else {
    throw invalidArg('file capabilities', caps, "setcap text such as 'cap_net_raw=ep', or { permitted, inheritable, effective }");
  }
  if (effective instanceof CapSet) {
    const missingFromE = permitted.union(inheritable).minus(effective);
    if (effective.size > 0 && missingFromE.size > 0) {
      throw new CapsError({
        code: 'ERR_CAPS_INVALID_ARG',
        errno: -EINVAL,
        message:
          'file capabilities: the effective flag is all or nothing, so E must be empty or hold every ' +
          `permitted and inheritable capability; missing from E: ${[...missingFromE].map(capToName).join(',')}`,
        reason: 'Under Linux, effective file capabilities must either be empty, or exactly match the union of selected permitted and inheritable bits (setcap)',
        rule: 'kernel-semantics §2.6',
      });
    }
    effective = effective.size > 0;
  }
  return { effective, permitted, inheritable };
}

function describe(decoded: FileCapsXattr): FileCaps {
  const common = { effective: decoded.effective, permitted: decoded.permitted, inheritable: decoded.inheritable, text: fileCapsText(decoded) };
  // The codec gives v3 a rootid always (the xattr holds one); the other revisions have none.
  return decoded.version === 3 ? { ...common, version: 3, rootid: decoded.rootid ?? 0 } : { ...common, version: decoded.version };
}

function readRaw(file: Resolved): Uint8Array | null {
  const got = getBackend().readFileCaps(file.target);
  if (typeof got === 'number') {
    if (got === -ENODATA) return null;
    throw failure(got, 'get', file);
  }
  return got;
}

/**
 * File capabilities: `get`, `set` and `remove`, like getcap / setcap / setcap -r.
 * @example
 * import { copyFileSync, mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const file = join(mkdtempSync(join(tmpdir(), 'caps-')), 'ping');
 * copyFileSync('/bin/true', file);
 * fileCaps.set(file, 'cap_net_raw=ep');
 * fileCaps.get(file)?.text;   // 'cap_net_raw=ep'
 * fileCaps.remove(file);
 */
export const fileCaps = {
  /**
   * The capabilities a file grants at exec, or `null` when it has none.
   * @param file a path (a symlink is refused, never followed), a file: URL, or an open fd
   * @throws CapsError ENOENT/EOPNOTSUPP/ELOOP… with `syscall` (`lgetxattr`/`fgetxattr`) and
   *   `path`; `ERR_CAPS_BAD_XATTR` when the stored value is malformed
   * @example fileCaps.get('/usr/bin/ping')?.text  // 'cap_net_raw=ep'
   */
  get(file: FileTarget): FileCaps | null {
    const resolved = resolveTarget(file);
    const raw = readRaw(resolved);
    if (raw === null) return null;
    try {
      return describe(decodeFileCaps(raw));
    } catch (err) {
      if (err instanceof CapsError && resolved.path !== undefined) {
        throw new CapsError({ code: err.code, errno: -EINVAL, message: `${err.message} (${resolved.shown})`, path: resolved.path, ...(err.reason ? { reason: err.reason } : {}), rule: 'kernel-semantics §2.7', cause: err });
      }
      throw err;
    }
  },

  /**
   * Sets a file's capabilities, replacing any it had, and returns them as the kernel now reports them.
   * @param file a path (a symlink is refused: "Invalid file", like setcap), a file: URL, or an open fd
   * @param caps setcap text (`'cap_net_raw,cap_net_admin=ep'`; `'='` writes an empty xattr)
   *   or `{ permitted, inheritable, effective }`
   * @param options `rootid` writes a v3 xattr, like `setcap -n ROOTID`
   * @throws CapsError before touching the file for bad input; EPERM (needs CAP_SETFCAP),
   *   EOPNOTSUPP (filesystem without security xattrs), ELOOP (symlink) with `syscall` and `path`
   */
  set(file: FileTarget, caps: string | FileCapsInput, options: FileCapsSetOptions = {}): FileCaps {
    const resolved = resolveTarget(file);
    if (options === null || typeof options !== 'object') throw invalidArg('options', options, '{ rootid? }');
    refuseUnknownKeys('fileCaps.set', options, ['rootid']);
    const fields = toFileCapsFields(caps);
    const bytes = encodeFileCaps(fields, options.rootid === undefined ? {} : { rootid: options.rootid });
    const refused = changeRefusal();
    if (refused) throw refused;
    refuseNonRegular(resolved);
    const rc = getBackend().writeFileCaps(resolved.target, bytes);
    if (rc !== 0) throw failure(rc, 'set', resolved, options.rootid);
    const written = readRaw(resolved);
    if (written === null) {
      throw new CapsError({ code: 'ERR_CAPS_VERIFY', message: `file capabilities vanished right after they were set on ${resolved.shown}`, ...(resolved.path ? { path: resolved.path } : {}) });
    }
    return describe(decodeFileCaps(written));
  },

  /**
   * Removes a file's capabilities (`setcap -r`).
   * @throws CapsError ENODATA ("has no capability to remove") when it has none; EPERM, ELOOP…
   */
  remove(file: FileTarget): void {
    const resolved = resolveTarget(file);
    const refused = changeRefusal();
    if (refused) throw refused;
    const rc = getBackend().removeFileCaps(resolved.target);
    if (rc !== 0) throw failure(rc, 'remove', resolved);
  },
};
