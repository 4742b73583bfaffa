/**
 * The package's install step (scripts/install.mjs) where it cannot use a prebuild (issue 12):
 * an architecture or libc without one, on a machine without build tools, fails with one line
 * naming what to install — not node-gyp's pages of output — and a prebuild for this platform
 * needs no tools at all. Run in a copy of the package's install inputs (no .git: as installed).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLinux } from '../helpers/env.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(!isLinux ? 'Linux (off Linux the install step builds nothing)' : undefined)('the install step without a prebuild or build tools', () => {
  let dir: string;
  let bareBin: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'linux-caps-install-'));
    for (const f of ['package.json', 'binding.gyp', 'native', 'scripts/install.mjs']) cpSync(join(root, f), join(dir, f), { recursive: true });
    // A PATH with node and nothing else: no g++, make or python3.
    bareBin = join(dir, '.bare-bin');
    mkdirSync(bareBin);
    symlinkSync(process.execPath, join(bareBin, 'node'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const install = (env: Record<string, string> = {}) => {
    const clean: Record<string, string> = { PATH: bareBin, HOME: dir, ...env };
    const r = spawnSync(process.execPath, [join(dir, 'scripts', 'install.mjs')], { cwd: dir, env: clean, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('no prebuild for this platform and no compiler: exit 1 and one line saying what to install', () => {
    const r = install();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `linux-caps: no prebuilt addon for linux-${process.arch}, and building one needs a C++ compiler (g++), make, python3: install them (Debian/Ubuntu: apt-get install g++ make python3; Alpine: apk add g++ make python3) and run npm install again`,
    ]);
  });

  it('CXX naming a compiler that is not there counts as none', () => {
    const r = install({ CXX: '/nonexistent/g++' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/needs a C\+\+ compiler \(g\+\+\), make, python3/);
  });

  it('with this platform\'s glibc prebuild in the package, no build tool is needed', () => {
    const prebuilds = join(dir, 'prebuilds', `linux-${process.arch}`);
    mkdirSync(prebuilds, { recursive: true });
    cpSync(join(root, 'package.json'), join(prebuilds, 'linux-caps.glibc.node')); // only its name is looked at here
    try {
      const r = install();
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe(`linux-caps: using the prebuilt addon prebuilds/linux-${process.arch}/linux-caps.glibc.node (set npm_config_build_from_source=true to compile)\n`);
    } finally {
      rmSync(join(dir, 'prebuilds'), { recursive: true, force: true });
    }
  });
});
