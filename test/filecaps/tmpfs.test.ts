/**
 * fileCaps on a private tmpfs mounted inside `unshare -m` (nothing outlives the namespace):
 * what fileCaps.set writes there, getcap and getfattr read identically, and the kernel honours
 * it at exec — a copy of cat with cap_net_raw=ep, run as uid 65534, holds cap_net_raw in E and
 * P; with a v3 rootid that no namespace root owns, it holds nothing (kernel-semantics §2.7).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = missing({
  linux: isLinux,
  root: isRoot,
  'unshare (util-linux)': hasCommand('unshare'),
  'setpriv (util-linux)': hasCommand('setpriv'),
  'setcap/getcap (apt libcap2-bin)': hasCommand('getcap'),
  'getfattr (apt attr)': hasCommand('getfattr'),
});

describe.skipIf(skip)('fileCaps on a private tmpfs (unshare -m)', () => {
  const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'linux-caps-tmpfs-'));
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('getcap/getfattr read what fileCaps.set wrote, and exec honours it (v2) or ignores it (foreign v3 rootid)', () => {
    const mnt = join(dir, 'mnt');
    const script = join(dir, 'inside.mjs');
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    writeFileSync(script, `
      import { fileCaps } from ${JSON.stringify(dist)};
      import { copyFileSync, chmodSync } from 'node:fs';
      import { execFileSync } from 'node:child_process';
      const mnt = process.argv[2];
      const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
      const capsOf = (path) => Object.fromEntries(run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', path, '/proc/self/status'])
        .split('\\n').filter((l) => /^Cap(Eff|Prm)/.test(l)).map((l) => l.split(/:\\s+/)));
      const out = { fstype: run('stat', ['-f', '-c', '%T', mnt]) };
      copyFileSync('/bin/cat', mnt + '/cat-v2'); chmodSync(mnt + '/cat-v2', 0o755);
      copyFileSync('/bin/cat', mnt + '/cat-v3'); chmodSync(mnt + '/cat-v3', 0o755);
      out.v2 = fileCaps.set(mnt + '/cat-v2', 'cap_net_raw=ep').text;
      out.v3 = fileCaps.set(mnt + '/cat-v3', 'cap_net_raw=ep', { rootid: 1000 }).rootid;
      out.getcap = run('getcap', ['-n', mnt + '/cat-v2', mnt + '/cat-v3']);
      out.getfattr = run('getfattr', ['--absolute-names', '-n', 'security.capability', '-e', 'hex', mnt + '/cat-v2']);
      out.execV2 = capsOf(mnt + '/cat-v2');
      out.execV3 = capsOf(mnt + '/cat-v3');
      out.execPlain = capsOf('/bin/cat');
      console.log(JSON.stringify(out));
    `);
    const stdout = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
      'mkdir -p "$1" && mount -t tmpfs -o mode=0755 linux-caps-test "$1" && exec "$2" "$3" "$1"', 'sh', mnt, process.execPath, script], { encoding: 'utf8' });
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(out.fstype).toBe('tmpfs');
    expect(out.v2).toBe('cap_net_raw=ep');
    expect(out.v3).toBe(1000);
    expect(out.getcap).toBe(`${mnt}/cat-v2 cap_net_raw=ep\n${mnt}/cat-v3 cap_net_raw=ep [rootid=1000]`);
    expect(out.getfattr).toMatch(/security\.capability=0x0100000200200000000000000000000000000000$/);
    // cap_net_raw is bit 13: 0x2000. uid 65534 gets it only from the v2 file caps.
    expect(out.execV2).toEqual({ CapPrm: '0000000000002000', CapEff: '0000000000002000' });
    expect(out.execV3).toEqual({ CapPrm: '0000000000000000', CapEff: '0000000000000000' });
    expect(out.execPlain).toEqual({ CapPrm: '0000000000000000', CapEff: '0000000000000000' });
  });
});
