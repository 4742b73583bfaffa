/**
 * Process-wide id changes through the addon (issue 25): libc's setgroups/setresgid/setresuid,
 * not the runtime's process.set*, so a runtime without them (Deno's node:process has no
 * setgroups) still drops to nobody on every thread; an addon without setIds refuses before any
 * change. Every state is read from /proc by this process, from outside the child.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot, setpriv: hasCommand('setpriv') });
const fixture = new URL('../fixtures/ids-runtime.mjs', import.meta.url).pathname;
const addonPath = new URL('../../build/Release/linux_caps.node', import.meta.url).pathname;

/** Uid and CapPrm of every thread of `pid`, from /proc (this process reads them). */
function threadsOf(pid: number): Array<{ uid: string; prm: string }> {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    return { uid: s.match(/^Uid:\s+(.*)$/m)![1]!.split(/\s+/)[1]!, prm: s.match(/^CapPrm:\s+(\w+)/m)![1]! };
  });
}

/** Runs the fixture; `before` and `after` are every thread's state around the drop. */
async function dropIn(options: object, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [fixture, JSON.stringify(options)], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ready = JSON.parse((await lines.next()).value);
  const before = threadsOf(child.pid!);
  child.stdin!.write('go\n');
  const result = JSON.parse((await lines.next()).value);
  const after = threadsOf(child.pid!);
  child.stdin!.write('exit\n');
  await new Promise((done) => child.on('exit', done));
  return { ready, before, result, after };
}

describe.skipIf(skip)('ids through the addon', () => {
  it('without process.setgroups/setgid/setuid, dropPrivileges to nobody reaches every thread (checked from outside)', async () => {
    const r = await dropIn({ user: 'nobody', keep: ['cap_net_bind_service'] });
    expect(r.ready.setgroups).toBe('undefined');
    expect(r.result.error).toBeUndefined();
    expect(r.result.uid).toBe(65534);
    expect(r.after.length).toBeGreaterThanOrEqual(7);
    expect(r.after.map((t) => t).filter((t) => t.uid !== '65534' || t.prm !== '0000000000000400')).toEqual([]);
  }, 60_000);

  it('an addon without setIds: refused before any change, the process keeps its ids and capabilities', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-ids-'));
    try {
      const stub = join(dir, 'old-addon.cjs');
      writeFileSync(stub, `const real = require(${JSON.stringify(addonPath)}); module.exports = { ...real, setIds: undefined };\n`);
      const r = await dropIn({ user: 'nobody', keep: ['cap_net_bind_service'], onPartial: 'throw' }, { LINUX_CAPS_NATIVE_PATH: stub });
      expect(r.result.error).toMatchObject({ code: 'ERR_CAPS_UNSUPPORTED', message: expect.stringMatching(/no setIds.*nothing was changed/) });
      expect(r.after).toEqual(r.before);
      expect(r.after.every((t) => t.uid === '0')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('setIds reports the call that failed with its errno, and nothing after it runs', () => {
    const code = `const a = require(${JSON.stringify(addonPath)});
      const r = [a.setIds(Uint32Array.of(1), -1, -1), a.setIds(null, 5, -1), a.setIds(null, -1, 5), a.setIds(null, -1, -1)].map((x) => [...x]);
      let type; try { a.setIds(null, -2, -1); } catch (e) { type = e.constructor.name; }
      console.log(JSON.stringify({ r, type, uid: process.getuid() }));`;
    const run = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', code], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ r: [[1, -1], [2, -1], [3, -1], [0, 0]], type: 'TypeError', uid: 65534 });
  });
});
