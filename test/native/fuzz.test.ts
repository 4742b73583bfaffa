/**
 * The addon under malformed calls (issue 11, N1/N2): every export, random arity and argument
 * types, in a child process, must answer with a TypeError or a value (a negative errno for a
 * kernel refusal) — never a crash, an abort or another exception. test.mjs runs this file again
 * under ASan + UBSan, where an out-of-bounds read ends the child with a report.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { runFixture } from '../fixtures/native-spawn.js';
import { isLinux, missing } from '../helpers/env.js';

const addonBuilt = !!process.env.LINUX_CAPS_NATIVE_PATH || existsSync(new URL('../../build/Release/linux_caps.node', import.meta.url));
const skip = missing({ linux: isLinux, 'the addon (npm run build:native)': addonBuilt });

interface FuzzOut { calls: number; typeErrors: number; problems: string[]; problemCount: number }

describe.skipIf(skip)('addon fuzz', () => {
  it.each([1, 2, 3])('seed %i: 29 exports × 400 random calls give only TypeErrors or values', (seed) => {
    const run = runFixture<FuzzOut>('native-fuzz.mjs', [String(seed), '400'], { timeoutMs: 240_000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.json.problems).toEqual([]);
    expect(run.json.calls).toBe(29 * 400);
    expect(run.json.typeErrors).toBeGreaterThan(run.json.calls / 2); // the checks really ran
  });

  it("the red team's crashes: launchSpawn without arguments or with a bad stdio, launchWatch on a non-function or on stdout", () => {
    const run = runFixture<Record<string, string | number>>('native-fuzz.mjs', ['cases']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.json).toEqual({
      noArgs: expect.stringMatching(/^TypeError: launchSpawn\(file, argv, envp, cwd, stdio, steps, groups\)/),
      oneNumber: expect.stringMatching(/^TypeError:/),
      nullStdio: expect.stringMatching(/^TypeError:/),
      emptyStdio: 'TypeError: stdio must be an Int32Array(3)',
      nulFile: 'TypeError: file must not contain NUL bytes',
      watchNotAFunction: expect.stringMatching(/^TypeError: launchWatch\(pidfd, onExit\)/),
      watchStdout: -9, // EBADF: only a pidfd is watched
    });
  });
});
