/**
 * The package under Bun and Deno (issue 25), with the same addon, on the kernel backend: read,
 * caps.set, launch() (Deno; Bun refuses it before starting a child), dropPrivileges to nobody with a Worker alive (every thread checked from
 * /proc by this process, from outside), and the CLI's print. The runtimes come from npm
 * (scripts/runtimes.mjs, pinned).
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
// @ts-expect-error plain ESM helper without type declarations
import { RUNTIMES, runtimeBinary } from '../../scripts/runtimes.mjs';
import { isLinux, isRoot, missing } from '../helpers/env.js';

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot });
const fixture = new URL('../fixtures/runtime-api.mjs', import.meta.url).pathname;
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
type Runtime = { version: string; run: string[] };

/** Uid, CapPrm and CapEff of every thread of `pid`, read here from /proc. */
function threadsOf(pid: number) {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const s = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const field = (k: string) => s.match(new RegExp(`^${k}:\\s+(.*)$`, 'm'))![1]!;
    return { uid: field('Uid').split(/\s+/).slice(0, 3).join(' '), prm: field('CapPrm'), eff: field('CapEff') };
  });
}

describe.skipIf(skip).each(Object.entries(RUNTIMES as Record<string, Runtime>))('under %s', (name, runtime) => {
  it(`${runtime.version}: read, caps.set, launch(), then dropPrivileges to nobody reaches every thread (checked from outside)`, async () => {
    const bin = runtimeBinary(name);
    const child = spawn(bin, [...runtime.run, fixture], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async () => {
      const line = (await lines.next()).value as string | undefined;
      if (line === undefined) throw new Error(`${name} ended early: ${stderr}`);
      return JSON.parse(line);
    };
    const read = await next();
    expect(read).toMatchObject({ stage: 'read', backend: 'native', uniform: true });
    expect(read.permitted).toBe(read.status);
    const set = await next();
    // Bun starts threads as it goes (JavaScriptCore's heap helpers): the count is the call's own.
    expect(set).toMatchObject({ stage: 'set', backend: 'native' });
    expect(set.threadCount).toBeGreaterThan(1);
    const launched = await next();
    if (name === 'bun') {
      // Bun has no uv_poll (oven-sh/bun#18546): refused before the child starts, the process lives on.
      expect(launched).toMatchObject({ stage: 'launch', error: { code: 'ERR_CAPS_UNSUPPORTED', message: expect.stringMatching(/uv_poll.*nothing was started/) } });
    } else {
      expect(launched).toEqual({ stage: 'launch', code: 0, status: ['Uid:\t65534\t65534\t65534\t65534', 'CapEff:\t0000000000000400', 'CapAmb:\t0000000000000400'] });
    }
    const ready = await next();
    expect(ready.pid).toBe(child.pid);
    const before = threadsOf(child.pid!);
    expect(before.length).toBeGreaterThanOrEqual(5);
    expect(before.every((t) => t.uid === '0 0 0')).toBe(true);
    child.stdin!.write('go\n');
    const drop = await next();
    const after = threadsOf(child.pid!);
    child.stdin!.write('exit\n');
    await new Promise((done) => child.on('exit', done));
    expect(drop).toMatchObject({ stage: 'drop', uid: 65534 });
    expect(drop.threads).toBeGreaterThan(1);
    expect(after.filter((t) => t.uid !== '65534 65534 65534' || t.prm !== '0000000000000400' || t.eff !== '0000000000000400')).toEqual([]);
    console.log(`[runtimes] ${name} ${runtime.version}: ${read.threads} threads read, ${after.length} dropped to nobody`);
  }, 120_000);

  it(`${runtime.version}: the CLI's print`, () => {
    const r = spawnSync(runtimeBinary(name), [...runtime.run, cli, 'print'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Current: /);
    expect(r.stdout).toMatch(/^Threads: \d+, all equal$/m);
  }, 60_000);
});
