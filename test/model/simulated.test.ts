// The simulated process: per-thread credentials, broadcasts, partial application, files, and the public API over it.
import { afterEach, describe, expect, it } from 'vitest';
import {
  CapsError, CapSet, model, useBackend,
} from '../../lib/index.js';
import { CAP, b } from './model-helpers.js';

const FULL40 = (1n << 41n) - 1n;

describe('a fresh simulated process', () => {
  const sim = model.createSimulatedBackend();
  it('looks like Node as root on a 6.18 kernel: 11 threads, full P/E/B for caps 0..40', () => {
    expect(sim.kind).toBe('model');
    expect(sim.lastCap()).toBe(40);
    expect(sim.threads()).toHaveLength(11);
    const t = sim.threadState();
    expect(t.tid).toBe(sim.pid);
    expect(t.permitted.toMask()).toBe(FULL40);
    expect(t.bounding.toMask()).toBe(FULL40);
    expect(t.inheritable.isEmpty).toBe(true);
    expect(t.uid).toEqual({ real: 0, effective: 0, saved: 0, fs: 0 });
    expect(sim.processRefusal()).toBeUndefined();
  });
});

describe('runOnThread vs broadcast', () => {
  it('runOnThread changes only the calling thread: the per-thread hazard is visible', () => {
    const sim = model.createSimulatedBackend();
    expect(sim.runOnThread([{ op: 'bounding.drop', cap: CAP.net_raw }])).toBeUndefined();
    const states = sim.threads();
    expect(states[0]!.bounding.has('cap_net_raw')).toBe(false);
    expect(states.slice(1).every((t) => t.bounding.has('cap_net_raw'))).toBe(true);
  });
  it('broadcast changes every thread', () => {
    const sim = model.createSimulatedBackend();
    const out = sim.broadcast([{ op: 'bounding.drop', cap: CAP.net_raw }, { op: 'noNewPrivs.set' }], { deadlineMs: 1000 });
    expect(out).toMatchObject({ threadCount: 11, failures: [], unreached: [] });
    expect(sim.threads().every((t) => !t.bounding.has('cap_net_raw') && t.noNewPrivs)).toBe(true);
  });
  it('a refused step stops the program with the kernel errno, rule and reason; earlier steps stay', () => {
    const sim = model.createSimulatedBackend({ cred: { uid: 1000, bounding: FULL40 } });
    const failure = sim.runOnThread([{ op: 'noNewPrivs.set' }, { op: 'bounding.drop', cap: CAP.net_raw }]);
    expect(failure).toMatchObject({ index: 1, errno: -1, rule: 'kernel-semantics §2.5 PR_CAPBSET' });
    expect(failure?.reason).toContain('cap_setpcap');
    expect(sim.threadState().noNewPrivs).toBe(true);
  });
  it('a caller failure touches no other thread', () => {
    const sim = model.createSimulatedBackend();
    const out = sim.broadcast([{ op: 'ambient.raise', cap: CAP.net_raw }], { deadlineMs: 1000 });
    expect(out.callerFailure).toMatchObject({ index: 0, errno: -1 });
    expect(out.threadCount).toBe(0);
  });
  it('blocked and failing threads make a partial broadcast', () => {
    const sim = model.createSimulatedBackend({ threadCount: 4 });
    const [, t1, t2, t3] = sim.tids();
    sim.block(t1!);
    sim.failNext(t2!, 1);
    const out = sim.broadcast([{ op: 'noNewPrivs.set' }], { deadlineMs: 1000 });
    expect(out.unreached).toEqual([t1]);
    expect(out.failures).toEqual([{ tid: t2, failure: expect.objectContaining({ index: 0, errno: -1 }) }]);
    expect(out.threadCount).toBe(2);
    expect(sim.cred(t3).noNewPrivs).toBe(true);
    expect(sim.cred(t1).noNewPrivs).toBe(false);
  });
  it('killProcess throws ERR_CAPS_PARTIAL (no real process to kill)', () => {
    const sim = model.createSimulatedBackend();
    expect(() => sim.killProcess('boom')).toThrow(CapsError);
    try { sim.killProcess('boom'); } catch (e) { expect((e as CapsError).code).toBe('ERR_CAPS_PARTIAL'); }
  });
  it('a configured refusal is returned', () => {
    const err = new CapsError({ code: 'ERR_CAPS_IO_URING', message: 'io_uring threads present' });
    expect(model.createSimulatedBackend({ refusal: err }).processRefusal()).toBe(err);
  });
});

describe('scenarios: files, exec, set ids, file caps', () => {
  it('exec of a file with caps from a user with KEEP_CAPS-less setuid: nothing survives but file caps', () => {
    const sim = model.createSimulatedBackend({
      files: [{ path: '/usr/bin/ping', mode: 0o755, xattr: { version: 2, permitted: b(CAP.net_raw), inheritable: 0n, effective: true, rootid: 0 } }],
    });
    sim.setIds({ gid: 1000, uid: 1000 });
    expect(sim.threads().every((t) => t.uid.effective === 1000 && t.permitted.isEmpty)).toBe(true);
    const t = sim.exec('/usr/bin/ping');
    expect(t.errno).toBeUndefined();
    expect(sim.threads()).toHaveLength(1);
    expect(sim.threadState().effective.toMask()).toBe(b(CAP.net_raw));
  });
  it('setIds refuses like the kernel, as a CapsError naming the syscall', () => {
    const sim = model.createSimulatedBackend({ cred: { uid: 1000, gid: 1000 } });
    expect(() => sim.setIds({ uid: 0 })).toThrow(/EPERM: operation not permitted, setresuid 0/);
  });
  it('nosuid mounts ignore set-id bits', () => {
    const sim = model.createSimulatedBackend({ cred: { uid: 1000 }, files: [{ path: '/mnt/su', mode: 0o4755, mount: { nosuid: true } }] });
    sim.exec('/mnt/su');
    expect(sim.threadState().uid.effective).toBe(1000);
  });
  it('file caps: write, read back, remove, with the kernel\'s write rules', () => {
    const sim = model.createSimulatedBackend({ files: [{ path: '/bin/x' }] });
    expect(sim.readFileCaps('/bin/x')).toBe(-61);
    const v2 = model.encodeFileCaps({ version: 2, permitted: b(CAP.net_raw), inheritable: 0n, effective: true, rootid: 0 });
    expect(sim.writeFileCaps('/bin/x', v2)).toBe(0);
    expect(sim.readFileCaps('/bin/x')).toEqual(v2);
    expect(sim.writeFileCaps('/bin/x', v2.subarray(0, 12))).toBe(-22);
    expect(sim.removeFileCaps('/bin/x')).toBe(0);
    expect(sim.removeFileCaps('/bin/x')).toBe(-61);
    expect(sim.readFileCaps('/nope')).toBe(-2);
  });
  it('any model step on any thread; unshare refuses in a multi-threaded process', () => {
    const sim = model.createSimulatedBackend({ threadCount: 2 });
    expect(sim.run({ op: 'unshare-user' }).errno).toBe(-22);
    const one = model.createSimulatedBackend({ threadCount: 1 });
    expect(one.run({ op: 'unshare-user' }).errno).toBeUndefined();
    expect(one.threadState().uid.real).toBe(65534);
  });
});

describe('the public API over the model', () => {
  afterEach(() => { useBackend('model'); });
  it('thread/caps state comes from the simulated process, and says backend: model', async () => {
    const sim = model.createSimulatedBackend({ cred: { permitted: b(CAP.net_raw, CAP.setpcap), effective: b(CAP.net_raw, CAP.setpcap) } });
    useBackend(sim);
    const { caps } = await import('../../lib/index.js');
    expect(caps.get().permitted.equals(CapSet.of('cap_net_raw', 'cap_setpcap'))).toBe(true);
    const r = caps.apply([{ op: 'bounding.drop', caps: 'cap_sys_admin' }]);
    expect(r.backend).toBe('model');
    expect(sim.threads().every((t) => !t.bounding.has('cap_sys_admin'))).toBe(true);
  });
});
