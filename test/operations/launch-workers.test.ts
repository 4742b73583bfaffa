/**
 * launch() from Worker threads (issue 22): Workers terminated inside launch(), process.exit()
 * while Workers launch, and Workers launching while the main thread makes whole-process calls.
 * Each scenario runs in a child process (a crash must fail the test, not the runner); test.mjs
 * runs this file again under ASan.
 */
import { describe, expect, it } from 'vitest';
import { runFixture } from '../fixtures/native-spawn.js';
import { isLinux, isRoot, missing } from '../helpers/env.js';

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot });
const STRESS_SECONDS = 20;

describe.skipIf(skip)('launch() from Worker threads', () => {
  it.each(['ignore', 'pipe'])('20 Workers terminated inside launch() (stdio %s): no crash, every child reaped', (stdio) => {
    const run = runFixture<{ terminated: number; strayChildren: string[] }>('launch-workers.mjs', ['terminate', '20', stdio], { timeoutMs: 120_000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/FATAL ERROR/);
    expect(run.json).toEqual({ terminated: 20, strayChildren: [] });
  });

  it('process.exit() in the main thread while 4 Workers launch: exit 0, no fatal error', () => {
    for (let delay = 0; delay < 5; delay++) {
      const run = runFixture<{ exiting: number }>('launch-workers.mjs', ['exit', '4', String(delay)], { timeoutMs: 60_000 });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/FATAL ERROR/);
      expect(run.json).toEqual({ exiting: 4 });
    }
  });

  it(`3 Workers launch for ${STRESS_SECONDS} s while the main thread calls caps.set every 5 ms: 0 crashes, 0 partial, every child exact`, () => {
    const run = runFixture<{ calls: number; partial: number; firstPartial?: string; seconds: number; launches: number; wrongChildren: number; firstWrong?: string }>(
      'launch-workers.mjs', ['stress', String(STRESS_SECONDS), '3'], { timeoutMs: (STRESS_SECONDS + 60) * 1000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    const r = run.json;
    console.log(`launch-workers stress: ${r.calls} caps.set calls, ${r.launches} launches in ${r.seconds} s, ${r.partial} partial, ${r.wrongChildren} wrong children, 0 crashes`);
    expect(r.firstPartial).toBeUndefined();
    expect(r.partial).toBe(0);
    expect(r.firstWrong).toBeUndefined();
    expect(r.wrongChildren).toBe(0);
    // It really ran both sides (no rate is asserted: tests never time things).
    expect(r.calls).toBeGreaterThan(50);
    expect(r.launches).toBeGreaterThan(50);
  }, (STRESS_SECONDS + 90) * 1000);
});
