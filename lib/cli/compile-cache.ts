/**
 * The command's compiled code, kept between runs with Node's module compile cache (Node >= 22.1;
 * issue 14: start-up): `linux-caps print` starts about 5 ms sooner.
 *
 * The cache holds code that Node runs, and the command often runs as root, so it is kept only
 * where no one but the user can write: `$XDG_CACHE_HOME/linux-caps`, else `~/.cache/linux-caps`,
 * a real directory (not a symlink) owned by the user with mode 0700, in a parent owned by the
 * user or root that no one else can write. Never Node's default, a folder in the shared /tmp.
 * Anything else — another owner, a looser mode, no HOME, an error — runs without the cache,
 * silently. A missing folder is created only inside one that passes. NODE_DISABLE_COMPILE_CACHE=1
 * turns it off (Node's own switch); NODE_COMPILE_CACHE, when set, is Node's choice and stays.
 */
import { existsSync, lstatSync, mkdirSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import * as nodeModule from 'node:module';

const WRITABLE_BY_OTHERS = 0o022;

/** `$XDG_CACHE_HOME/linux-caps` or `~/.cache/linux-caps`; undefined without an absolute base. */
function cacheFolder(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CACHE_HOME ?? (env.HOME === undefined ? undefined : join(env.HOME, '.cache'));
  return base !== undefined && isAbsolute(base) ? join(base, 'linux-caps') : undefined;
}

/** Why `path` is no place for code this user runs (a sentence), or undefined when it is. */
function unsafe(path: string, owned: (uid: number) => boolean, owner: string, stat: (path: string) => Stats): string | undefined {
  let s: Stats;
  try { s = stat(path); } catch { return `${path} cannot be read`; }
  if (!s.isDirectory()) return `${path} is not a directory`;
  if (!owned(s.uid)) return `${path} is not ${owner}`;
  if ((s.mode & WRITABLE_BY_OTHERS) !== 0) return `${path} is writable by others`;
  return undefined;
}

/** Why the folder holding `path` is unsafe, or undefined: it must be the user's or root's. */
function unsafeParent(path: string, euid: number, stat: (path: string) => Stats): string | undefined {
  return unsafe(dirname(path), (uid) => uid === euid || uid === 0, 'owned by the user or root', stat);
}

/** The folder the cache may use for this user, or why not (a sentence). */
export function compileCacheDirectory(env: NodeJS.ProcessEnv, euid: number, stat: (path: string) => Stats = lstatSync): { dir: string } | { refused: string } {
  const dir = cacheFolder(env);
  if (dir === undefined) return { refused: 'no absolute XDG_CACHE_HOME or HOME' };
  const refused = unsafeParent(dir, euid, stat) ?? unsafe(dir, (uid) => uid === euid, 'owned by the user', stat);
  return refused === undefined ? { dir } : { refused };
}

/** Turns the cache on for the modules this process loads from now on, where it is safe. */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  const enable = (nodeModule as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (enable === undefined || env.NODE_DISABLE_COMPILE_CACHE || env.NODE_COMPILE_CACHE || typeof process.geteuid !== 'function') return;
  const euid = process.geteuid();
  try {
    // Each missing folder is created (0700) only inside a parent that is safe already: never a
    // root-owned folder in another user's home (`sudo` keeping HOME).
    const folder = cacheFolder(env);
    if (folder === undefined) return;
    for (const path of [dirname(folder), folder]) {
      if (!existsSync(path) && unsafeParent(path, euid, lstatSync) === undefined) mkdirSync(path, { mode: 0o700 });
    }
    const found = compileCacheDirectory(env, euid);
    if ('dir' in found) enable(found.dir);
  } catch {
    // A cache is an optimisation: any failure runs the command without it.
  }
}
