/**
 * capBound: the legacy `/proc/sys/kernel/cap-bound` against a fake procfs (no kernel since
 * 2.6.25 has the file), and the per-thread path on this kernel — read equals /proc's CapBnd,
 * and a lower() in a child process reaches every one of its threads (checked from
 * /proc/<pid>/task/<tid>/status by the parent).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  capBound, formatCapBound, parseCapBound, CapSet, CapsError, capToName, lastCap, getBackend, installBackend, useBackend, model,
} from '../../lib/internal.js';
import { backendKind, hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

/** The kernel's %d of a u32, computed independently of the library (through an Int32Array). */
const asKernelPrints = (mask: number): string => String(new Int32Array(Uint32Array.of(mask).buffer)[0]);

function caught(fn: () => unknown): CapsError {
  try { fn(); } catch (err) { if (err instanceof CapsError) return err; throw err; }
  throw new Error('expected a CapsError');
}

describe('cap-bound text: the kernel prints a signed 32-bit decimal (kernel-semantics §3.2)', () => {
  it('formats and parses the spec vectors (NSP -257, ALL32 -1, {SETUID} 128)', () => {
    for (const [mask, text] of [[0xfffffeffn, '-257'], [0xffffffffn, '-1'], [128n, '128'], [0n, '0'], [0x80000000n, '-2147483648']] as const) {
      expect(formatCapBound(mask)).toBe(text);
      expect(parseCapBound(`${text}\n`)).toBe(mask);
    }
  });
  it('agrees with an independent %d for 1,000 random masks', () => {
    for (let n = 0; n < 1000; n++) {
      const mask = (Math.random() * 0x100000000) >>> 0;
      expect(formatCapBound(BigInt(mask))).toBe(asKernelPrints(mask));
      expect(parseCapBound(asKernelPrints(mask))).toBe(BigInt(mask));
    }
  });
  it('refuses what the kernel never prints', () => {
    for (const bad of ['', 'abc', '0x10', '4294967296', '-2147483649', '1 2', '12a']) {
      expect(() => parseCapBound(bad), bad).toThrow(/signed 32-bit decimal/);
    }
  });
});

describe('capBound on a legacy kernel (fake procfs with sys/kernel/cap-bound)', () => {
  let root: string;
  let file: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'linux-caps-capbound-'));
    mkdirSync(join(root, 'sys', 'kernel'), { recursive: true });
    file = join(root, 'sys', 'kernel', 'cap-bound');
    writeFileSync(file, '-257\n', { mode: 0o600 });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('read → the mask, the set (all 32 legacy caps but cap_setpcap) and the text', () => {
    const r = capBound.read({ procRoot: root });
    expect(r).toEqual({ mask: 0xfffffeffn, set: CapSet.fromMask(0xfffffeffn), source: 'file', text: '-257' });
    expect(r.set.has('cap_setpcap')).toBe(false);
    expect(r.set.size).toBe(31);
    // A trailing slash on procRoot is the same root.
    expect(capBound.read({ procRoot: `${root}/` }).text).toBe('-257');
  });

  it('lower writes the new mask as the signed decimal the kernel expects', () => {
    const without = CapSet.fromMask(0xfffffeffn).minus(['cap_sys_module']);
    const r = capBound.lower(without, { procRoot: root });
    const expected = asKernelPrints(0xfffffeff & ~(1 << 16));
    expect(readFileSync(file, 'utf8')).toBe(`${expected}\n`);
    expect(expected).toBe('-65793');
    expect(r).toEqual({ mask: without.toMask(), set: without, source: 'file', text: expected });
  });

  it('lower to the cap-enabled kernel of the seed ({cap_setuid}) writes 128', () => {
    expect(capBound.lower(['cap_setuid'], { procRoot: root }).text).toBe('128');
    expect(readFileSync(file, 'utf8')).toBe('128\n');
    expect(capBound.lower([], { procRoot: root }).text).toBe('0');
  });

  it('drop removes the named caps (and ignores absent ones)', () => {
    const r = capBound.lower(capBound.read({ procRoot: root }).set.minus(['cap_sys_module', 'cap_setpcap', 'cap_sys_rawio']), { procRoot: root });
    expect(r.text).toBe(asKernelPrints(0xfffffeff & ~(1 << 16) & ~(1 << 17)));
  });

  it('refuses raising before writing anything (a cap not in the bound, or beyond 32 bits)', () => {
    for (const raise of [CapSet.fromMask(0xffffffffn), CapSet.of('cap_setpcap'), CapSet.of('cap_chown', 'cap_mac_admin')]) {
      const e = caught(() => capBound.lower(raise, { procRoot: root }));
      expect(e.code).toBe('ERR_CAPS_INVALID_ARG');
      expect(e.message).toMatch(/cannot raise the bound: (cap_setpcap|cap_mac_admin) is not in the current cap-bound \(-257\)/);
      expect(e.rule).toBe('kernel-semantics §3.2');
    }
    expect(readFileSync(file, 'utf8')).toBe('-257\n');
  });

  it('lowering to the same bound writes nothing', () => {
    chmodSync(file, 0o400); // a write would now fail for a process without CAP_DAC_OVERRIDE; none is attempted
    expect(capBound.lower(CapSet.fromMask(0xfffffeffn), { procRoot: root }).text).toBe('-257');
    expect(readFileSync(file, 'utf8')).toBe('-257\n');
  });

  it('a file the kernel would never print is a parse error naming the path', () => {
    writeFileSync(file, 'garbage\n');
    const e = caught(() => capBound.read({ procRoot: root }));
    expect({ code: e.code, path: e.path }).toEqual({ code: 'ERR_CAPS_PROC_PARSE', path: file });
  });

  it('without the file, a fake procfs answers from thread-self/status (CapBnd), and refuses lower', () => {
    rmSync(file);
    mkdirSync(join(root, 'thread-self'));
    writeFileSync(join(root, 'thread-self', 'status'), 'Name:\tfake\nCapBnd:\t000001fffeffffff\n');
    const r = capBound.read({ procRoot: root });
    expect(r).toEqual({ mask: 0x1fffeffffffn, set: CapSet.fromMask(0x1fffeffffffn), source: 'prctl' });
    expect(r.text).toBeUndefined();
    expect(() => capBound.lower(capBound.read({ procRoot: root }).set.minus(['cap_sys_module']), { procRoot: root })).toThrow(/a fake procfs has no threads/);
  });

  it('validates its options', () => {
    expect(() => capBound.read({ procRoot: '' })).toThrow(/procRoot/);
    expect(() => capBound.read('x' as never)).toThrow(/options/);
    expect(() => capBound.lower('cap_bogus' as never, { procRoot: root })).toThrow();
  });
});

const childNeeds = missing({ linux: isLinux, root: isRoot, 'kernel backend': backendKind === 'native', 'capsh (apt libcap2-bin)': hasCommand('capsh') });

describe.skipIf(!isLinux || backendKind !== 'native')('capBound on this kernel (no cap-bound file since 2.6.25: the per-thread bounding set)', () => {
  const capBnd = (path: string): bigint => BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync(path, 'utf8'))![1]}`);

  it('has no /proc/sys/kernel/cap-bound, so source is prctl and read equals /proc CapBnd of this thread', () => {
    const r = capBound.read();
    expect(r.source).toBe('prctl');
    expect(r.text).toBeUndefined();
    expect(r.mask).toBe(capBnd('/proc/thread-self/status'));
    expect(r.set.toMask()).toBe(r.mask);
  });

  it('refuses to raise (a cap the bound lacks) without touching any thread', () => {
    const before = capBnd('/proc/thread-self/status');
    // Bit 63 is never in a bounding set; on this VM cap_sys_resource is missing too (DESIGN: read, never hard-coded).
    const e = caught(() => capBound.lower(CapSet.fromMask(before).union([63])));
    expect(e.code).toBe('ERR_CAPS_INVALID_ARG');
    expect(e.message).toMatch(/cannot raise the bound: 63 is not in the current bounding set/);
    expect(e.rule).toBe('kernel-semantics §2.5');
    const full = CapSet.full(lastCap());
    if (before !== full.toMask()) {
      const lacking = full.minus(CapSet.fromMask(before));
      expect(caught(() => capBound.lower(full)).cap).toBe(capToName([...lacking][0]!));
    }
    expect(capBnd('/proc/thread-self/status')).toBe(before);
  });

  describe.skipIf(childNeeds)('lower() in a child reaches every thread', () => {
    const dir = childNeeds ? '' : mkdtempSync(join(tmpdir(), 'linux-caps-capbound-child-'));
    afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('drops cap_sys_module from every thread of a child with a worker thread (checked from /proc/<pid>/task/*)', async () => {
      const dist = new URL('../../dist/index.js', import.meta.url).href;
      const script = join(dir, 'lower.mjs');
      writeFileSync(script, `
        import { capBound } from ${JSON.stringify(dist)};
        import { Worker } from 'node:worker_threads';
        const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
        await new Promise((resolve) => worker.once('online', resolve));
        const before = capBound.read();
        const after = capBound.lower(capBound.read().set.minus(['cap_sys_module']), { onPartial: 'throw', deadlineMs: 10000 });
        console.log(JSON.stringify({ pid: process.pid, before: before.mask.toString(16), after: after.mask.toString(16), source: after.source }));
        process.stdin.once('data', () => process.exit(0));
      `);
      const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => { out += d; if (out.includes('\n')) resolve(out.trim()); });
          child.once('exit', (code) => reject(new Error(`child exited ${code} before reporting: ${out}`)));
        });
        const report = JSON.parse(line) as { pid: number; before: string; after: string; source: string };
        expect(report.source).toBe('prctl');
        const before = BigInt(`0x${report.before}`);
        expect(before & (1n << 16n)).toBe(1n << 16n);
        expect(BigInt(`0x${report.after}`)).toBe(before & ~(1n << 16n));
        const tids = readdirSync(`/proc/${report.pid}/task`);
        expect(tids.length).toBeGreaterThan(2); // node's own threads plus the worker
        for (const tid of tids) {
          expect(capBnd(`/proc/${report.pid}/task/${tid}/status`), `tid ${tid}`).toBe(before & ~(1n << 16n));
        }
        // This process was not touched.
        expect(capBnd('/proc/thread-self/status')).toBe(before);
      } finally {
        child.stdin.end('bye\n');
        await new Promise((resolve) => { if (child.exitCode !== null) resolve(null); else child.once('exit', resolve); });
      }
    });

    it('EPERM with the reason in a child that lacks CAP_SETPCAP (capsh --drop=cap_setpcap)', async () => {
      const dist = new URL('../../dist/index.js', import.meta.url).href;
      const script = join(dir, 'eperm.mjs');
      writeFileSync(script, `
        import { capBound } from ${JSON.stringify(dist)};
        try { capBound.lower(capBound.read().set.minus(['cap_sys_module']), { onPartial: 'throw' }); console.log(JSON.stringify({ ok: true })); }
        catch (e) { console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, op: e.op, cap: e.cap, message: e.message })); }
        console.log(JSON.stringify({ bound: capBound.read().mask.toString(16) }));
      `);
      const { execFileSync } = await import('node:child_process');
      const out = execFileSync('capsh', ['--drop=cap_setpcap', '--', '-c', 'exec "$0" "$1"', process.execPath, script], { encoding: 'utf8' }).trim().split('\n');
      const failure = JSON.parse(out[0]!) as Record<string, unknown>;
      expect(failure).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'prctl', op: 'PR_CAPBSET_DROP', cap: 'cap_sys_module' });
      // Nothing changed: cap_sys_module is still in the bound.
      const bound = BigInt(`0x${(JSON.parse(out[1]!) as { bound: string }).bound}`);
      expect(bound & (1n << 16n)).toBe(1n << 16n);
    });

    it('a legacy cap-bound the writer may not open is EACCES with the path and reason (child without cap_dac_override)', async () => {
      const fake = join(dir, 'legacy-proc');
      mkdirSync(join(fake, 'sys', 'kernel'), { recursive: true });
      writeFileSync(join(fake, 'sys', 'kernel', 'cap-bound'), '-257\n', { mode: 0o400 });
      const dist = new URL('../../dist/index.js', import.meta.url).href;
      const script = join(dir, 'eacces.mjs');
      writeFileSync(script, `
        import { capBound } from ${JSON.stringify(dist)};
        try { capBound.lower(capBound.read({ procRoot: process.argv[2] }).set.minus(['cap_sys_module']), { procRoot: process.argv[2] }); console.log(JSON.stringify({ ok: true })); }
        catch (e) { console.log(JSON.stringify({ code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, reason: e.reason })); }
      `);
      const { execFileSync } = await import('node:child_process');
      const out = execFileSync('capsh', ['--drop=cap_dac_override', '--', '-c', 'exec "$0" "$1" "$2"', process.execPath, script, fake], { encoding: 'utf8' }).trim();
      expect(JSON.parse(out)).toEqual({
        code: 'EACCES', errno: -13, syscall: 'open', path: join(fake, 'sys', 'kernel', 'cap-bound'), reason: 'cap-bound is mode 0600, owned by root',
      });
      expect(readFileSync(join(fake, 'sys', 'kernel', 'cap-bound'), 'utf8')).toBe('-257\n');
    });
  });
});

describe('capBound under the model backend (a simulated process)', () => {
  it('reads the simulated thread\'s bounding set and drops from every simulated thread', () => {
    const previous = getBackend();
    const sim = model.createSimulatedBackend();
    useBackend(sim);
    try {
      const before = capBound.read();
      expect(before).toEqual({ mask: sim.threadState().bounding.toMask(), set: sim.threadState().bounding, source: 'prctl' });
      expect(before.set.has('cap_sys_module')).toBe(true);
      const after = capBound.lower(capBound.read().set.minus(['cap_sys_module', 'cap_sys_rawio']), { onPartial: 'throw' });
      expect(after.set).toEqual(before.set.minus(['cap_sys_module', 'cap_sys_rawio']));
      expect(sim.threads().length).toBeGreaterThan(1);
      for (const t of sim.threads()) expect(t.bounding, `tid ${t.tid}`).toEqual(after.set);
      expect(() => capBound.lower(before.set)).toThrow(/cannot raise the bound: cap_sys_module,cap_sys_rawio are not in the current bounding set/);
    } finally {
      installBackend(previous);
    }
  });
});
