/**
 * The CLI's compile cache (lib/cli/compile-cache.ts): kept only in a folder of the user's own
 * that no one else can write, and used by a real run where the Node line has the cache.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCacheDirectory } from '../../lib/internal.js';
import { isLinux, isRoot } from '../helpers/env.js';

const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'linux-caps-cc-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const euid = process.geteuid?.() ?? 0;

/** A base folder (XDG_CACHE_HOME) with mode `baseMode` holding linux-caps/ with `dirMode`. */
function base(name: string, baseMode: number, dirMode?: number): string {
  const b = join(scratch, name);
  mkdirSync(b, { mode: 0o700 });
  chmodSync(b, baseMode);
  if (dirMode !== undefined) {
    mkdirSync(join(b, 'linux-caps'));
    chmodSync(join(b, 'linux-caps'), dirMode);
  }
  return b;
}

describe.skipIf(!isLinux)('the compile cache folder', () => {
  it('is $XDG_CACHE_HOME/linux-caps, else ~/.cache/linux-caps, when the user owns it and only the user can write it', () => {
    const b = base('good', 0o755, 0o700);
    expect(compileCacheDirectory({ XDG_CACHE_HOME: b }, euid)).toEqual({ dir: join(b, 'linux-caps') });
    const home = base('home', 0o755);
    mkdirSync(join(home, '.cache', 'linux-caps'), { recursive: true, mode: 0o700 });
    chmodSync(join(home, '.cache'), 0o700);
    expect(compileCacheDirectory({ HOME: home }, euid)).toEqual({ dir: join(home, '.cache', 'linux-caps') });
  });

  it.each([
    ['writable by others', () => ({ XDG_CACHE_HOME: base('loose', 0o755, 0o777) }), /linux-caps is writable by others$/],
    ['in a parent others can write (as /tmp)', () => ({ XDG_CACHE_HOME: base('shared', 0o1777, 0o700) }), /shared is writable by others$/],
    ['missing', () => ({ XDG_CACHE_HOME: base('missing', 0o755) }), /linux-caps cannot be read$/],
    ['a symlink to a folder', () => {
      const b = base('link', 0o755);
      symlinkSync(base('target', 0o755, 0o700), join(b, 'linux-caps'));
      return { XDG_CACHE_HOME: b };
    }, /linux-caps is not a directory$/],
    ['relative', () => ({ XDG_CACHE_HOME: 'cache' }), /^no absolute XDG_CACHE_HOME or HOME$/],
    ['without HOME', () => ({}), /^no absolute XDG_CACHE_HOME or HOME$/],
  ] as const)('is refused when %s', (_, env, reason) => {
    const found = compileCacheDirectory(env(), euid);
    expect(found).toEqual({ refused: expect.stringMatching(reason) });
  });

  it('is refused when another user owns it', () => {
    const b = base('other', 0o755, 0o700);
    expect(compileCacheDirectory({ XDG_CACHE_HOME: b }, euid + 1000)).toEqual({ refused: `${join(b, 'linux-caps')} is not owned by the user` });
  });
});

describe.skipIf(!isLinux)('linux-caps print with the compile cache', () => {
  const hasCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
  const run = (env: Record<string, string>) => {
    const { NODE_COMPILE_CACHE: _, NODE_DISABLE_COMPILE_CACHE: __, XDG_CACHE_HOME: ___, ...inherited } = process.env;
    return spawnSync(process.execPath, [cli, 'print'], { encoding: 'utf8', env: { ...inherited, ...env } });
  };
  const cached = (b: string): string[] => {
    const dir = join(b, 'linux-caps');
    return existsSync(dir) ? readdirSync(dir).flatMap((v) => readdirSync(join(dir, v))) : [];
  };

  it(`${hasCache ? 'keeps the compiled command and library' : 'runs without a cache on a Node line that has none'} (Node ${process.version})`, () => {
    const b = base('run', 0o755);
    const r = run({ XDG_CACHE_HOME: b });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Current: /);
    if (hasCache) expect(cached(b).length).toBeGreaterThanOrEqual(2); // print's chunk and the core
    else expect(existsSync(join(b, 'linux-caps'))).toBe(false);
  });

  it('writes nothing where others can write, or when NODE_DISABLE_COMPILE_CACHE is set', () => {
    const loose = base('run-loose', 0o755, 0o777);
    const off = base('run-off', 0o755);
    expect(run({ XDG_CACHE_HOME: loose }).status).toBe(0);
    expect(run({ XDG_CACHE_HOME: off, NODE_DISABLE_COMPILE_CACHE: '1' }).status).toBe(0);
    expect(cached(loose)).toEqual([]);
    expect(cached(off)).toEqual([]);
  });

  it('creates ~/.cache/linux-caps, mode 0700, in a home of the user’s own', () => {
    const home = base('run-home', 0o755);
    expect(run({ HOME: home }).status).toBe(0);
    const folder = join(home, '.cache', 'linux-caps');
    if (hasCache) {
      expect(statSync(join(home, '.cache')).mode & 0o777).toBe(0o700);
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      expect(cached(join(home, '.cache')).length).toBeGreaterThanOrEqual(2);
    } else {
      expect(existsSync(join(home, '.cache'))).toBe(false);
    }
  });

  it.skipIf(!isRoot)('creates nothing in another user’s home (sudo keeping HOME)', () => {
    const home = base('run-alien', 0o755);
    chownSync(home, 65534, 65534);
    const r = run({ HOME: home });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(readdirSync(home)).toEqual([]);
  });
});
