/**
 * A whole-process call first brings every other thread to the calling thread's state
 * (securebits, bounding, E/P/I, ambient, no_new_privs), then runs the program: afterwards every
 * thread is equal even if thread.* calls had made them differ (DESIGN "All per-thread
 * attributes travel together"). A thread that cannot be brought there (it holds less) fails
 * closed. Kernel backend, in children.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { runFixture, runSteps } from '../fixtures/native-spawn.js';
import { isLinux, isRoot, missing } from '../helpers/env.js';

const addonBuilt = !!process.env.LINUX_CAPS_NATIVE_PATH || existsSync(new URL('../../build/Release/linux_caps.node', import.meta.url));
const skip = missing({ linux: isLinux, root: isRoot, 'the addon (npm run build:native)': addonBuilt });
const THROW = { onPartial: 'throw', deadlineMs: 20_000 };

describe.skipIf(skip)('caps makes every thread equal to the caller first (kernel)', () => {
  it('01 after thread.* changes on the main thread, a whole-process call carries them to every thread', () => {
    const run = runSteps([
      { call: 'thread.keepCaps.set', args: [true] },
      { call: 'thread.bounding.drop', args: ['cap_mknod'] },
      { call: 'thread.set', args: [{ effective: ['cap_setpcap', 'cap_net_raw'], permitted: ['cap_setpcap', 'cap_net_raw', 'cap_chown'], inheritable: ['cap_net_raw'] }] },
      { call: 'thread.ambient.raise', args: ['cap_net_raw'] },
      { call: 'caps.verify' },
      { call: 'caps.bounding.drop', args: ['cap_sys_admin', THROW] },
      { call: 'caps.threads' },
    ], { LINUX_CAPS_BACKEND: 'native' });
    const before = run.results[4]!.value as { uniform: boolean; threads: unknown[] };
    expect(before.uniform).toBe(false);
    expect(run.results[5]!.ok, JSON.stringify(run.results[5])).toBe(true);
    const threads = run.results[6]!.value as Array<{ tid: number; bounding: string[]; ambient: string[]; permitted: string[]; securebits?: number }>;
    expect(threads.length).toBe(before.threads.length);
    for (const t of threads) {
      expect(t.bounding).not.toContain('cap_mknod');
      expect(t.bounding).not.toContain('cap_sys_admin');
      expect(t.permitted).toEqual(['cap_chown', 'cap_setpcap', 'cap_net_raw']);
      expect(t.ambient).toEqual(['cap_net_raw']);
      expect(t.securebits).toBe(0x10);
    }
    expect(run.verify).toMatchObject({ uniform: true, divergent: [] });
  });

  it('02 a Worker that dropped its own permitted set cannot be raised back: ERR_CAPS_PARTIAL names it', () => {
    const out = runFixture<{ workerTid: number; error?: { code: string; tids: number[]; message: string }; othersWithoutSysAdmin: boolean }>(
      'native-broadcast.mjs', [JSON.stringify({ scenario: 'diverged', dir: '/nonexistent', deadlineMs: 20_000, onPartial: 'throw' })],
    ).json;
    expect(out.error?.code).toBe('ERR_CAPS_PARTIAL');
    expect(out.error?.tids).toEqual([out.workerTid]);
    expect(out.error?.message).toMatch(new RegExp(`${out.workerTid} failed to converge to the calling thread's state .* with EPERM`));
    expect(out.othersWithoutSysAdmin).toBe(true);
  });
});
