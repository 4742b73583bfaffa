/**
 * containerProfile() inside real containers: an unshare'd user+mount+pid namespace and
 * bubblewrap sandboxes (with and without a user namespace, with a seccomp filter), each
 * running a Node child that prints its profile; compared with the child's own /proc, getpcaps
 * and libcap's capget, and with Docker's and Podman's default sets.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CapSet, lastCap, compareWithReference, containerProfile, DOCKER_DEFAULT_CAPS, PODMAN_DEFAULT_CAPS, type ContainerProfile,
  type CapName,
} from '../../lib/index.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';
import { capgetOracle, hasLibcapDev, here, ownBoundingMask, startChild, stopChildren } from '../fixtures/proc-helpers.js';

const NET_RAW = 13;
const SYS_ADMIN = 21;
const dist = resolve(here, '..', '..', 'dist');
const probe = join(here, 'proc-container-probe.mjs');

describe('reference sets', () => {
  it('holds Docker\'s 14 default capabilities', () => {
    expect(DOCKER_DEFAULT_CAPS.names()).toEqual([
      'cap_chown', 'cap_dac_override', 'cap_fowner', 'cap_fsetid', 'cap_kill', 'cap_setgid', 'cap_setuid', 'cap_setpcap',
      'cap_net_bind_service', 'cap_net_raw', 'cap_sys_chroot', 'cap_mknod', 'cap_audit_write', 'cap_setfcap',
    ]);
  });

  it('holds Podman\'s 11: Docker\'s less mknod, net_raw and audit_write', () => {
    expect(PODMAN_DEFAULT_CAPS.size).toBe(11);
    expect(DOCKER_DEFAULT_CAPS.minus(PODMAN_DEFAULT_CAPS).names()).toEqual(['cap_net_raw', 'cap_mknod', 'cap_audit_write']);
    expect(PODMAN_DEFAULT_CAPS.isSubsetOf(DOCKER_DEFAULT_CAPS)).toBe(true);
  });

  it('names what was added and dropped', () => {
    const c = compareWithReference(DOCKER_DEFAULT_CAPS.with('cap_sys_admin').without('cap_mknod', 'cap_net_raw'), DOCKER_DEFAULT_CAPS);
    expect(c.added.names()).toEqual(['cap_sys_admin']);
    expect(c.dropped.names()).toEqual(['cap_net_raw', 'cap_mknod']);
    expect(c.equal).toBe(false);
    expect(c.difference).toBe('+cap_sys_admin -cap_net_raw -cap_mknod');
    const same = compareWithReference(PODMAN_DEFAULT_CAPS, PODMAN_DEFAULT_CAPS);
    expect(same).toMatchObject({ equal: true, difference: '' });
    expect(same.added.isEmpty && same.dropped.isEmpty).toBe(true);
  });
});

interface ProbeOutput {
  profile: ContainerProfile;
  status: string;
  getpcaps: string;
  oracle: string | undefined;
}

const SETS = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const;
const STATUS_KEY = { bounding: 'CapBnd', effective: 'CapEff', permitted: 'CapPrm', inheritable: 'CapInh', ambient: 'CapAmb' } as const;

/** Runs the probe under `wrapper`, and rebuilds the CapSets JSON turned into name lists. */
function runProbe(wrapper: string[], extraStdio: number[] = []): ProbeOutput {
  const [cmd, ...args] = wrapper;
  const r = spawnSync(cmd!, [...args, process.execPath, probe, dist, capgetOracle()], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', ...extraStdio], timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`${wrapper.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as ProbeOutput;
  const p = out.profile as unknown as Record<string, unknown>;
  for (const k of SETS) p[k] = CapSet.from(p[k] as CapName[]);
  for (const k of ['docker', 'podman', 'full']) {
    const c = p[k] as Record<string, unknown>;
    for (const s of ['reference', 'added', 'dropped']) c[s] = CapSet.from(c[s] as CapName[]);
  }
  return out;
}

/** The profile's five sets agree with the child's own /proc text and with libcap's capget. */
function expectAgreesWithOracles(out: ProbeOutput) {
  for (const k of SETS) {
    const hex = new RegExp(`^${STATUS_KEY[k]}:\\s*([0-9a-f]{16})$`, 'm').exec(out.status)![1]!;
    expect(out.profile[k].toHex(), k).toBe(hex);
  }
  const [pid, e, p, i, , a, nb] = out.oracle!.split(' ');
  expect(Number(pid)).toBe(out.profile.pid);
  expect(out.profile.effective.toHex()).toBe(e);
  expect(out.profile.permitted.toHex()).toBe(p);
  expect(out.profile.inheritable.toHex()).toBe(i);
  expect(out.profile.ambient.toHex()).toBe(a);
  const known = CapSet.full(lastCap());
  expect(known.minus(out.profile.bounding).toHex()).toBe(CapSet.fromHex(nb!).intersect(known).toHex());
}

describe('containerProfile of this process and of a pid', () => {
  const skip = missing({ linux: isLinux, root: isRoot, setpriv: hasCommand('setpriv'), 'libcap-dev and cc': hasLibcapDev() });
  afterAll(stopChildren);

  it.skipIf(skip)('reports this process\'s own sets, in the initial user namespace', () => {
    const p = containerProfile();
    const text = readFileSync('/proc/self/status', 'utf8');
    for (const k of SETS) expect(p[k].toHex(), k).toBe(new RegExp(`^${STATUS_KEY[k]}:\\s*([0-9a-f]{16})$`, 'm').exec(text)![1]);
    expect(p.pid).toBe(process.pid);
    // Two independent signs of the initial user namespace: its fixed nsfs inode, and a uid_map
    // that maps every uid onto itself.
    const uidMap = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ');
    expect(p.inUserNamespace).toBe(uidMap !== '0 0 4294967295');
    expect(p.userNamespace === 'user:[4026531837]').toBe(uidMap === '0 0 4294967295');
    // Compared with the kernel's full set: exactly what this machine's bounding set lacks (read, not assumed).
    expect(p.full.dropped.toHex()).toBe(CapSet.full(lastCap()).minus(CapSet.fromMask(ownBoundingMask())).toHex());
    expect(p.full.added.isEmpty).toBe(true);
    expect(p.docker.dropped.isEmpty).toBe(true);
  });

  it.skipIf(skip)('profiles another pid, set by setpriv', async () => {
    const c = await startChild('setpriv', ['--bounding-set', '-all,+chown,+kill,+net_bind_service,+net_raw,+sys_admin', '--nnp', 'sleep', '60'], 'sleep');
    const p = containerProfile(c.pid);
    expect(p.pid).toBe(c.pid);
    expect(p.bounding.names()).toEqual(['cap_chown', 'cap_kill', 'cap_net_bind_service', 'cap_net_raw', 'cap_sys_admin']);
    expect(p.noNewPrivs).toBe(true);
    expect(p.docker.added.names()).toEqual(['cap_sys_admin']);
    expect(p.docker.dropped.size).toBe(10);
    expect(p.podman.added.names()).toEqual(['cap_net_raw', 'cap_sys_admin']);
    expect(p.podman.difference).toMatch(/^\+cap_net_raw \+cap_sys_admin -cap_dac_override /);
    expect(p.inUserNamespace).toBe(false);
  });

  it.skipIf(skip)('profiles, from outside, a pid that lives in a new user namespace', async () => {
    const c = await startChild('unshare', ['-Ur', 'sleep', '60'], 'sleep');
    const p = containerProfile(c.pid);
    expect(p.inUserNamespace).toBe(true);
    expect(p.userNamespace).toMatch(/^user:\[\d+\]$/);
    expect(p.userNamespace).not.toBe(containerProfile().userNamespace);
    expect(p.full.equal).toBe(true);
    expect(p.uid.effective).toBe(0);
  });

  it('refuses a bad pid before reading anything', () => {
    expect(() => containerProfile(-4)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
  });
});

describe('containerProfile inside containers', () => {
  const skip = missing({
    linux: isLinux, root: isRoot, unshare: hasCommand('unshare'), bwrap: hasCommand('bwrap'), getpcaps: hasCommand('getpcaps'),
    'libcap-dev and cc': hasLibcapDev(),
  });
  const tmp = skip ? '' : mkdtempSync(join(tmpdir(), 'linux-caps-container-'));

  it.skipIf(skip)('unshare -Urmpf --mount-proc: pid 1 of a new user namespace holds the full set', () => {
    const out = runProbe(['unshare', '-Urmpf', '--mount-proc']);
    const p = out.profile;
    const full = CapSet.full(lastCap());
    expect(p.pid).toBe(1);
    expect(p.inUserNamespace).toBe(true);
    expect(p.userNamespace).not.toBe('user:[4026531837]');
    // A new user namespace starts with every capability, even those the host's bounding set lacks.
    expect(p.bounding.toHex()).toBe(full.toHex());
    expect(p.effective.toHex()).toBe(full.toHex());
    expect(p.permitted.toHex()).toBe(full.toHex());
    expect(p.inheritable.isEmpty && p.ambient.isEmpty).toBe(true);
    expect(p.full).toMatchObject({ equal: true, difference: '' });
    expect(p.docker.dropped.isEmpty).toBe(true);
    expect(p.docker.added.toHex()).toBe(full.minus(DOCKER_DEFAULT_CAPS).toHex());
    expect(p.docker.added.has('cap_sys_admin')).toBe(true);
    expect(p.noNewPrivs).toBe(false);
    expect(p.uid).toEqual({ real: 0, effective: 0, saved: 0, fs: 0 });
    expectAgreesWithOracles(out);
    expect(out.getpcaps).toBe('1: =ep');
  });

  it.skipIf(skip)('bwrap as root without a user namespace: net_raw only, bounding set untouched, nnp, a seccomp filter', () => {
    // A BPF program of one instruction: return SECCOMP_RET_ALLOW (BPF_RET|BPF_K, k = 0x7fff0000).
    const filter = join(tmp, 'allow-all.bpf');
    writeFileSync(filter, Buffer.from([0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x7f]));
    const fd = openSync(filter, 'r');
    let out: ProbeOutput;
    try {
      out = runProbe(['bwrap', '--unshare-pid', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--seccomp', '3',
        '--cap-drop', 'ALL', '--cap-add', 'CAP_NET_RAW'], [fd]);
    } finally {
      closeSync(fd);
    }
    const p = out.profile;
    const netRaw = CapSet.of(NET_RAW);
    expect(p.inUserNamespace).toBe(false);
    for (const k of ['effective', 'permitted', 'inheritable', 'ambient'] as const) expect(p[k].names(), k).toEqual(['cap_net_raw']);
    expect(p.bounding.toMask()).toBe(ownBoundingMask());
    expect(p.noNewPrivs).toBe(true);
    expect(p.seccomp).toBe(2);
    expect(p.effective.equals(netRaw)).toBe(true);
    expect(p.docker.dropped.isEmpty).toBe(true);
    expect(p.docker.added.has('cap_sys_admin')).toBe(true);
    expectAgreesWithOracles(out);
    expect(out.getpcaps).toBe(`${p.pid}: cap_net_raw=eip`);
  });

  it.skipIf(skip)('bwrap --unshare-all as root: a user namespace whose bounding set is net_raw and sys_admin', () => {
    const out = runProbe(['bwrap', '--unshare-all', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev',
      '--cap-drop', 'ALL', '--cap-add', 'CAP_NET_RAW', '--cap-add', 'CAP_SYS_ADMIN']);
    const p = out.profile;
    expect(p.inUserNamespace).toBe(true);
    for (const k of SETS) expect(p[k].toArray(), k).toEqual([NET_RAW, SYS_ADMIN]);
    expect(p.noNewPrivs).toBe(true);
    expect(p.docker.added.names()).toEqual(['cap_sys_admin']);
    expect(p.docker.dropped.names()).toEqual(DOCKER_DEFAULT_CAPS.without('cap_net_raw').names());
    expect(p.docker.difference).toBe(`+cap_sys_admin ${DOCKER_DEFAULT_CAPS.without('cap_net_raw').names().map((n) => `-${n}`).join(' ')}`);
    expect(p.podman.added.names()).toEqual(['cap_net_raw', 'cap_sys_admin']);
    expect(p.podman.dropped.toHex()).toBe(PODMAN_DEFAULT_CAPS.toHex());
    expect(p.full.dropped.size).toBe(lastCap() + 1 - 2);
    expectAgreesWithOracles(out);
    expect(out.getpcaps).toBe(`${p.pid}: cap_net_raw,cap_sys_admin=eip`);
  });
});
