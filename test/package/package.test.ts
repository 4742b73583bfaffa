/**
 * The package as people consume it (scripts/pack-test.mjs): the packed tarball's contents, an
 * install from its prebuild with no compiler on PATH, and an install that compiles from source;
 * in both, import()/require(), caps.threads(), formatCaps() and the CLI. The script prints each
 * install's time; this test asserts that it passed, then that its tarball check has teeth.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasCommand, isLinux, missing } from '../helpers/env.js';
// @ts-expect-error a plain .mjs script without declarations
import { prebuildProblems, tarballProblems } from '../../scripts/pack-test.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PREBUILD = 'prebuilds/linux-x64/linux-caps.glibc.node';
const PREBUILD_ARM64 = 'prebuilds/linux-arm64/linux-caps.glibc.node';
const problemsOf = tarballProblems as (files: string[]) => string[];
const elfProblems = prebuildProblems as (read?: (path: string) => Buffer) => string[];

function runPackTest(): Promise<{ status: number | null; output: string }> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'pack-test.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', failed);
    child.on('close', (status) => done({ status, output }));
  });
}

/** The file list `npm pack` would ship now (dry run, no prepare script: nothing is rebuilt). */
function dryRunFiles(): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const files = (JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  return [...files, ...[PREBUILD, PREBUILD_ARM64].filter((p) => !files.includes(p))];
}

const skip = missing({
  'Linux on x86_64 (the only prebuild target)': isLinux && process.arch === 'x64',
  'a compiler toolchain for the build-from-source install (g++, make, python3)': hasCommand('g++') && hasCommand('make') && hasCommand('python3'),
  'the arm64 cross compiler for the linux-arm64 prebuild (apt-get install g++-aarch64-linux-gnu)': hasCommand('aarch64-linux-gnu-g++'),
});

describe.skipIf(skip)('packed tarball, installed by a consumer', () => {
  it('ships what it should, installs from the prebuild without a compiler and from source with one, and works from ESM, CommonJS and the CLI', async () => {
    const { status, output } = await runPackTest();
    console.log(output.trim().split('\n').filter((l) => /install times|FAIL/.test(l)).join('\n'));
    expect(status, output).toBe(0);
    // Both paths really ran (not an early exit 0): each install is timed and each import checked.
    expect(output).toMatch(/prebuild path: npm install took [\d.]+ s/);
    expect(output).toMatch(/build-from-source path: npm install took [\d.]+ s/);
    expect(output.match(/: (import|require)\(\) ok/g)).toHaveLength(4);
    expect(output).toMatch(/LINUX_CAPS_BACKEND=model ok — backend 'model', \d+ simulated threads, no addon loaded/);
    expect(output).toMatch(/a consumer's vitest run: the linux-caps\/vitest matchers pass/);
    expect(output).toMatch(/a consumer's tsc --module nodenext type-checks/);
    expect(output).toMatch(/^pack-test: ok$/m);
  }, 600_000);
});

describe.skipIf(skip)('npm pack from a checkout', () => {
  it('builds the prebuild first (prepack), so a checkout without prebuilds/ still packs one (issue 23)', () => {
    const stage = mkdtempSync(join(tmpdir(), 'linux-caps-stage-'));
    try {
      for (const f of ['package.json', 'binding.gyp', 'CMakeLists.txt', 'tsconfig.json', 'rolldown.config.mjs', 'README.md', 'SECURITY.md', 'CHANGELOG.md', 'LICENSE', 'native', 'lib', 'scripts', 'examples', 'docs/packaging.md']) {
        cpSync(join(root, f), join(stage, f), { recursive: true });
      }
      symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'));
      expect(existsSync(join(stage, 'prebuilds'))).toBe(false);
      const r = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: stage, encoding: 'utf8', timeout: 240_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/prebuild: prebuilds\/linux-x64\/linux-caps\.glibc\.node built in/);
      expect(r.stderr).toMatch(/prebuild: prebuilds\/linux-arm64\/linux-caps\.glibc\.node built in/);
      const files = (JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
      expect(files).toContain(PREBUILD);
      expect(files).toContain(PREBUILD_ARM64);
      expect(problemsOf(files)).toEqual([]);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('the tarball check', () => {
  const files = dryRunFiles();
  const without = (...gone: string[]) => files.filter((f) => !gone.includes(f));

  it('finds nothing wrong with what npm pack ships now', () => {
    expect(problemsOf(files)).toEqual([]);
  });

  it.each([
    ['test/package/package.test.ts', /ships tests/],
    ['dist/index.js.map', /ships source maps/],
    ['build/Release/linux_caps.node', /ships the build\/ dir/],
    ['lib/index.ts', /ships a source or tooling dir/],
    ['dist/gone.js', /dist\/gone\.js but lib\/ has no lib\/gone\.ts/],
    ['dist/operations/gone.d.ts', /dist\/operations\/gone\.d\.ts but lib\/ has no lib\/operations\/gone\.ts/],
    ['dist/chunks/core.js.bak', /dist\/chunks\/core\.js\.bak, not a chunk rolldown writes/],
    ['prebuilds/linux-x64/linux-caps.glibc.node.123.tmp', /non-addon file under prebuilds/],
    ['docs/api/index.html', /ships a source or tooling dir/],
    ['examples/other.mjs', /ships a source or tooling dir/],
  ])('refuses an extra %s', (extra, problem) => {
    expect(problemsOf([...files, extra]).join('\n')).toMatch(problem);
  });

  it.each([
    [PREBUILD, /lacks prebuilds\/linux-x64\/linux-caps\.glibc\.node \(the linux-x64 prebuild\)/],
    [PREBUILD_ARM64, /lacks prebuilds\/linux-arm64\/linux-caps\.glibc\.node \(the linux-arm64 prebuild\)/],
    ['dist/vitest.d.ts', /lacks dist\/vitest\.d\.ts \(named by package\.json\)/],
    ['dist/cli.js', /lacks dist\/cli\.js \(named by package\.json\)/],
    ['native/broadcast.cc', /lacks native\/broadcast\.cc \(a source in binding\.gyp\)/],
    ['SECURITY.md', /lacks SECURITY\.md/],
    ['scripts/install.mjs', /lacks scripts\/install\.mjs/],
    // The README that ships links only to files that ship (issue 23).
    ['docs/packaging.md', /lacks docs\/packaging\.md \(linked from README\.md\)/],
    ['examples/daemon.mjs', /lacks examples\/daemon\.mjs \(linked from README\.md\)/],
  ])('refuses a tarball without %s', (gone, problem) => {
    expect(problemsOf(without(gone)).join('\n')).toMatch(problem);
  });

  it('wants each prebuild to be an ELF shared object for its own architecture', () => {
    const elf = (type: number, machine: number) => {
      const b = Buffer.alloc(64);
      b.writeUInt32BE(0x7f454c46, 0);
      b.writeUInt16LE(type, 16);
      b.writeUInt16LE(machine, 18);
      return b;
    };
    const good: Record<string, Buffer> = { [PREBUILD]: elf(3, 62), [PREBUILD_ARM64]: elf(3, 183) };
    expect(elfProblems((p) => good[p]!)).toEqual([]);
    expect(elfProblems((p) => (p === PREBUILD_ARM64 ? elf(3, 62) : good[p]!))).toEqual([`${PREBUILD_ARM64}: ELF machine 62, not 183 (arm64)`]);
    expect(elfProblems((p) => (p === PREBUILD ? Buffer.from('#!/bin/sh\n'.padEnd(64)) : good[p]!))).toEqual([`${PREBUILD}: not an ELF file`]);
    expect(elfProblems((p) => (p === PREBUILD ? elf(2, 62) : good[p]!))).toEqual([`${PREBUILD}: not a shared object (ELF type 2)`]);
    expect(elfProblems((p) => { if (p === PREBUILD_ARM64) throw new Error('ENOENT'); return good[p]!; })).toEqual([`${PREBUILD_ARM64}: missing`]);
  });

  it('wants a .d.ts beside every entry point, and the declarations of every lib/ module', () => {
    expect(problemsOf(without('dist/testing.d.ts'))).toContain('tarball has dist/testing.js without its .d.ts');
    expect(problemsOf(without('dist/vocabulary/capset.d.ts'))).toContain('tarball lacks dist/vocabulary/capset.d.ts (the declarations of lib/vocabulary/capset.ts)');
  });

  it('ships the bundled entry points and their shared chunk, not one file per module', () => {
    expect(files).toContain('dist/chunks/core.js');
    expect(files).not.toContain('dist/vocabulary/capset.js');
  });
});
