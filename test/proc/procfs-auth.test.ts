/**
 * /proc is authenticated (DESIGN "/proc is authenticated", issue 11 F1): a tmpfs mounted over
 * /proc with forged status files must make whole-process calls and listings refuse with
 * ERR_CAPS_NO_PROCFS before anything changes. The forgery happens in a child inside
 * `unshare -m --propagation private`: the host's /proc is never touched.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot, unshare: hasCommand('unshare') });
const fixture = new URL('../fixtures/fake-proc.mjs', import.meta.url).pathname;

interface Out {
  set?: { threads: number };
  setError?: { code: string; message: string };
  callerPermitted: string;
  processes?: number;
  listError?: { code: string; message: string };
  nativeBroadcastStatus: number;
}

describe.skipIf(skip)('a forged /proc (tmpfs) is refused', () => {
  const out = (): Out => {
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', process.execPath, fixture], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fixture exited ${r.status ?? r.signal}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Out;
  };
  let result: Out | undefined;
  const get = () => (result ??= out());

  it('caps.set refuses with ERR_CAPS_NO_PROCFS and changes nothing', () => {
    const r = get();
    expect(r.set).toBeUndefined();
    expect(r.setError).toMatchObject({ code: 'ERR_CAPS_NO_PROCFS' });
    expect(r.setError!.message).toMatch(/not procfs/);
    const fullNow = readFileSync('/proc/self/status', 'utf8').match(/^CapPrm:\s+(\w+)/m)![1];
    expect(r.callerPermitted).toBe(fullNow);
  });

  it("the addon's broadcast refuses too (fstatfs of the task directory it lists): status -1003", () => {
    expect(get().nativeBroadcastStatus).toBe(-1003);
  });

  it('listProcesses refuses with ERR_CAPS_NO_PROCFS instead of listing nothing', () => {
    const r = get();
    expect(r.processes).toBeUndefined();
    expect(r.listError).toMatchObject({ code: 'ERR_CAPS_NO_PROCFS' });
  });
});
