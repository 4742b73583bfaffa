/**
 * The addon's single-thread calls against the kernel and against outside oracles: /proc,
 * libcap (test/fixtures/native-oracle.c: capget(tid) + cap_iab_get_pid), setpriv and capsh.
 * Reads run here; anything that could change a credential runs in a child.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadNative, type NativeAddon, type NativeSnapshot, encodeProgram, CapSet,
} from '../../lib/internal.js';
import { fixturePath, runFixture } from '../fixtures/native-spawn.js';
import { hasCommand, hasFile, isLinux, isRoot, missing } from '../helpers/env.js';
import { qemuLimit } from '../helpers/qemu.js';

const addonBuilt = !!process.env.LINUX_CAPS_NATIVE_PATH || existsSync(new URL('../../build/Release/linux_caps.node', import.meta.url));
const skip = missing({ linux: isLinux, 'the addon (npm run build:native)': addonBuilt });
const skipRoot = skip ?? missing({ root: isRoot });
const skipOracle = skipRoot ?? missing({ gcc: hasCommand('gcc'), 'libcap-dev': hasFile('/usr/include/sys/capability.h'), setpriv: hasCommand('setpriv'), capsh: hasCommand('capsh') });

const field = (text: string, name: string): string => text.match(new RegExp(`^${name}:[ \\t]*(.*)$`, 'm'))![1]!.trim();
const hex = (m: bigint): string => m.toString(16).padStart(16, '0');

describe.skipIf(skip)('addon: reads of the calling thread (kernel)', () => {
  let addon: NativeAddon;
  beforeAll(() => { addon = loadNative(); });

  it('01 exports every function NativeAddon declares (named, not enumerated: Node-API properties are not enumerable)', () => {
    const declared: Array<keyof NativeAddon> = ['lastCap', 'gettid', 'capget', 'capset', 'prctl', 'getresuid', 'getresgid', 'getgroups',
      'snapshot', 'snapshotCaps', 'snapshotInto', 'runProgram', 'broadcast', 'handlerState',
      'xattrGetPath', 'xattrGetFd', 'xattrSetPath', 'xattrSetFd', 'xattrRemovePath', 'xattrRemoveFd',
      'accountUser', 'accountGroup', 'accountGroupList', 'launchSpawn', 'launchWatch', 'launchRef', 'launchKill', 'launchExecInPlace', 'readTasks'];
    for (const name of declared) {
      expect(typeof addon[name], name).toBe('function');
    }
    expect(addon.testStartBlockingThread).toBeUndefined(); // test-only exports need LINUX_CAPS_TEST_EXPORTS=1
  });

  it('02 lastCap() is /proc/sys/kernel/cap_last_cap', () => {
    expect(addon.lastCap()).toBe(Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')));
  });

  it('03 snapshot() equals /proc/thread-self/status of the same (main) thread', () => {
    const s = addon.snapshot() as NativeSnapshot;
    const text = readFileSync('/proc/thread-self/status', 'utf8');
    expect(addon.gettid()).toBe(Number(field(text, 'Pid')));
    expect([s.inheritable, s.permitted, s.effective, s.bounding, s.ambient].map(hex)).toEqual(['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'].map((f) => field(text, f)));
    expect(s.noNewPrivs).toBe(Number(field(text, 'NoNewPrivs')));
    expect(s.uid.join(' ')).toBe(field(text, 'Uid').split(/\s+/).join(' '));
    expect(s.gid.join(' ')).toBe(field(text, 'Gid').split(/\s+/).join(' '));
    expect(s.groups.join(' ')).toBe(field(text, 'Groups'));
    expect(s.securebits).toBe(addon.prctl(27));
  });

  it('04 capget() and snapshotCaps() agree with snapshot()', () => {
    const s = addon.snapshot() as NativeSnapshot;
    const three = new BigUint64Array(3);
    expect(addon.capget(three)).toBe(0);
    expect([...three]).toEqual([s.effective, s.permitted, s.inheritable]);
    const five = new BigUint64Array(5);
    expect(addon.snapshotCaps(five)).toBe(0);
    expect([...five]).toEqual([s.effective, s.permitted, s.inheritable, s.bounding, s.ambient]);
    expect(() => addon.capget(new BigUint64Array(2))).toThrow(TypeError);
  });

  it('05 prctl only passes the capability options (others give -EINVAL without a syscall) and reads answer like the kernel', () => {
    expect(addon.prctl(15 /* PR_SET_NAME */, 0)).toBe(-22);
    expect(addon.prctl(23, 63)).toBe(-22); // PR_CAPBSET_READ of a cap above CAP_LAST_CAP
    const s = addon.snapshot() as NativeSnapshot;
    for (let cap = 0; cap <= addon.lastCap(); cap++) expect(addon.prctl(23, cap)).toBe(Number((s.bounding >> BigInt(cap)) & 1n));
    expect(addon.prctl(39, 1)).toBe(-22); // PR_GET_NO_NEW_PRIVS with an argument
    expect(addon.prctl(47, 1, 0, 1)).toBe(-22); // ambient IS_SET with a4 != 0
    expect(addon.prctl(47, 5, 0)).toBe(-22); // unknown ambient op
  });
});

describe.skipIf(skipRoot)('addon: single-thread changes and errno order (kernel, in a child)', () => {
  const raw = (calls: unknown[][]): unknown[] => runFixture<unknown[]>('native-raw.mjs', [JSON.stringify(calls)]).json;

  it('06 PR_CAPBSET_DROP checks cap_setpcap before the cap number; invalid caps give EINVAL', () => {
    const [invalid, dropOk, capset, noSetpcapInvalid, noSetpcap] = raw([
      ['prctl', 24, 63], ['prctl', 24, 21], ['capset', { big: '0x1' }, { big: '0x1' }, { big: '0x0' }], ['prctl', 24, 63], ['prctl', 24, 22],
    ]);
    expect([invalid, dropOk, capset, noSetpcapInvalid, noSetpcap]).toEqual([-22, 0, 0, -1, -1]);
  });

  it('07 no_new_privs cannot be cleared; keepcaps takes only 0/1; ambient CLEAR_ALL takes no cap', () => {
    expect(raw([
      ['prctl', 38, 1], ['prctl', 39], ['prctl', 38, 0], ['prctl', 39], ['prctl', 8, 2], ['prctl', 47, 4, 1], ['prctl', 47, 4],
    ])).toEqual([0, 1, -22, 1, -22, -22, 0]);
  });

  it('08 runProgram stops at the first failure and reports (index, -errno); earlier steps stay', () => {
    const program = encodeProgram([
      { op: 'bounding.drop', cap: 21 },
      { op: 'capset', effective: CapSet.of('cap_chown'), permitted: CapSet.of('cap_chown'), inheritable: CapSet.EMPTY },
      { op: 'bounding.drop', cap: 22 },
      { op: 'noNewPrivs.set' },
    ]);
    const [result, snapshot] = raw([['runProgram', { u32: [...program] }], ['snapshot']]) as [number[], { bounding: string; permitted: string; noNewPrivs: number }];
    expect(result).toEqual([2, -1]);
    expect(BigInt(snapshot.bounding) & (1n << 21n)).toBe(0n);
    expect(BigInt(snapshot.bounding) & (1n << 22n)).not.toBe(0n);
    expect(snapshot.permitted).toBe('0x1');
    expect(snapshot.noNewPrivs).toBe(0);
  });
});

describe.skipIf(skipRoot)('the signal-33 handler stays chained in front of glibc\'s (kernel, in a child)', () => {
  it('09a the addon itself refuses a broadcast from a Worker (status -1001) and touches nothing', () => {
    const code = `
      const { Worker } = require('node:worker_threads');
      const w = new Worker(\`
        const { parentPort } = require('node:worker_threads');
        import(${JSON.stringify(new URL('../../dist/internal.js', import.meta.url).href)}).then(({ loadNative }) => {
          const a = loadNative();
          const words = new Uint32Array(8); words[0] = 2; words[1] = 21;   // bounding drop cap_sys_admin
          const r = a.broadcast(words, 1000);
          parentPort.postMessage({ status: r.status, callerIndex: r.callerIndex, inBounding: a.prctl(23, 21) });
        });\`, { eval: true });
      w.once('message', (m) => { console.log(JSON.stringify(m)); w.terminate(); });`;
    const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({ status: -1001, callerIndex: -1, inBounding: 1 });
  });

  it.skipIf(qemuLimit('wholeProcess'))('09b after a broadcast our handler is installed and chained, and glibc\'s own set*id broadcast (process.setgid/setuid) still works', () => {
    const code = `
      import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)}).then(async ({ caps }) => {
        const { loadNative } = await import(${JSON.stringify(new URL('../../dist/internal.js', import.meta.url).href)});
        const native = loadNative();
        const before = native.handlerState();
        caps.keepCaps.set(true, { onPartial: 'throw', deadlineMs: 20000 });
        const after = native.handlerState();
        process.setgid(0); process.setuid(0);          // glibc sends SI_TKILL signal 33 to every thread
        caps.keepCaps.set(false, { onPartial: 'throw', deadlineMs: 20000 });
        console.log(JSON.stringify({ before, after, again: native.handlerState(), uniform: caps.verify().uniform }));
      });`;
    const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim()) as Record<string, { installed: boolean; chained: boolean }> & { uniform: boolean };
    expect(out.before!.installed).toBe(false);
    expect(out.after).toMatchObject({ installed: true, chained: true });
    expect(out.again).toMatchObject({ installed: true, chained: true });
    expect(out.uniform).toBe(true);
  });
});

describe.skipIf(skipRoot ?? qemuLimit('wholeProcess'))('the handler is re-checked before every broadcast (kernel, in a child)', () => {
  it('09c replaced behind our back (as musl\'s sigaction would), it is re-installed by the next call, which still reaches every thread', () => {
    const code = `
      import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)}).then(async ({ caps }) => {
        const { loadNative } = await import(${JSON.stringify(new URL('../../dist/internal.js', import.meta.url).href)});
        const native = loadNative();
        const opts = { onPartial: 'throw', deadlineMs: 20000 };
        caps.keepCaps.set(true, opts);
        const restored = native.testRestorePreviousHandler();
        const replaced = native.handlerState();
        const r = caps.bounding.drop('cap_sys_admin', opts);
        process.setgid(0);
        console.log(JSON.stringify({ restored, replaced, again: native.handlerState(), threads: r.threadCount,
          everyThread: caps.threads().every((t) => !t.bounding.has('cap_sys_admin')) }));
      });`;
    const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, LINUX_CAPS_TEST_EXPORTS: '1' } });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim()) as { restored: number; replaced: { installed: boolean }; again: { installed: boolean; chained: boolean }; threads: number; everyThread: boolean };
    expect(out.restored).toBe(0);
    expect(out.replaced.installed).toBe(false);
    expect(out.again).toMatchObject({ installed: true, chained: true });
    expect(out.threads).toBeGreaterThan(1);
    expect(out.everyThread).toBe(true);
  });
});

describe.skipIf(skipOracle)('our reads against libcap, setpriv and capsh (kernel, in a child)', () => {
  let dir: string;
  let oracle: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'linux-caps-oracle-'));
    oracle = join(dir, 'oracle');
    execFileSync('gcc', ['-O1', '-o', oracle, fixturePath('native-oracle.c'), '-lcap']);
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  interface OracleRun {
    main: { tid: number; masks: string[]; securebits: number };
    worker: { tid: number; masks: string[] };
    threads: Array<{ tid: number; proc: string[]; libcap: string[] }>;
  }

  function expectAgree(run: OracleRun): void {
    const byTid = new Map(run.threads.map((t) => [t.tid, t]));
    expect(byTid.get(run.main.tid)!.libcap).toEqual(run.main.masks);
    expect(byTid.get(run.worker.tid)!.libcap).toEqual(run.worker.masks);
    for (const t of run.threads) expect(t.proc, `tid ${t.tid}`).toEqual(t.libcap);
  }

  it('09 snapshot (main thread and a Worker reading itself) and /proc reads equal libcap on every thread', () => {
    expectAgree(runFixture<OracleRun>('native-oracle.mjs', [oracle, 'null']).json);
  });

  it.skipIf(qemuLimit('wholeProcess'))('10 after a whole-process apply, every thread equals libcap\'s reading, and the requested sets', () => {
    const steps = [
      { op: 'set', effective: ['cap_setpcap', 'cap_net_raw'], permitted: ['cap_setpcap', 'cap_net_raw', 'cap_chown'], inheritable: ['cap_net_raw', 'cap_kill'] },
      { op: 'ambient.raise', caps: ['cap_net_raw'] },
      { op: 'bounding.drop', caps: ['cap_sys_admin', 'cap_bpf'] },
    ];
    const run = runFixture<OracleRun>('native-oracle.mjs', [oracle, JSON.stringify(steps)]).json;
    expectAgree(run);
    const bit = (n: number): bigint => 1n << BigInt(n);
    expect(run.main.masks.slice(0, 3).concat(run.main.masks[4]!)).toEqual([bit(8) | bit(13), bit(8) | bit(13) | bit(0), bit(13) | bit(5), bit(13)].map(hex));
    for (const t of run.threads) {
      expect(t.libcap[3]).toBe(run.main.masks[3]);
      expect(BigInt(`0x${t.libcap[3]}`) & (bit(21) | bit(39))).toBe(0n);
    }
  });

  it('11 a state made by setpriv (inheritable, ambient, bounding) reads back exactly, as libcap reads it', () => {
    const run = spawnSync('setpriv', ['--inh-caps', '+net_raw,+sys_chroot', '--ambient-caps', '+net_raw', '--bounding-set', '-sys_admin,-mknod',
      process.execPath, fixturePath('native-oracle.mjs'), oracle, 'null'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as OracleRun;
    expectAgree(out);
    const [, , inh, bnd, amb] = out.main.masks.map((m) => BigInt(`0x${m}`));
    expect(inh).toBe((1n << 13n) | (1n << 18n));
    expect(amb).toBe(1n << 13n);
    expect(bnd! & ((1n << 21n) | (1n << 27n))).toBe(0n);
  });

  it('12 securebits set by capsh (no_setuid_fixup survives exec) read back as 0x4', () => {
    const run = spawnSync('capsh', ['--secbits=0x4', '--', '-c', `exec "${process.execPath}" "${fixturePath('native-oracle.mjs')}" "${oracle}" null`], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as OracleRun;
    expect(out.main.securebits).toBe(0x4);
  });
});

describe.skipIf(skipRoot)('thread.get() through snapshotInto (kernel, in a child)', () => {
  it('13 reads 100 supplementary groups (more than its first buffer holds) exactly as /proc shows them', () => {
    const groups = Array.from({ length: 100 }, (_, i) => 1000 + i);
    const script = `import('${new URL('../../dist/index.js', import.meta.url).pathname}').then(({ thread }) => {
      const t = thread.get();
      const status = require('node:fs').readFileSync('/proc/thread-self/status', 'utf8');
      console.log(JSON.stringify({ mine: t.groups, proc: status.match(/^Groups:\\s*(.*)$/m)[1].trim().split(/\\s+/).map(Number), uid: t.uid, securebits: t.securebits }));
    })`;
    const out = execFileSync('setpriv', [`--groups=${groups.join(',')}`, '--securebits=+noroot', process.execPath, '-e', script], { encoding: 'utf8' });
    const r = JSON.parse(out.trim()) as { mine: number[]; proc: number[]; uid: { real: number }; securebits: number };
    expect(r.mine).toEqual(groups);
    expect(r.mine).toEqual(r.proc);
    expect(r.uid.real).toBe(0);
    expect(r.securebits).toBe(0x1);
  });
});
