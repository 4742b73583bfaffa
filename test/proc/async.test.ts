/**
 * promises.*: the /proc readers for other processes, asynchronous (issue 24 §4). The same
 * readers as the synchronous calls, so the results must be equal; this process is refused
 * (it is read synchronously); a procRoot must be procfs, and another procfs mount (made in a
 * private mount namespace by unshare -m) is read like /proc.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerProfile, listProcesses, promises, readProcessStatus, readProcessThreads, type ProcStatus } from '../../lib/index.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';
import { startChild, stopChildren, waitUntil } from '../fixtures/proc-helpers.js';

afterAll(stopChildren);

/** What two reads of a live process must agree on (not its run state, which changes between reads). */
function credentials(s: ProcStatus | undefined): unknown {
  if (!s) return s;
  return { tid: s.tid, tgid: s.tgid, name: s.name, uid: s.uid, gid: s.gid, groups: s.groups, sets: [s.effective, s.permitted, s.inheritable, s.bounding, s.ambient].map(String), noNewPrivs: s.noNewPrivs, seccomp: s.seccomp };
}
const skip = missing({ linux: isLinux, root: isRoot, setpriv: hasCommand('setpriv'), unshare: hasCommand('unshare') });

describe.skipIf(skip)('promises: other processes, without blocking the event loop', () => {
  it('01 each async reader gives what its synchronous twin gives', async () => {
    const sleeper = await startChild('setpriv', ['--inh-caps=+net_raw', '--ambient-caps=+net_raw', '--bounding-set=-sys_admin', 'sleep', '30'], 'sleep');
    const node = await startChild(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], 'node');
    await waitUntil('node to start its threads', () => (readProcessStatus(node.pid).threadCount ?? 0) > 4);
    expect(credentials(await promises.readProcessStatus(sleeper.pid))).toEqual(credentials(readProcessStatus(sleeper.pid)));
    expect(await promises.containerProfile(sleeper.pid)).toEqual(containerProfile(sleeper.pid));
    const threads = await promises.readProcessThreads(node.pid);
    expect(threads.threads.length).toBeGreaterThan(1);
    const main = (t: typeof threads) => credentials(t.threads.find((x) => x.tid === node.pid));
    expect(main(threads)).toEqual(main(readProcessThreads(node.pid)));
    expect(threads.unreadable).toEqual([]);
    const row = (list: ReturnType<typeof listProcesses>, pid: number) => credentials(list.processes.find((p) => p.pid === pid)?.status);
    const [asyncList, syncList] = [await promises.listProcesses(), listProcesses()];
    for (const pid of [1, sleeper.pid, node.pid]) expect(row(asyncList, pid)).toEqual(row(syncList, pid));
    expect(asyncList.processes.find((p) => p.pid === sleeper.pid)!.ambient.names()).toEqual(['cap_net_raw']);
  });

  it('02 the event loop runs while a listing is read', async () => {
    let ranMeanwhile = false;
    const listing = promises.listProcesses();
    setImmediate(() => { ranMeanwhile = true; });
    const { processes } = await listing;
    expect(processes.length).toBeGreaterThan(1);
    expect(ranMeanwhile).toBe(true);
  });

  it('03 this process is refused (read it synchronously); bad pids and roots are refused', async () => {
    await expect(promises.readProcessThreads('self')).rejects.toMatchObject({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/synchronous readProcessThreads\(\)/) });
    await expect(promises.containerProfile(process.pid)).rejects.toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
    await expect(promises.readProcessStatus(0)).rejects.toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
    await expect(promises.listProcesses({ procRoot: 'proc' })).rejects.toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
    await expect(promises.readProcessStatus(1, { procRoot: '/nonexistent' })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('04 a procRoot that is not procfs is refused, sync and async: forged status files are not trusted', async () => {
    const fake = mkdtempSync(join(tmpdir(), 'linux-caps-fake-proc-'));
    try {
      mkdirSync(join(fake, '1'));
      writeFileSync(join(fake, '1', 'status'), readProcessStatus(1).name ? 'Name:\tinit\n' : '');
      await expect(promises.readProcessStatus(1, { procRoot: fake })).rejects.toMatchObject({ code: 'ERR_CAPS_NO_PROCFS' });
      expect(() => readProcessStatus(1, { procRoot: fake })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_NO_PROCFS' }));
      await expect(promises.listProcesses({ procRoot: fake })).rejects.toMatchObject({ code: 'ERR_CAPS_NO_PROCFS' });
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it("05 procRoot: another pid namespace's procfs, mounted in a private mount namespace, lists that namespace", () => {
    const script = `
      const { promises, listProcesses } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
      const mine = listProcesses({ procRoot: process.argv[1] });
      const theirs = await promises.listProcesses({ procRoot: process.argv[1] });
      console.log(JSON.stringify({ sync: mine.processes.map((p) => [p.pid, p.command]), async: theirs.processes.map((p) => [p.pid, p.command]) }));`;
    // A new pid namespace whose init is sh (then node); its procfs mounted on a private directory.
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-procroot-'));
    try {
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', '-p', '--fork', 'sh', '-c',
        `mount -t proc proc "$1" && sleep 5 & sleep 0.5; exec "$0" --input-type=module -e "$2" "$1"`, process.execPath, dir, script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe('');
      const seen = JSON.parse(r.stdout.trim().split('\n').pop()!) as { sync: Array<[number, string]>; async: Array<[number, string]> };
      expect(seen.async).toEqual(seen.sync);
      // That namespace's processes only: its init (sh, now exec'd into node) and the sleep.
      expect(seen.sync[0]![0]).toBe(1);
      expect(seen.sync.length).toBeLessThanOrEqual(3);
      expect(seen.sync.map(([, name]) => name)).toContain('sleep');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
