/**
 * Whole-process calls refuse before changing anything where the broadcast cannot be trusted
 * (spec node-engineering §3.5, §4.3; DESIGN "Decisions"). Kernel backend only: each case runs
 * in a child (test/fixtures/native-refusals.mjs), which then shows nothing changed.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { fixturePath, runFixture } from '../fixtures/native-spawn.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';
import { qemuLimit } from '../helpers/qemu.js';
import { ELF_MACHINES } from '../../lib/internal.js';

const addonBuilt = !!process.env.LINUX_CAPS_NATIVE_PATH || existsSync(new URL('../../build/Release/linux_caps.node', import.meta.url));
const skip = missing({ linux: isLinux, root: isRoot, 'the addon (npm run build:native)': addonBuilt });
const skipUnshare = skip ?? missing({ unshare: hasCommand('unshare') });

interface Refusal {
  error?: { code: string; message: string; causeMessage?: string; tried?: string[] };
  extra?: unknown;
  state: { threads?: number; withSysAdmin?: number; code?: string };
  callerHasSysAdmin?: boolean;
  getError?: { code: string; causeMessage?: string; tried?: string[] };
}

function refusal(kind: 'main' | 'worker', env: Record<string, string | undefined> = {}): Refusal {
  return runFixture<Refusal>('native-refusals.mjs', [kind], { env }).json;
}

function expectUnchanged(r: Refusal): void {
  expect(r.state.threads).toBeGreaterThan(1);
  expect(r.state.withSysAdmin).toBe(r.state.threads);
}

describe.skipIf(skip)('caps refuses before changing anything (kernel)', () => {
  it('01 in a Worker: ERR_CAPS_NOT_MAIN_THREAD, while thread.* still acts on the Worker\'s own thread', () => {
    const r = refusal('worker');
    expect(r.error?.code).toBe('ERR_CAPS_NOT_MAIN_THREAD');
    expect(r.extra).toBe(true);
    expectUnchanged(r);
  });

  it('02 UV_USE_IO_URING=1: ERR_CAPS_IO_URING', () => {
    const r = refusal('main', { UV_USE_IO_URING: '1' });
    expect(r.error?.code).toBe('ERR_CAPS_IO_URING');
    expectUnchanged(r);
  });

  it('03 LINUX_CAPS_BROADCAST=off: ERR_CAPS_BROADCAST_OFF', () => {
    const r = refusal('main', { LINUX_CAPS_BROADCAST: 'off' });
    expect(r.error?.code).toBe('ERR_CAPS_BROADCAST_OFF');
    expect(r.error?.message).toMatch(/thread\.\* still acts on the calling thread/);
    expectUnchanged(r);
  });

  it('04 an addon that cannot load: ERR_CAPS_UNSUPPORTED with the load error (every path tried) as cause — no model fallback', () => {
    const r = refusal('main', { LINUX_CAPS_NATIVE_PATH: '/nonexistent/linux_caps.node' });
    expect(r.error?.code).toBe('ERR_CAPS_UNSUPPORTED');
    expect(r.error?.tried).toEqual(['/nonexistent/linux_caps.node']);
    expect(r.error?.causeMessage).toMatch(/nonexistent\/linux_caps\.node/);
    expect(r.getError?.code).toBe('ERR_CAPS_UNSUPPORTED');
    expect(r.state.code).toBe('ERR_CAPS_UNSUPPORTED');
  });

  it.skipIf(qemuLimit('wholeProcess'))('05 a control: the same call without a reason to refuse reaches every thread', () => {
    const r = refusal('main');
    expect(r.error).toBeUndefined();
    expect(r.state.withSysAdmin).toBe(0);
    expect(r.callerHasSysAdmin).toBe(false);
  });
});

describe.skipIf(skipUnshare)('caps refuses without /proc (kernel)', () => {
  it('06 /proc/self/task unreadable (an empty tmpfs over /proc in a mount namespace): ERR_CAPS_NO_PROCFS', () => {
    const script = `mount -t tmpfs none /proc && exec "$0" "$1" main`;
    // The sanitizer runtime needs /proc itself (executable name, stop-the-world), which this test
    // hides: this one child loads the regular addon. The refusal under test is TypeScript's.
    const env = { ...process.env };
    if (env.LINUX_CAPS_SANITIZER) for (const k of ['LD_PRELOAD', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LINUX_CAPS_NATIVE_PATH']) delete env[k];
    const run = spawnSync('unshare', ['-m', 'sh', '-c', script, process.execPath, fixturePath('native-refusals.mjs')], { encoding: 'utf8', timeout: 60_000, env });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as Refusal;
    expect(r.error?.code).toBe('ERR_CAPS_NO_PROCFS');
    expect(r.callerHasSysAdmin).toBe(true);
  });
});

describe.skipIf(skip)('the addon loader reports every path it tried', () => {
  it('07 a package copy without build/ or prebuilds/: NativeLoadError lists build/Release, build/Debug and prebuilds/linux-x64', () => {
    const root = mkdtempSync(join(tmpdir(), 'linux-caps-noaddon-'));
    try {
      cpSync(new URL('../../dist', import.meta.url), join(root, 'dist'), { recursive: true });
      cpSync(new URL('../../package.json', import.meta.url), join(root, 'package.json'));
      symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(root, 'node_modules'));
      const code = `import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'internal.js')).href)}).then((m) => {
        try { m.loadNative(); console.log('null'); } catch (e) { console.log(JSON.stringify({ name: e.name, tried: e.tried, message: e.message })); }
      });`;
      const env = { ...process.env };
      delete env.LINUX_CAPS_NATIVE_PATH;
      const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env, timeout: 60_000 });
      const out = JSON.parse(run.stdout.trim()) as { name: string; tried: string[]; message: string };
      expect(out.name).toBe('NativeLoadError');
      expect(out.tried).toEqual([
        join(root, 'build', 'Release', 'linux_caps.node'),
        join(root, 'build', 'Debug', 'linux_caps.node'),
        join(root, 'prebuilds', `${process.platform}-${process.arch}`),
      ]);
      expect(out.message).toMatch(/npm run build:native/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  /** The shipped prebuild of the other architecture: what a foreign build/ holds in 08 and 09. */
  const foreign = ({ x64: 'arm64', arm64: 'x64' } as Record<string, string>)[process.arch];

  /** A package copy whose build/Release holds another architecture's addon (issue 12), and what loads there. */
  function loadWithForeignBuild(prebuilds: Record<string, string>): { name?: string; tried?: string[]; message?: string; loaded?: string } {
    const root = mkdtempSync(join(tmpdir(), 'linux-caps-foreign-'));
    try {
      cpSync(new URL('../../dist', import.meta.url), join(root, 'dist'), { recursive: true });
      cpSync(new URL('../../package.json', import.meta.url), join(root, 'package.json'));
      symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(root, 'node_modules'));
      mkdirSync(join(root, 'build', 'Release'), { recursive: true });
      cpSync(new URL(`../../prebuilds/linux-${foreign}/linux-caps.glibc.node`, import.meta.url), join(root, 'build', 'Release', 'linux_caps.node'));
      for (const [name, from] of Object.entries(prebuilds)) {
        mkdirSync(join(root, 'prebuilds', `linux-${process.arch}`), { recursive: true });
        cpSync(from, join(root, 'prebuilds', `linux-${process.arch}`, name));
      }
      const code = `import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'internal.js')).href)}).then((m) => {
        try { m.loadNative().snapshot; console.log(JSON.stringify({ loaded: 'yes' })); } catch (e) { console.log(JSON.stringify({ name: e.name, tried: e.tried, message: e.message })); }
      });`;
      const env = { ...process.env };
      for (const k of ['LINUX_CAPS_NATIVE_PATH', 'LD_PRELOAD', 'ASAN_OPTIONS']) delete env[k];
      const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env, timeout: 60_000 });
      return JSON.parse(run.stdout.trim());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  const ownPrebuild = fileURLToPath(new URL(`../../prebuilds/linux-${process.arch}/linux-caps.glibc.node`, import.meta.url));
  const crossSkip = foreign === undefined ? 'an x64 or arm64 Node (the foreign addon is the other one\'s prebuild)'
    : missing({ 'the arm64 cross compiler for the linux-arm64 prebuild (apt-get install g++-aarch64-linux-gnu)': hasCommand('aarch64-linux-gnu-g++') });
  /** Both prebuilds, built as npm pack builds them when missing or stale (scripts/prebuild.mjs). */
  const ensurePrebuilds = () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../scripts/prebuild.mjs', import.meta.url))], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
  };
  it.skipIf(crossSkip)('08 an addon in build/ for another architecture is never loaded: this platform\'s prebuild serves', () => {
    ensurePrebuilds();
    expect(loadWithForeignBuild({ 'linux-caps.glibc.node': ownPrebuild })).toEqual({ loaded: 'yes' });
  }, 300_000);

  it.skipIf(crossSkip)('09 …and without a prebuild for this platform and libc, the error names the file and why (a musl-tagged one is not taken)', () => {
    ensurePrebuilds();
    const out = loadWithForeignBuild({ 'linux-caps.musl.node': ownPrebuild });
    expect(out.name).toBe('NativeLoadError');
    expect(out.message).toContain(`build/Release/linux_caps.node: it is an ELF for machine ${ELF_MACHINES[foreign!]} (${foreign}), and this Node is ${process.arch}, and prebuilds/linux-${process.arch}/ has no addon for this libc`);
  }, 300_000);
});
