/**
 * toProfile() and `linux-caps profile` (issue 17): every format parsed by its tool or a
 * well-kept parser, and the capsh line run for real.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CapSet, PROFILE_FORMATS, toProfile, type ProfileFormat } from '../../lib/internal.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const NEEDED = ['cap_chown', 'cap_net_bind_service'] as const;
const asRoot = { caps: [...NEEDED] };
const asDaemon = { caps: [...NEEDED], user: 'nobody' };
const LAST = 40;
const profile = (source: Parameters<typeof toProfile>[0], format: ProfileFormat) => toProfile(source, format, { lastCap: LAST });
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;

describe('toProfile: each format as its tool reads it', () => {
  it('systemd: CAP_ names; ambient and User= only for a user; NoNewPrivileges', () => {
    expect(profile(asRoot, 'systemd')).toBe('[Service]\nCapabilityBoundingSet=CAP_CHOWN CAP_NET_BIND_SERVICE\nNoNewPrivileges=yes\n');
    expect(profile({ ...asDaemon, securebits: 0x2f }, 'systemd')).toBe(
      '[Service]\nUser=nobody\nCapabilityBoundingSet=CAP_CHOWN CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_CHOWN CAP_NET_BIND_SERVICE\n'
      + 'NoNewPrivileges=yes\nSecureBits=keep-caps-locked no-setuid-fixup no-setuid-fixup-locked noroot noroot-locked\n',
    );
    // The empty set empties the bounding set (an empty assignment, systemd.exec(5)).
    expect(profile({ caps: [], noNewPrivs: false }, 'systemd')).toBe('[Service]\nCapabilityBoundingSet=\n');
    expect(() => profile({ caps: [], securebits: 0x40 }, 'systemd')).toThrow(/SecureBits/);
  });

  it('docker and podman: --cap-drop ALL, bare names, no-new-privileges, --user', () => {
    expect(profile(asRoot, 'docker')).toBe('--cap-drop ALL --cap-add CHOWN --cap-add NET_BIND_SERVICE --security-opt no-new-privileges\n');
    expect(profile({ ...asDaemon, noNewPrivs: false }, 'podman')).toBe('--cap-drop ALL --cap-add CHOWN --cap-add NET_BIND_SERVICE --user nobody\n');
  });

  it('compose: cap_drop / cap_add YAML (parsed by the yaml package)', () => {
    expect(parseYaml(profile({ ...asDaemon, user: 1000 }, 'compose'))).toEqual({
      cap_drop: ['ALL'], cap_add: ['CHOWN', 'NET_BIND_SERVICE'], security_opt: ['no-new-privileges:true'], user: '1000',
    });
    expect(parseYaml(profile({ caps: [] }, 'compose'))).toEqual({ cap_drop: ['ALL'], cap_add: [], security_opt: ['no-new-privileges:true'] });
  });

  it('k8s: securityContext with drop [ALL], add, allowPrivilegeEscalation, runAsUser (parsed)', () => {
    expect(parseYaml(profile({ ...asDaemon, user: 65534 }, 'k8s'))).toEqual({
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'], add: ['CHOWN', 'NET_BIND_SERVICE'] },
        runAsUser: 65534, runAsNonRoot: true,
      },
    });
    // A user name: Kubernetes takes a number, so the uid is left to fill in (a comment).
    const named = profile(asDaemon, 'k8s');
    expect(named).toContain('# runAsUser: the uid of nobody');
    expect(parseYaml(named).securityContext.runAsUser).toBeUndefined();
  });

  it('oci: runtime-spec process.capabilities and noNewPrivileges (JSON); ambient and inheritable only for a user', () => {
    const names = ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'];
    expect(JSON.parse(profile(asRoot, 'oci'))).toEqual({
      process: { noNewPrivileges: true, capabilities: { bounding: names, effective: names, inheritable: [], permitted: names, ambient: [] } },
    });
    expect(JSON.parse(profile({ ...asDaemon, user: 1000 }, 'oci')).process).toEqual({
      user: { uid: 1000, gid: 1000 }, noNewPrivileges: true,
      capabilities: { bounding: names, effective: names, inheritable: names, permitted: names, ambient: names },
    });
  });

  it('label: io.containers.capabilities with bare names', () => {
    expect(profile(asRoot, 'label')).toBe('io.containers.capabilities=CHOWN,NET_BIND_SERVICE\n');
  });

  it('takes a capability state and a need result as well; refuses a bad format and a bad need result, naming the field', () => {
    const state = { permitted: CapSet.of('cap_kill'), noNewPrivs: false, securebits: 0, uid: { effective: 1000 } };
    expect(profile(state, 'docker')).toBe('--cap-drop ALL --cap-add KILL --user 1000\n');
    expect(profile({ needed: ['cap_kill'], mode: 'user', user: 'nobody' }, 'docker')).toBe('--cap-drop ALL --cap-add KILL --security-opt no-new-privileges --user nobody\n');
    expect(() => profile(asRoot, 'ansible' as ProfileFormat)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
    expect(() => profile({ needed: ['cap_nope'], mode: 'root' }, 'docker')).toThrow(/"needed"/);
    expect(() => profile({ needed: [], mode: 'sideways' } as never, 'docker')).toThrow(/"mode"/);
    expect(() => profile({ needed: [], mode: 'user' }, 'docker')).toThrow(/"user"/);
    expect([...PROFILE_FORMATS]).toEqual(['systemd', 'docker', 'podman', 'compose', 'k8s', 'oci', 'label', 'capsh']);
  });
});

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot, capsh: hasCommand('capsh'), 'systemd-analyze': hasCommand('systemd-analyze') });

describe.skipIf(skip)('the tools themselves read the profiles', () => {
  /** The capability lines of /proc/self/status of a shell that capsh started with `line`. */
  function underCapsh(line: string): Record<string, string> {
    const args = line.trim().split(' ').slice(1);
    const r = spawnSync('capsh', [...args, '-c', 'grep -E "^(Cap|NoNewPrivs|Uid)" /proc/self/status'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(/:\s+/) as [string, string]));
  }
  const mask = CapSet.of(...NEEDED).toHex();

  it('capsh, as root: the shell it starts holds exactly the needed set in B, P and E, with no_new_privs', () => {
    const status = underCapsh(toProfile(asRoot, 'capsh'));
    expect([status.CapBnd, status.CapPrm, status.CapEff, status.CapAmb, status.NoNewPrivs]).toEqual([mask, mask, mask, '0000000000000000', '1']);
  });

  it('capsh, as nobody: the same set, ambient, across the exec of a non-root shell', () => {
    const status = underCapsh(toProfile(asDaemon, 'capsh'));
    expect(status.Uid!.split(/\s+/)[0]).toBe('65534');
    expect([status.CapBnd, status.CapPrm, status.CapEff, status.CapAmb, status.NoNewPrivs]).toEqual([mask, mask, mask, mask, '1']);
  });

  it('systemd: systemd-analyze knows every capability name and verifies a unit made of the fragment', () => {
    const fragment = toProfile({ ...asDaemon, user: 'daemon', securebits: 0x2f }, 'systemd');
    const names = fragment.match(/CAP_[A-Z_]+/g)!;
    const known = spawnSync('systemd-analyze', ['capability', ...new Set(names)], { encoding: 'utf8' });
    expect(known.stderr).toBe('');
    expect(known.status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-profile-'));
    try {
      const unit = join(dir, 'linux-caps-profile-test.service');
      writeFileSync(unit, `[Unit]\nDescription=linux-caps profile test\n\n${fragment.replace('[Service]\n', '[Service]\nExecStart=/bin/true\n')}`);
      const verify = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8' });
      expect(verify.status).toBe(0);
      expect(verify.stdout + verify.stderr).not.toMatch(/Unknown key|Failed to parse|Invalid|ignoring/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!isLinux && 'needs Linux')('linux-caps profile', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'profile', ...args], { encoding: 'utf8' });

  it('prints a format from libcap text, a need result file, or a live process', () => {
    const text = run(['--format', 'docker', '--caps', 'cap_chown,cap_net_bind_service=p']);
    expect([text.status, text.stdout]).toEqual([0, '--cap-drop ALL --cap-add CHOWN --cap-add NET_BIND_SERVICE --security-opt no-new-privileges\n']);
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-profile-'));
    try {
      const file = join(dir, 'need.json');
      writeFileSync(file, JSON.stringify({ needed: ['cap_net_bind_service'], mode: 'user', user: 'www-data', runs: 9 }));
      const fromFile = run(['--format', 'systemd', '--from', file]);
      expect(fromFile.stdout).toBe('[Service]\nUser=www-data\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nNoNewPrivileges=yes\n');
      writeFileSync(file, JSON.stringify({ needed: 'cap_chown', mode: 'root' }));
      const bad = run(['--format', 'systemd', '--from', file]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/need result field "needed"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const live = run(['--format', 'label', '--pid', String(process.pid)]);
    const held = CapSet.fromHex(readFileSync('/proc/self/status', 'utf8').match(/^CapPrm:\s+(\w+)/m)![1]!);
    expect(live.stdout).toBe(`io.containers.capabilities=${held.names().map((n) => n.slice(4).toUpperCase()).join(',')}\n`);
  });

  it.each([
    [['--caps', 'cap_chown=p'], /--format is required/],
    [['--format', 'ansible', '--caps', 'cap_chown=p'], /--format takes systemd, docker/],
    [['--format', 'docker', '--caps', 'cap_chown=p', '--pid', '1'], /give one of --caps, --pid and --from/],
    [['--format', 'docker', '--caps', 'cap_bogus=p'], /--caps:/],
    [['--format', 'docker', 'extra'], /unexpected "extra"/],
  ])('usage errors exit 2: %j', (args, message) => {
    const r = run(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
