/// <reference types="node" preserve="true" />
/**
 * The ONLY file that loads the addon (build/Release/linux_caps.node or a prebuild), and the
 * typed declaration of everything it exports (see native/README.md).
 *
 * Loading is lazy: importing this file never touches the filesystem. On failure the error
 * lists every path that was tried; the caller (the native backend) turns it into
 * ERR_CAPS_UNSUPPORTED with this error as `cause` — there is no fallback to the model.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CapsError } from '../../vocabulary/errors.js';

/** The calling thread, as one native call reads it (masks as bigint, ids as [r, e, s, fs]). */
export interface NativeSnapshot {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  bounding: bigint;
  ambient: bigint;
  securebits: number;
  /** 0 or 1. */
  noNewPrivs: number;
  uid: [number, number, number, number];
  gid: [number, number, number, number];
  groups: number[];
}

/** One other thread's run of a broadcast program, as its signal handler reported it. */
export interface NativeThreadReport {
  tid: number;
  /** First failed step, -1 if the whole program ran. */
  index: number;
  /** -errno of that step, 0 on success. */
  errno: number;
  /** The thread's read-back after its run (not visible in /proc). */
  securebits: number;
  keepCaps: number;
  noNewPrivs: number;
}

export interface NativeBroadcast {
  /** 0; -EBUSY (another broadcast runs); -1001 not the main thread; -1002 too many threads; or -errno of rt_sigaction / /proc/self/task. */
  status: number;
  /** The caller's failed step (-1: it ran); on failure nothing else was touched. */
  callerIndex: number;
  callerErrno: number;
  results: NativeThreadReport[];
  /** TIDs alive at the end that never reported before the deadline. */
  unreported: number[];
  elapsedNs: number;
  sweeps: number;
  signalled: number;
}

/** Everything the addon exports, typed once (native/*.cc register them; nothing else declares them). */
export interface NativeAddon {
  lastCap(): number;
  gettid(): number;
  /** Fills out[0..2] with E, P, I of the calling thread; 0 or -errno. */
  capget(out: BigUint64Array): number;
  capset(effective: bigint, permitted: bigint, inheritable: bigint): number;
  /** Raw prctl (capability options only; others give -EINVAL without a syscall): result or -errno. */
  prctl(option: number, a2?: number, a3?: number, a4?: number, a5?: number): number;
  getresuid(): [number, number, number, number] | number;
  getresgid(): [number, number, number, number] | number;
  /**
   * libc's setgroups, then setresgid(gid, gid, gid), then setresuid(uid, uid, uid), each applied by
   * libc to every thread (native/ids.h); null / -1 leave one as it is. [failed step (1 groups,
   * 2 gid, 3 uid; 0 none), -errno].
   */
  setIds(groups: Uint32Array | null, gid: number, uid: number): Int32Array;
  getgroups(): number[] | number;
  snapshot(): NativeSnapshot | number;
  /** The kernel floor of a snapshot: out = [E, P, I, B, A]; 0 or -errno. */
  snapshotCaps(out: BigUint64Array): number;
  /**
   * The whole snapshot into caller-owned arrays (JS builds the object: cheaper than Node-API):
   * caps = [E, P, I, B, A]; words = [securebits, nnp, uid r/e/s/fs, gid r/e/s/fs, ngroups, tid].
   * 0, or 1 when `groups` is too small (words[10] = the count needed), or -errno.
   */
  snapshotInto(caps: BigUint64Array, words: Uint32Array, groups: Uint32Array): number;
  /** Runs an encoded program on the calling thread: [failedIndex (-1 = all ran), -errno]. */
  runProgram(program: Uint32Array): Int32Array;
  /** Runs the program on the caller (from step `callerSkip`), then on every other thread (all steps). */
  broadcast(program: Uint32Array, deadlineMs: number, callerSkip?: number): NativeBroadcast;
  handlerState(): { installed: boolean; chained: boolean; previousFlags: number };
  /** 0, or -EBUSY once a broadcast has installed its handler on another signal. */
  setBroadcastSignal(signal: number): number;
  /**
   * Every task of this process (native/tasks.h): mode 0 reads each comm, 1 each status, into
   * records of `words` and `masks`; counts = [tasks listed, group ids needed, the group's Threads:
   * count in the first status read and in the last (-1 in mode 0)]. 0, or -errno / -1003 (not procfs). Larger buffers are needed when a count
   * exceeds what they hold. lib/backend/native/tasks.ts reads the records.
   */
  readTasks(mode: number, words: Int32Array, masks: BigUint64Array, groups: Uint32Array, counts: Float64Array): number;
  /** Only with LINUX_CAPS_TEST_EXPORTS=1: parses `text` as task `tid`'s status into record 0. */
  testParseStatus?(text: string, tid: number, words: Int32Array, masks: BigUint64Array, groups: Uint32Array, counts: Float64Array): boolean;
  /** Only with LINUX_CAPS_TEST_EXPORTS=1 at load time. */
  testStartBlockingThread?(): number;
  testStopBlockingThread?(): void;
  /** Puts libc's action for the broadcast's signal back (as musl's sigaction would): the next broadcast must re-install ours. */
  testRestorePreviousHandler?(): number;
  // native/xattr.cc (file capabilities; a path is never followed):
  /** lgetxattr(path, "security.capability"): the raw bytes, or -errno (-ENODATA: no caps; -ELOOP: path is a symlink). */
  xattrGetPath(path: string): Buffer | number;
  /** fgetxattr(fd, "security.capability"): the raw bytes, or -errno (-ENODATA: no caps). */
  xattrGetFd(fd: number): Buffer | number;
  /** lsetxattr(path, "security.capability", value, 0): 0 or -errno (-ELOOP: path is a symlink). */
  xattrSetPath(path: string, value: Uint8Array): number;
  /** fsetxattr(fd, "security.capability", value, 0): 0 or -errno. */
  xattrSetFd(fd: number, value: Uint8Array): number;
  /** lremovexattr(path, "security.capability"): 0 or -errno (-ENODATA: nothing to remove; -ELOOP: symlink). */
  xattrRemovePath(path: string): number;
  /** fremovexattr(fd, "security.capability"): 0 or -errno (-ENODATA: nothing to remove). */
  xattrRemoveFd(fd: number): number;
  /** getpwnam_r / getpwuid_r through NSS: the entry, null when there is none, or -errno. */
  accountUser(query: string | number): { name: string; uid: number; gid: number; home: string; shell: string } | null | number;
  /** getgrnam_r / getgrgid_r through NSS: the entry, null when there is none, or -errno. */
  accountGroup(query: string | number): { name: string; gid: number; members: string[] } | null | number;
  /** getgrouplist(name, gid): what initgroups would set, or -errno. */
  accountGroupList(name: string, gid: number): number[] | number;
  // native/launch.cc (the child's plan is lib/backend/wire.ts's encoding):
  /** fork, the plan in the child, execve; watches the pidfd. undefined when this environment is shutting down. */
  launchSpawn(file: string, argv: string[], envp: string[], cwd: string | null, stdio: Int32Array,
    steps: Uint32Array, groups: Uint32Array, onExit: (code: number, signal: number) => void):
    { pid: number; pidfd: number; watchId?: number; stdio?: number[]; step: number; errno: number } | undefined;
  /** Watches a pidfd on the calling thread's loop: the watch id, or -errno. */
  launchWatch(pidfd: number, onExit: (code: number, signal: number) => void): number;
  /** Keeps (or stops keeping) the loop alive for a watch. */
  launchRef(watchId: number, ref: boolean): void;
  /** pidfd_send_signal: 0 or -errno. */
  launchKill(pidfd: number, signal: number): number;
  /** The plan on the calling thread, then execve: returns only on failure (the step, -errno). */
  launchExecInPlace(file: string, argv: string[], envp: string[], cwd: string | null, steps: Uint32Array, groups: Uint32Array): { step: number; errno: number };
}

/** Why the addon could not load, with every path tried. */
export class NativeLoadError extends Error {
  readonly tried: string[];
  constructor(message: string, tried: string[], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'NativeLoadError';
    this.tried = tried;
  }
}

/** The package's root: the nearest folder above this module whose package.json is linux-caps's (from lib/ or dist/, at any depth). */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'linux-caps') return dir;
    if (dirname(dir) === dir) return resolve(from, '..', '..', '..');
  }
}

/** The package's root, found on first use (not at import: issue 14). */
let root: string | undefined;
function rootDir(): string {
  root ??= findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return root;
}

/**
 * A require() from the package's root, for node-gyp-build and LINUX_CAPS_NATIVE_PATH only: making
 * one and loading through it costs a third of a millisecond that the usual path does not need.
 */
let rootRequire: NodeJS.Require | undefined;
function requireFromRoot(id: string): unknown {
  rootRequire ??= process.getBuiltinModule('node:module').createRequire(join(rootDir(), 'package.json'));
  return rootRequire(id);
}

/** One exports object per addon file in this realm, as require() keeps (two copies of this module, lib/ and dist/, share it). */
const ADDONS = Symbol.for('linux-caps.addons');

/** Loads an addon file as require() does, without require()'s module resolution (issue 14, start-up). */
function dlopenAddon(path: string): NativeAddon {
  const realm = globalThis as { [ADDONS]?: Map<string, NativeAddon> };
  const loadedAddons = realm[ADDONS] ??= new Map();
  let addon = loadedAddons.get(path);
  if (addon === undefined) {
    const module = { exports: {} };
    process.dlopen(module, path);
    addon = module.exports as NativeAddon;
    loadedAddons.set(path, addon);
  }
  return addon;
}

let loaded: NativeAddon | undefined;
let failure: NativeLoadError | undefined;

/** Paths node-gyp-build looks at for this platform (for the report; it decides the order). */
function conventionalPaths(): string[] {
  return [
    join(rootDir(), 'build', 'Release', 'linux_caps.node'),
    join(rootDir(), 'build', 'Debug', 'linux_caps.node'),
    join(rootDir(), 'prebuilds', `${process.platform}-${process.arch}`),
  ];
}

/**
 * build/Release/linux_caps.node, where node-gyp-build would look first (unless PREBUILDS_ONLY is
 * set): found without loading node-gyp-build, whose first require() costs a few milliseconds of
 * start-up (issue 14). Anything else is node-gyp-build's to find.
 */
function builtAddon(): string | undefined {
  if (process.env.PREBUILDS_ONLY) return undefined;
  const release = join(rootDir(), 'build', 'Release', 'linux_caps.node');
  return existsSync(release) ? release : undefined;
}

function attempt(): NativeAddon {
  const override = process.env.LINUX_CAPS_NATIVE_PATH;
  const tried: string[] = [];
  if (override) {
    tried.push(override);
    try {
      return requireFromRoot(resolve(override)) as NativeAddon;
    } catch (err) {
      throw new NativeLoadError(`cannot load the linux-caps addon from LINUX_CAPS_NATIVE_PATH=${override}: ${(err as Error).message}`, tried, err);
    }
  }
  let path: string;
  try {
    path = builtAddon() ?? (requireFromRoot('node-gyp-build') as { path(dir: string): string }).path(rootDir());
  } catch (err) {
    tried.push(...conventionalPaths());
    throw new NativeLoadError(
      `no linux-caps addon for ${process.platform}-${process.arch} (run \`npm run build:native\`); tried:\n  ${tried.join('\n  ')}\n${(err as Error).message}`,
      tried,
      err,
    );
  }
  tried.push(path);
  // node-gyp-build prefers build/: in a checkout built for another architecture (an arm64 Node
  // under qemu on an x64 host) that file is foreign, and this platform's prebuild must serve.
  const foreign = foreignReason(path);
  if (foreign) {
    const prebuild = matchingPrebuild();
    if (!prebuild) throw new NativeLoadError(`cannot load the linux-caps addon ${path}: ${foreign}, and prebuilds/${process.platform}-${process.arch}/ has no addon for this libc`, tried);
    tried.push(prebuild);
    path = prebuild;
  }
  try {
    return dlopenAddon(path);
  } catch (err) {
    throw new NativeLoadError(`cannot load the linux-caps addon ${path}: ${foreignReason(path) ?? (err as Error).message}`, tried, err);
  }
}

/** ELF e_machine of the architectures Node runs on (elf.h EM_*). */
export const ELF_MACHINES: Record<string, number> = { ia32: 3, arm: 40, x64: 62, arm64: 183, riscv64: 243, s390x: 22, ppc64: 21, loong64: 258, mips: 8, mipsel: 8 };

/** Why an addon file is for another architecture ("an ELF for machine 62 (x64), this Node is arm64"), or undefined. */
function foreignReason(path: string): string | undefined {
  // The ELF header's first 20 bytes, not the whole file.
  const head = Buffer.alloc(20);
  let got: number;
  try {
    const fd = openSync(path, 'r');
    try {
      got = readSync(fd, head, 0, 20, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined; // unreadable: loading it reports why
  }
  if (got < 20 || head.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  const expected = ELF_MACHINES[process.arch];
  if (expected === undefined || machine === expected) return undefined;
  const name = Object.keys(ELF_MACHINES).find((arch) => ELF_MACHINES[arch] === machine);
  return `it is an ELF for machine ${machine}${name ? ` (${name})` : ''}, and this Node is ${process.arch}`;
}

/**
 * The libc this Node runs on, detected at run time: glibc names its version in the diagnostic
 * report; musl's dynamic loader (ld-musl-<arch>.so.1, which is its libc) is mapped into the
 * process. Anything else (a static or another libc) is 'other'.
 */
export function runningLibc(): 'glibc' | 'musl' | 'other' {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  if (header?.glibcVersionRuntime) return 'glibc';
  try {
    if (/\/(ld-musl-[\w-]+\.so\.1|libc\.musl-[\w-]+\.so\.1)$/m.test(readFileSync('/proc/self/maps', 'utf8'))) return 'musl';
  } catch {
    // no /proc: not a Linux process we can tell
  }
  return 'other';
}

/** This platform's prebuild for the running libc (a file tagged for the other libc never is). */
function matchingPrebuild(): string | undefined {
  const dir = join(rootDir(), 'prebuilds', `${process.platform}-${process.arch}`);
  if (!existsSync(dir)) return undefined;
  const libc = runningLibc();
  const others = ['glibc', 'musl'].filter((tag) => tag !== libc);
  const file = readdirSync(dir).filter((f) => f.endsWith('.node') && !others.some((tag) => f.split('.').includes(tag)))
    .sort((a, b) => Number(b.split('.').includes(libc)) - Number(a.split('.').includes(libc)))[0];
  return file && !foreignReason(join(dir, file)) ? join(dir, file) : undefined;
}

/** The addon, loaded once. Throws NativeLoadError (listing every path tried) if it cannot load. */
export function loadNative(): NativeAddon {
  if (loaded) return loaded;
  if (failure) throw failure;
  try {
    loaded = attempt();
    return loaded;
  } catch (err) {
    failure = err instanceof NativeLoadError ? err : new NativeLoadError(String(err), [], err);
    throw failure;
  }
}

/**
 * The addon for `purpose`, or CapsError `ERR_CAPS_UNSUPPORTED` saying what needed it and every
 * path tried: the one "load the addon or throw" of the native backend's parts.
 */
export function requireNative(purpose: string): NativeAddon {
  try {
    return loadNative();
  } catch (err) {
    throw new CapsError({ code: 'ERR_CAPS_UNSUPPORTED', message: `${purpose} needs the linux-caps addon, which could not load: ${(err as Error).message}`, cause: err });
  }
}

/** The load error, if loading was tried and failed (undefined otherwise). */
export function nativeLoadError(): NativeLoadError | undefined {
  return failure;
}
