/**
 * The broadcast per libc (issue 12 §4). No musl build of Node can run here, so the addon's own
 * broadcast core (native/broadcast.cc and creds.cc, unchanged) is linked with a small driver
 * (test/fixtures/broadcast-probe.cc) into a static musl program — Debian's musl-tools: musl's
 * headers and libc.a — and into a glibc one. Each run drops CAP_SYS_MODULE from the bounding
 * set of every thread and reports, from /proc/self/task, which threads did.
 *  - musl: signal 34 reaches threads that blocked everything musl lets them block; a thread
 *    that blocks 34 behind musl's back (raw rt_sigprocmask) is named as unreported and keeps
 *    its capability: what the library turns into ERR_CAPS_PARTIAL, never a silent partial drop.
 *  - glibc: the same core over another signal (40) reaches threads that do not block it, and
 *    over 34 — which glibc's sigfillset blocks — reaches none of them and says so: the signal
 *    must be the one the running libc leaves open, hence one table (BROADCAST_SIGNAL).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROADCAST_SIGNAL, runningLibc } from '../../lib/internal.js';
import { hasCommand, hasFile, isLinux, isRoot, missing } from '../helpers/env.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MUSL = '/usr/lib/x86_64-linux-musl';
const skip = !isLinux || process.arch !== 'x64' ? 'an x86_64 Linux host (the musl toolchain here targets x86_64)' : missing({
  root: isRoot,
  'g++ (apt-get install g++)': hasCommand('g++'),
  'musl-tools (apt-get install musl-tools)': hasFile(join(MUSL, 'libc.a')) && hasFile(join(MUSL, 'musl-gcc.specs')),
});

interface ProbeThread { tid: number; sigblk: string; sysModule: boolean }
interface Probe {
  signal: number; status: number; callerErr: number; blocker: number; reports: number; reportErrors: number;
  unreported: number[]; threads: ProbeThread[];
}

/** The threads other than the main one (whose tid, the pid, is the lowest). */
const others = (p: Probe): ProbeThread[] => p.threads.filter((t) => t.tid !== Math.min(...p.threads.map((x) => x.tid)));
const blocks = (t: ProbeThread, signal: number): boolean => ((BigInt(`0x${t.sigblk}`) >> BigInt(signal - 1)) & 1n) === 1n;

describe.skipIf(skip)('the broadcast core on musl and glibc, without Node', () => {
  let dir: string;
  let musl: string;
  let glibc: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'linux-caps-probe-'));
    const sources = ['native/creds.cc', 'native/broadcast.cc', 'test/fixtures/broadcast-probe.cc'].map((f) => join(root, f));
    const compile = (args: string[]): void => {
      const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    };
    glibc = join(dir, 'probe-glibc');
    compile(['g++', '-std=c++17', '-O1', '-pthread', '-o', glibc, ...sources]);
    // musl: its headers, the kernel's (linux/, asm/) beside them, libstdc++'s header-only parts
    // (<atomic>) and musl's libc.a; musl-gcc's specs file does the link.
    const kernel = join(dir, 'kernel-headers');
    mkdirSync(kernel);
    for (const [name, target] of [['linux', '/usr/include/linux'], ['asm-generic', '/usr/include/asm-generic'], ['asm', '/usr/include/x86_64-linux-gnu/asm']]) {
      symlinkSync(target!, join(kernel, name!));
    }
    const objects = sources.map((src, i) => {
      const obj = join(dir, `musl-${i}.o`);
      compile(['g++', '-std=c++17', '-O1', '-fno-exceptions', '-fno-rtti', '-fno-asynchronous-unwind-tables', '-nostdinc', '-nostdinc++',
        '-D__GLIBC_PREREQ(a,b)=0', '-DPROBE_WITHOUT_LIBSTDCXX', '-isystem', '/usr/include/c++/12', '-isystem', '/usr/include/x86_64-linux-gnu/c++/12',
        '-isystem', '/usr/include/x86_64-linux-musl', '-isystem', kernel, '-isystem', '/usr/lib/gcc/x86_64-linux-gnu/12/include', '-c', src, '-o', obj]);
      return obj;
    });
    musl = join(dir, 'probe-musl');
    compile(['gcc', `-specs=${join(MUSL, 'musl-gcc.specs')}`, '-static', '-o', musl, ...objects]);
  }, 240_000);

  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  const run = (program: string, signal: number, threads: number, mode: 'fill' | 'none' | 'rawblock'): Probe => {
    const r = spawnSync(program, [String(signal), String(threads), mode], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    return JSON.parse(r.stdout.trim()) as Probe;
  };

  it('the probe really is musl: it links no glibc symbol versions and runs without a dynamic loader', () => {
    const r = spawnSync('sh', ['-c', `strings -a "${musl}" | grep -c GLIBC_ || true`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('0');
    expect(BROADCAST_SIGNAL).toEqual({ glibc: 33, musl: 34 });
    expect(runningLibc()).toBe('glibc'); // this Node; the musl path is the probe's
  });

  it('musl, signal 34: four threads that blocked all musl lets them (32–34 stay open) all drop the capability', () => {
    const out = run(musl, BROADCAST_SIGNAL.musl, 3, 'fill');
    expect(out).toMatchObject({ signal: 34, status: 0, callerErr: 0, reports: 3, reportErrors: 0, unreported: [] });
    expect(out.threads).toHaveLength(4);
    const workers = others(out);
    // musl's sigfillset leaves 32–34 out (34 itself may still read blocked while a handler returns).
    for (const t of workers) expect([blocks(t, 32), blocks(t, 33), blocks(t, 35)], `thread ${t.tid} SigBlk ${t.sigblk}`).toEqual([false, false, true]);
    for (const t of out.threads) expect(t.sysModule, `thread ${t.tid}`).toBe(false);
  });

  it('musl: a thread that blocks 34 with a raw rt_sigprocmask is named as unreported and keeps its capability', () => {
    const out = run(musl, BROADCAST_SIGNAL.musl, 3, 'rawblock');
    expect(out.blocker).toBeGreaterThan(0);
    expect(out.unreported).toEqual([out.blocker]);
    expect(out.reports).toBe(3);
    for (const t of out.threads) expect(t.sysModule, `thread ${t.tid}`).toBe(t.tid === out.blocker);
  });

  it('glibc, another signal (40): threads that do not block it all drop the capability', () => {
    const out = run(glibc, 40, 3, 'none');
    expect(out).toMatchObject({ signal: 40, status: 0, reports: 3, reportErrors: 0, unreported: [] });
    for (const t of out.threads) expect(t.sysModule, `thread ${t.tid}`).toBe(false);
  });

  it("glibc, signal 34 (musl's): glibc's sigfillset blocks it, so no other thread is reached — and every one is named", () => {
    const out = run(glibc, 34, 3, 'fill');
    expect(out.reports).toBe(0);
    const workers = others(out).map((t) => t.tid);
    expect([...out.unreported].sort()).toEqual([...workers].sort());
    for (const t of others(out)) expect(t.sysModule).toBe(true);
    // …while glibc's own 33 reaches them.
    const ok = run(glibc, BROADCAST_SIGNAL.glibc, 3, 'fill');
    expect(ok).toMatchObject({ signal: 33, status: 0, reports: 3, unreported: [] });
    for (const t of ok.threads) expect(t.sysModule).toBe(false);
  });
});

describe.skipIf(!isLinux || !isRoot ? 'Linux, as root' : undefined)('choosing the signal in the addon', () => {
  it('setBroadcastSignal: -EINVAL outside 32..64; the same signal again is fine; another one after a broadcast used the first is -EBUSY', () => {
    const dist = (f: string): string => JSON.stringify(join(root, 'dist', f));
    const code = `
      const { loadNative } = await import(${dist('internal.js')});
      const lc = await import(${dist('index.js')});
      const a = loadNative();
      const out = { low: a.setBroadcastSignal(31), high: a.setBroadcastSignal(65), same: a.setBroadcastSignal(33) };
      // Under qemu-user the call fails closed (ERR_CAPS_PARTIAL), after the handler went in all the same.
      try { lc.caps.bounding.drop('cap_sys_module', { onPartial: 'throw' }); } catch (e) { if (e.code !== 'ERR_CAPS_PARTIAL') throw e; }
      out.after = a.setBroadcastSignal(34);
      out.again = a.setBroadcastSignal(33);
      console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ low: -22, high: -22, same: 0, after: -16, again: 0 });
  });
});
