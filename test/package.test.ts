/**
 * The package as people consume it (scripts/pack-test.mjs): the packed tarball's contents, an
 * install from its prebuild with no compiler on PATH, and an install that compiles from source;
 * in both, import()/require(), caps.threads(), formatCaps() and the CLI. The script prints each
 * install's time; this test only asserts that it passed.
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasCommand, isLinux, missing } from './helpers/env.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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

const skip = missing({
  'Linux on x86_64 (the only prebuild target)': isLinux && process.arch === 'x64',
  'a compiler toolchain for the build-from-source install (g++, make, python3)': hasCommand('g++') && hasCommand('make') && hasCommand('python3'),
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
    expect(output).toMatch(/a consumer's vitest run: the linux-caps\/vitest matchers pass/);
    expect(output).toMatch(/a consumer's tsc --module nodenext type-checks/);
    expect(output).toMatch(/^pack-test: ok$/m);
  }, 600_000);
});
