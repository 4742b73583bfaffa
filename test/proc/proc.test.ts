/**
 * /proc reading: parseStatus on captured and hand-made texts, then the readers against the
 * kernel, with credentials set by outside tools (setpriv, capsh, unshare) and checked against
 * libcap (capget through cap_get_pid, cap_iab_get_pid) and pscap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CapSet, CapsError, lastCap, listProcesses, parsePasswd, parseStatus, readProcessStatus, readProcessThreads, readThreadStatus, type ProcStatus, type ThreadState,
} from '../../lib/index.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';
import {
  capBit, commOf, hasLibcapDev, here, libcapView, ownBoundingMask, startChild, stopChildren, waitUntil,
} from '../fixtures/proc-helpers.js';

const NET_BIND_SERVICE = 10;
const NET_RAW = 13;
const SYS_ADMIN = 21;
const MKNOD = 27;

function parseError(fn: () => unknown): CapsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CapsError);
    return e as CapsError;
  }
  throw new Error('expected a CapsError');
}

const hexOf = (text: string, key: string) => BigInt(`0x${new RegExp(`^${key}:\\s*([0-9a-f]{16})$`, 'm').exec(text)![1]}`);

describe('parseStatus on captured and hand-made texts', () => {
  const skip = missing({ linux: isLinux });

  it.skipIf(skip)('reads this process\'s live status as the kernel prints it', () => {
    const text = readFileSync('/proc/self/status', 'utf8');
    const s = parseStatus(text);
    expect(s.tgid).toBe(process.pid);
    expect(s.tid).toBe(process.pid);
    expect(s.ppid).toBe(process.ppid);
    expect(s.name).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
    expect(s.uid).toEqual({ real: process.getuid!(), effective: process.geteuid!(), saved: s.uid.saved, fs: s.uid.fs });
    expect(s.gid.real).toBe(process.getgid!());
    // Node's getgroups() adds the egid to the supplementary list.
    for (const g of s.groups) expect(process.getgroups!()).toContain(g);
    for (const [key, set] of [['CapInh', s.inheritable], ['CapPrm', s.permitted], ['CapEff', s.effective], ['CapBnd', s.bounding], ['CapAmb', s.ambient]] as const) {
      expect(set.toMask(), key).toBe(hexOf(text, key));
    }
    expect(s.noNewPrivs).toBe(/^NoNewPrivs:\s*1$/m.test(text));
    expect(s.seccomp).toBe(Number(/^Seccomp:\s*(\d)$/m.exec(text)![1]));
    expect(s.threadCount).toBe(readdirSync('/proc/self/task').length);
    expect(s.nspid).toEqual([process.pid]);
    expect(s.kernelThread).toBe(false);
    expect(s.state).toMatch(/^[RS] \(/);
    expect(s.umask).toBe(process.umask());
    const mask = (key: string) => BigInt(`0x${new RegExp(`^${key}:\\s*([0-9a-f]{16})$`, 'm').exec(text)![1]}`);
    expect(s.signals).toEqual({ pending: mask('SigPnd'), sharedPending: mask('ShdPnd'), blocked: mask('SigBlk'), ignored: mask('SigIgn'), caught: mask('SigCgt') });
    // glibc installs its SIGSETXID (33) handler at startup (node-engineering §1.1): bit 32.
    expect(s.signals!.caught & (1n << 32n)).toBe(1n << 32n);
  });

  it('reads an old kernel\'s status (2.6.32: no CapAmb, NoNewPrivs, Seccomp or NSpid)', () => {
    const s = parseStatus(readFileSync(join(here, 'proc-status-linux-2.6.32.txt'), 'utf8'));
    expect(s).toMatchObject({ name: 'sshd', tgid: 1432, tid: 1432, ppid: 1, tracerPid: 0, groups: [], threadCount: 1, kernelThread: false });
    expect(s.uid).toEqual({ real: 0, effective: 0, saved: 0, fs: 0 });
    expect(s.permitted.toMask()).toBe(0xffffffffffffffffn);
    expect(s.bounding.size).toBe(64);
    expect(s.inheritable.isEmpty).toBe(true);
    expect(s.ambient.isEmpty).toBe(true);
    expect(s.noNewPrivs).toBe(false);
    expect(s.seccomp).toBeUndefined();
    expect(s.nspid).toBeUndefined();
    expect(s.umask).toBeUndefined();
  });

  const good = [
    'Name:\tworker', 'Umask:\t0027', 'State:\tS (sleeping)', 'Tgid:\t700', 'Ngid:\t0', 'Pid:\t701', 'PPid:\t1',
    'TracerPid:\t0', 'Uid:\t1000\t0\t0\t1000', 'Gid:\t100\t100\t100\t100', 'FDSize:\t64', 'Groups:\t4 24 100 ',
    'NStgid:\t700\t1', 'NSpid:\t701\t2', 'VmSize:\t 1000 kB', 'Threads:\t2', 'CapInh:\t0000000000002000',
    'CapPrm:\t0000000000003400', 'CapEff:\t0000000000000400', 'CapBnd:\t000001ffffffffff', 'CapAmb:\t0000000000002000',
    'NoNewPrivs:\t1', 'Seccomp:\t2', 'Seccomp_filters:\t1', '',
  ].join('\n');

  it('reads every field it promises from a modern text', () => {
    const s = parseStatus(good);
    expect(s.signals).toBeUndefined();
    const sig = parseStatus(good.replace('Threads:\t2\n', 'Threads:\t2\nSigQ:\t0/100\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000100\nSigBlk:\tfffffffe7ffbfeff\nSigIgn:\t0000000000001000\nSigCgt:\t0000000180004a02\n'));
    expect(sig.signals).toEqual({ pending: 0n, sharedPending: 0x100n, blocked: 0xfffffffe7ffbfeffn, ignored: 0x1000n, caught: 0x180004a02n });
    expect(s).toMatchObject({
      name: 'worker', state: 'S (sleeping)', tgid: 700, tid: 701, ppid: 1, groups: [4, 24, 100], nspid: [701, 2],
      threadCount: 2, umask: 0o027, noNewPrivs: true, seccomp: 2, seccompFilters: 1, kernelThread: false,
    });
    expect(s.uid).toEqual({ real: 1000, effective: 0, saved: 0, fs: 1000 });
    expect(s.inheritable.toArray()).toEqual([NET_RAW]);
    expect(s.permitted.toArray()).toEqual([NET_BIND_SERVICE, 12, NET_RAW]);
    expect(s.effective.toArray()).toEqual([NET_BIND_SERVICE]);
    expect(s.bounding.size).toBe(41);
    expect(s.ambient.toArray()).toEqual([NET_RAW]);
  });

  it('is a ThreadState (one thread-state shape): tid is the Pid field, securebits unknown', () => {
    const s = parseStatus(good);
    const t: ThreadState = s;
    expect(t.tid).toBe(701);
    expect(t.securebits).toBeUndefined();
    expect(t.keepCaps).toBeUndefined();
    expect(t.seccomp).toBe(2);
    expect(t.noNewPrivs).toBe(true);
    expect(t.groups).toEqual([4, 24, 100]);
    expect('pid' in s).toBe(false);
  });

  it('undoes the kernel\'s escapes in the command name', () => {
    expect(parseStatus(good.replace('Name:\tworker', 'Name:\ta\\nb\\\\c d')).name).toBe('a\nb\\c d');
    expect(parseStatus(good.replace('Name:\tworker', 'Name:\t tab\\there')).name).toBe(' tab\there');
  });

  it('tells a kernel thread by Kthread:, or by the absence of memory on older kernels', () => {
    expect(parseStatus(good.replace('VmSize:\t 1000 kB\n', 'Kthread:\t1\n')).kernelThread).toBe(true);
    expect(parseStatus(good.replace('VmSize:\t 1000 kB\n', '')).kernelThread).toBe(true);
    expect(parseStatus(good.replace('VmSize:\t 1000 kB\n', '').replace('S (sleeping)', 'Z (zombie)')).kernelThread).toBe(false);
  });

  it.each([
    ['a missing CapEff line', (t: string) => t.replace(/^CapEff:.*\n/m, ''), 'CapEff', /missing the CapEff: line/],
    ['a missing Pid line', (t: string) => t.replace(/^Pid:.*\n/m, ''), 'Pid', /missing the Pid: line/],
    ['a missing CapBnd line', (t: string) => t.replace(/^CapBnd:.*\n/m, ''), 'CapBnd', /missing the CapBnd:/],
    ['a short hex mask', (t: string) => t.replace('CapPrm:\t0000000000003400', 'CapPrm:\t3400'), 'CapPrm', /line 18: CapPrm: "3400" is not 16 hex digits/],
    ['a non-hex mask', (t: string) => t.replace('CapInh:\t0000000000002000', 'CapInh:\t000000000000zz00'), 'CapInh', /line 17: CapInh/],
    ['three uids', (t: string) => t.replace('Uid:\t1000\t0\t0\t1000', 'Uid:\t1000\t0\t0'), 'Uid', /line 9: Uid: expected 4 ids .* got 3/],
    ['a non-numeric PPid', (t: string) => t.replace('PPid:\t1', 'PPid:\tone'), 'PPid', /line 7: PPid: "one" is not a decimal number/],
    ['a bad group', (t: string) => t.replace('Groups:\t4 24 100 ', 'Groups:\t4 x'), 'Groups', /line 12: Groups: "x"/],
    ['NoNewPrivs other than 0/1', (t: string) => t.replace('NoNewPrivs:\t1', 'NoNewPrivs:\tyes'), 'NoNewPrivs', /NoNewPrivs: expected 0 or 1/],
    ['a line without a colon', (t: string) => t.replace('FDSize:\t64', 'garbage'), 'Key: value', /line 11: not a "Key: value" line: "garbage"/],
    ['an empty text', () => '', 'Name', /missing the Name: line/],
    ['a second CapEff line (issue 11)', (t: string) => t.replace(/^(CapEff:.*\n)/m, '$1CapEff:\t0000000000000000\n'), 'CapEff', /line 20: CapEff: a second CapEff: line \(the first is line 19\)/],
    ['a uid of 2**32 (issue 11)', (t: string) => t.replace('Uid:\t1000\t0\t0\t1000', 'Uid:\t4294967296\t0\t0\t1000'), 'Uid', /line 9: Uid: 4294967296 does not fit in 32 bits/],
    ['a group of 2**32 (issue 11)', (t: string) => t.replace('Groups:\t4 24 100 ', 'Groups:\t4 4294967296'), 'Groups', /line 12: Groups: 4294967296 does not fit in 32 bits/],
  ])('refuses %s with ERR_CAPS_PROC_PARSE naming the field', (_what, mutate, field, message) => {
    const e = parseError(() => parseStatus(mutate(good)));
    expect(e.code).toBe('ERR_CAPS_PROC_PARSE');
    expect(e.expected).toBe(field);
    expect(e.message).toMatch(message);
  });

  it('refuses a non-string', () => {
    expect(parseError(() => parseStatus(42 as unknown as string)).code).toBe('ERR_CAPS_PROC_PARSE');
  });

  it('reads user names from a passwd text, first entry winning', () => {
    const names = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nbroken\nnobody:x:65534:65534::/:/usr/sbin/nologin\ntoor:x:0:0::/:/bin/sh\nbad:x:uid:0::/:\n');
    expect([...names]).toEqual([[0, 'root'], [65534, 'nobody']]);
  });
});

describe('reading this process', () => {
  const skip = missing({ linux: isLinux });

  it.skipIf(skip)('reads every thread of this process, the leader included', () => {
    const { threads, unreadable } = readProcessThreads();
    expect(unreadable).toEqual([]);
    expect(threads.length).toBeGreaterThan(1);
    expect(threads.every((t) => t.tgid === process.pid)).toBe(true);
    expect(threads.map((t) => t.tid)).toContain(process.pid);
    expect(new Set(threads.map((t) => t.tid)).size).toBe(threads.length);
    expect(readThreadStatus('self', process.pid).tid).toBe(process.pid);
    expect(readThreadStatus(process.pid, process.pid).name).toBe(readProcessStatus().name);
  });

  it.skipIf(skip)('throws a Node-shaped CapsError for a thread that does not exist', () => {
    const e = parseError(() => readThreadStatus('self', 0x3ffffff0));
    expect(e).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: '/proc/self/task/1073741808/status' });
    expect(e.message).toMatch(/^ENOENT: no such file or directory, open '\/proc\/self\/task\/1073741808\/status'/);
    expect(parseError(() => readProcessThreads(0x3ffffff0)).code).toBe('ENOENT');
  });

  it.each([[0], [-1], [1.5], ['me'], [Number.NaN], [null]])('refuses the pid %s', (pid) => {
    const e = parseError(() => readProcessThreads(pid as number));
    expect(e.code).toBe('ERR_CAPS_INVALID_ARG');
    expect(parseError(() => readThreadStatus(pid as number, 1)).code).toBe('ERR_CAPS_INVALID_ARG');
  });

  it('refuses a tid of self', () => {
    expect(parseError(() => readThreadStatus('self', 'self' as unknown as number)).message).toMatch(/invalid tid/);
  });
});

describe('reading processes whose credentials outside tools set', () => {
  const skip = missing({
    linux: isLinux, root: isRoot, setpriv: hasCommand('setpriv'), capsh: hasCommand('capsh'), getpcaps: hasCommand('getpcaps'),
    unshare: hasCommand('unshare'), 'libcap-dev and cc': hasLibcapDev(), pscap: hasCommand('pscap'),
  });
  let bounding = 0n;
  beforeAll(() => { if (!skip) bounding = ownBoundingMask(); });
  afterAll(stopChildren);

  function expectSets(s: ProcStatus, want: { e: bigint; p: bigint; i: bigint; a: bigint; b: bigint }) {
    expect({ e: s.effective.toHex(), p: s.permitted.toHex(), i: s.inheritable.toHex(), a: s.ambient.toHex(), b: s.bounding.toHex() })
      .toEqual({ e: CapSet.fromMask(want.e).toHex(), p: CapSet.fromMask(want.p).toHex(), i: CapSet.fromMask(want.i).toHex(), a: CapSet.fromMask(want.a).toHex(), b: CapSet.fromMask(want.b).toHex() });
  }

  function expectLibcapAgrees(pid: number, s: ProcStatus) {
    const v = libcapView(pid);
    expect(v.effective).toBe(s.effective.toMask());
    expect(v.permitted).toBe(s.permitted.toMask());
    expect(v.inheritable).toBe(s.inheritable.toMask());
    expect(v.iabAmbient).toBe(s.ambient.toMask());
    const known = CapSet.full(lastCap()).toMask();
    expect(v.iabNotBounding & known).toBe(known & ~s.bounding.toMask());
  }

  it.skipIf(skip)('setpriv: inheritable, ambient and a reduced bounding set, as root', async () => {
    const c = await startChild('setpriv', ['--inh-caps', '+net_raw', '--ambient-caps', '+net_raw', '--bounding-set', '-sys_admin,-mknod', 'sleep', '60'], 'sleep');
    const b = bounding & ~capBit(SYS_ADMIN) & ~capBit(MKNOD);
    const { threads, unreadable } = readProcessThreads(c.pid);
    expect(unreadable).toEqual([]);
    expect(threads).toHaveLength(1);
    // root execs a file without file caps: P' = I | B (kernel-semantics: root is given fI = fP = all).
    expectSets(threads[0]!, { e: b, p: b, i: capBit(NET_RAW), a: capBit(NET_RAW), b });
    expect(threads[0]!.uid).toEqual({ real: 0, effective: 0, saved: 0, fs: 0 });
    expectLibcapAgrees(c.pid, threads[0]!);
    expect(readThreadStatus(c.pid, c.pid)).toMatchObject({ tid: threads[0]!.tid, effective: threads[0]!.effective, permitted: threads[0]!.permitted, inheritable: threads[0]!.inheritable, bounding: threads[0]!.bounding, ambient: threads[0]!.ambient, uid: threads[0]!.uid });
  });

  it.skipIf(skip)('capsh: an unprivileged uid with one ambient capability, compared with getpcaps', async () => {
    const c = await startChild('capsh', [
      '--caps=cap_net_raw,cap_net_bind_service,cap_setuid,cap_setgid,cap_setpcap+eip', '--keep=1', '--user=nobody',
      '--caps=cap_net_raw,cap_net_bind_service+eip', '--addamb=cap_net_raw', '--', '-c', 'exec sleep 60',
    ], 'sleep');
    const s = readThreadStatus(c.pid, c.pid);
    expectSets(s, { e: capBit(NET_RAW), p: capBit(NET_RAW), i: capBit(NET_RAW) | capBit(NET_BIND_SERVICE), a: capBit(NET_RAW), b: bounding });
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    expect(s.uid).toEqual({ real: nobody, effective: nobody, saved: nobody, fs: nobody });
    expectLibcapAgrees(c.pid, s);
    expect(execFileSync('getpcaps', [String(c.pid)], { encoding: 'utf8' }).trim())
      .toBe(`${c.pid}: cap_net_raw=eip cap_net_bind_service+i`);
    const listed = listProcesses().processes.find((p) => p.pid === c.pid)!;
    expect(listed).toMatchObject({ user: 'nobody', uid: nobody, command: 'sleep', inChildUserNamespace: false, noNewPrivs: false });
  });

  it.skipIf(skip)('setpriv --nnp shows as noNewPrivs, and a user namespace as a child namespace', async () => {
    const nnp = await startChild('setpriv', ['--nnp', 'sleep', '60'], 'sleep');
    const userns = await startChild('unshare', ['-Ur', 'sleep', '60'], 'sleep');
    expect(readThreadStatus(nnp.pid, nnp.pid).noNewPrivs).toBe(true);
    const all = listProcesses().processes;
    const mine = all.find((p) => p.pid === process.pid)!;
    expect(all.find((p) => p.pid === nnp.pid)).toMatchObject({ noNewPrivs: true, inChildUserNamespace: false, userNamespace: mine.userNamespace });
    const inside = all.find((p) => p.pid === userns.pid)!;
    expect(inside.inChildUserNamespace).toBe(true);
    expect(inside.userNamespace).toMatch(/^user:\[\d+\]$/);
    expect(inside.userNamespace).not.toBe(mine.userNamespace);
    // Inside its own namespace the child holds every capability the kernel knows.
    expect(inside.permitted.equals(CapSet.full(lastCap()))).toBe(true);
  });

  it.skipIf(skip)('reads every thread of a Node child with a Worker, all set alike by setpriv', async () => {
    const script = "const { Worker } = require('node:worker_threads'); new Worker('setInterval(() => {}, 1000)', { eval: true }).on('online', () => { console.log('ready'); }); setInterval(() => {}, 1000);";
    const c = await startChild('setpriv', ['--inh-caps', '+net_raw', '--ambient-caps', '+net_raw', '--bounding-set', '-sys_admin', process.execPath, '-e', script], 'node');
    await waitUntil('the worker to come online', () => c.stdout().includes('ready'));
    const listTids = () => readdirSync(`/proc/${c.pid}/task`).map(Number);
    const before = listTids();
    const { threads, unreadable } = readProcessThreads(c.pid);
    const after = listTids();
    expect(unreadable).toEqual([]);
    expect(threads.length).toBeGreaterThan(1);
    // Every thread alive throughout was read; nothing was read that never existed.
    const read = threads.map((t) => t.tid);
    for (const tid of before.filter((t) => after.includes(t))) expect(read).toContain(tid);
    for (const tid of read) expect([...before, ...after]).toContain(tid);
    expect(read).toEqual([...read].sort((a, b) => a - b));
    const tids = after.sort((a, b) => a - b);
    expect(threads.every((t) => t.tgid === c.pid)).toBe(true);
    const b = bounding & ~capBit(SYS_ADMIN);
    for (const t of threads) expectSets(t, { e: b, p: b, i: capBit(NET_RAW), a: capBit(NET_RAW), b });
    // The broadcast's premise (node-engineering §1.1): no thread of Node blocks signal 33, not
    // even the inspector thread that blocks almost everything else.
    for (const t of threads) expect(t.signals!.blocked & (1n << 32n), `thread ${t.tid} blocks signal 33`).toBe(0n);
    expect(threads.some((t) => t.signals!.blocked !== 0n)).toBe(true);
    const last = tids[tids.length - 1]!;
    expect(readThreadStatus(c.pid, last)).toMatchObject({ tid: last, tgid: c.pid });
    expectLibcapAgrees(c.pid, threads[0]!);
  });

  it.skipIf(skip)('reads a thread name the kernel had to escape', async () => {
    // Only a thread of the same process may write its comm, in one write: the child renames itself.
    const name = 'a\\b\tc\nd';
    const c = await startChild(process.execPath, ['-e', "require('fs').writeFileSync('/proc/self/comm', process.env.COMM); setInterval(() => {}, 1000)"], name, { ...process.env, COMM: name });
    // The kernel escapes only newline and backslash (seq_escape_str with "\n\\").
    expect(readFileSync(`/proc/${c.pid}/status`, 'utf8')).toContain('Name:\ta\\\\b\tc\\nd\n');
    expect(readThreadStatus(c.pid, c.pid).name).toBe(name);
    c.stop(); // a newline in comm would split pscap's rows in the next test
    await waitUntil('the renamed child to be reaped', () => commOf(c.pid) === undefined);
  });

  it.skipIf(skip)('agrees with pscap on every process both list', async () => {
    const a = await startChild('setpriv', ['--inh-caps', '+net_raw', '--ambient-caps', '+net_raw', '--bounding-set', '-sys_admin', 'sleep', '60'], 'sleep');
    const b = await startChild('unshare', ['-Ur', 'sleep', '60'], 'sleep');
    // Other test files start and exec processes meanwhile: compare only processes that look the
    // same in a listing taken before pscap's and one taken after it.
    const key = (p: { ppid: number; command: string; permitted: CapSet; effective: CapSet; ambient: CapSet; bounding: CapSet; uid: number }) =>
      [p.ppid, p.command, p.uid, p.permitted.toHex(), p.effective.toHex(), p.ambient.toHex(), p.bounding.toHex()].join(' ');
    const before = new Map(listProcesses().processes.map((p) => [p.pid, key(p)]));
    const pscap = execFileSync('pscap', ['-a'], { encoding: 'utf8' }).split('\n').slice(1).filter(Boolean);
    const ours = new Map(listProcesses().processes.filter((p) => before.get(p.pid) === key(p)).map((p) => [p.pid, p]));
    const full = CapSet.full(lastCap());
    let compared = 0;
    const seen = new Set<number>();
    for (const row of pscap) {
      const m = /^(\d+)\s+(\d+)\s+(\S+)\s+(.{1,15}?)( \*)?\s{2,}(.*)$/.exec(row);
      expect(m, row).not.toBeNull();
      const [, ppid, pid, user, command, star, capsText] = m!;
      const p = ours.get(Number(pid));
      if (!p) continue; // started, exited or changed around pscap's listing
      compared++;
      seen.add(p.pid);
      const capsColumn = (p.effective.equals(full) && p.permitted.equals(full) ? 'full' : p.permitted.names().map((n) => n.slice(4)).join(', '))
        + (p.ambient.isEmpty ? '' : ' @') + (p.bounding.isEmpty ? '' : ' +');
      expect({ ppid: p.ppid, user: p.user ?? String(p.uid), command: p.command, child: p.inChildUserNamespace === true, caps: capsColumn }, row)
        .toEqual({ ppid: Number(ppid), user, command, child: star !== undefined, caps: capsText });
    }
    expect(compared).toBeGreaterThanOrEqual(2);
    expect(seen.has(a.pid) && seen.has(b.pid)).toBe(true);
  });

  it.skipIf(skip)('skips processes and threads that vanish while it reads', async () => {
    const churn = spawn('sh', ['-c', 'while :; do /bin/true; done'], { stdio: 'ignore' });
    const workers = await startChild(process.execPath, ['-e', "const { Worker } = require('node:worker_threads'); const spin = () => new Worker('0', { eval: true }).on('exit', spin); spin(); spin();"], 'node');
    try {
      for (let i = 0; i < 30; i++) {
        const list = listProcesses();
        expect(list.unreadable).toEqual([]);
        expect(list.processes.some((p) => p.pid === churn.pid)).toBe(true);
        const t = readProcessThreads(workers.pid);
        expect(t.unreadable).toEqual([]);
        expect(t.threads.every((s) => s.tgid === workers.pid)).toBe(true);
      }
    } finally {
      churn.kill('SIGKILL');
    }
  });
});
