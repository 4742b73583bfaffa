/**
 * launch({ oci }) and `linux-caps exec --oci` against runc itself (issue 17): the same process
 * block run by runc in a real container and by launch() on the host; the child's credentials,
 * as its /proc/self/status shows them, must be the same (../shared/spec/oci-runc.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, type LaunchOptions } from '../../lib/internal.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot, runc: hasCommand('runc') });
const FIELDS = /^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):/;
const ARGS = ['/bin/grep', '-E', '^(Uid|Gid|Groups|Cap|NoNewPrivs)', '/proc/self/status'];
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;

type Block = NonNullable<LaunchOptions['oci']>;
const DOCKER = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];
const all5 = (names: string[]) => ({ bounding: names, effective: names, inheritable: [], permitted: names, ambient: [] });

let bundle: string;
let counter = 0;

beforeAll(() => {
  if (skip) return;
  bundle = mkdtempSync(join(tmpdir(), 'linux-caps-oci-'));
  for (const d of ['proc', 'dev', 'sys', 'usr', 'lib', 'lib64', 'bin', 'etc', 'tmp']) mkdirSync(join(bundle, 'rootfs', d), { recursive: true });
  execFileSync('runc', ['spec'], { cwd: bundle });
});
afterAll(() => { if (bundle) rmSync(bundle, { recursive: true, force: true }); });

/** What runc's container process shows for `block`, or runc's failure. */
function underRunc(block: Block): { lines?: string[]; error?: string } {
  const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  config.process = { ...config.process, terminal: false, args: ARGS, user: { uid: 0, gid: 0 }, ...block, capabilities: block.capabilities };
  if (block.noNewPrivileges === undefined) delete config.process.noNewPrivileges;
  config.root.readonly = true;
  config.mounts = [...config.mounts.filter((m: { destination: string }) => !['/usr', '/lib', '/lib64', '/bin', '/etc'].includes(m.destination)),
    ...['/usr', '/lib', '/lib64', '/bin', '/etc'].map((d) => ({ destination: d, type: 'bind', source: d, options: ['rbind', 'ro'] }))];
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  const r = spawnSync('runc', ['run', `linux-caps-oci-${process.pid}-${counter++}`], { cwd: bundle, encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr };
  return { lines: r.stdout.split('\n').filter((l) => FIELDS.test(l)) };
}

/** What launch({ oci }) gives the same command on the host, or its refusal. */
async function underLaunch(block: Block): Promise<{ lines?: string[]; error?: string }> {
  let child;
  try {
    child = launch(ARGS[0]!, ARGS.slice(1), { oci: block, stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (err) {
    return { error: (err as Error).message };
  }
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  await Promise.all([child.exited, new Promise((done) => child.stdout!.on('close', done))]);
  return { lines: out.split('\n').filter((l) => FIELDS.test(l)) };
}

describe.skipIf(skip)('launch({ oci }) gives what runc gives', () => {
  it.each<[string, Block]>([
    ["Docker's default set, as root", { capabilities: all5(DOCKER) }],
    ['root with no_new_privs and permitted beyond the bounding set', { capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN', 'CAP_KILL'], permitted: ['CAP_CHOWN', 'CAP_KILL'], inheritable: [], ambient: [] }, noNewPrivileges: true }],
    ['uid 1000 with ambient (one outside inheritable is skipped) and an unknown name', {
      user: { uid: 1000, gid: 1000 },
      capabilities: { bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN', 'CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL', 'CAP_CHOWN', 'CAP_FOO'] },
      noNewPrivileges: true,
    }],
    ['uid 1000 with supplementary groups and no capabilities', { user: { uid: 1000, gid: 1000, additionalGids: [4, 27] }, capabilities: all5([]) }],
    ['no capabilities block at all', {}],
  ])('%s', async (_name, block) => {
    const runc = underRunc(block);
    expect(runc.error).toBeUndefined();
    const ours = await underLaunch(block);
    expect(ours.error).toBeUndefined();
    expect(ours.lines).toEqual(runc.lines);
    expect(ours.lines!.length).toBe(9);
  });

  it.each<[string, Block]>([
    ['effective outside permitted', { capabilities: { bounding: ['CAP_CHOWN', 'CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_CHOWN'], inheritable: [], ambient: [] } }],
    ['inheritable outside the bounding set', { capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'], inheritable: ['CAP_KILL'], ambient: [] } }],
  ])('refused, as runc refuses it: %s', async (_name, block) => {
    expect(underRunc(block).error).toMatch(/unable to apply caps: operation not permitted/);
    expect((await underLaunch(block)).error).toMatch(/^EPERM: operation not permitted, capset of the OCI process capabilities \(.*runc fails the same way/);
  });

  it('exec --oci takes a whole config.json and becomes the command with that state', () => {
    const block: Block = { user: { uid: 1000, gid: 1000 }, capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] } };
    const file = join(bundle, 'exec-config.json');
    writeFileSync(file, JSON.stringify({ ociVersion: '1.0.2', process: block }));
    const r = spawnSync(process.execPath, [cli, 'exec', '--oci', file, '--', ...ARGS], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => FIELDS.test(l))).toEqual(underRunc(block).lines);
    const clash = spawnSync(process.execPath, [cli, 'exec', '--oci', file, '--user', 'nobody', '--', '/bin/true'], { encoding: 'utf8' });
    expect([clash.status, clash.stderr]).toEqual([2, expect.stringMatching(/--oci sets the ids and capabilities; not with --user/)]);
  });

  it('refuses oci beside the options it sets, and a malformed block', () => {
    expect(() => launch('/bin/true', [], { oci: {}, user: 'nobody' })).toThrow(/nothing beside oci/);
    expect(() => launch('/bin/true', [], { oci: { capabilities: { bounding: 'CAP_KILL' as never } } })).toThrow(/oci capabilities.bounding/);
    expect(() => launch('/bin/true', [], { oci: { user: { uid: -1, gid: 0 } } })).toThrow(/oci user.uid/);
  });
});
