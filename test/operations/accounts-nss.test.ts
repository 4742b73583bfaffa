/**
 * Accounts resolve the way the system resolves them (issue 23): an account served by another
 * NSS source than /etc/passwd (Debian's libnss-extrausers: the same path as LDAP, SSSD or
 * systemd's DynamicUser) is found by dropPrivileges(), launch(), `linux-caps exec --user` and
 * `print`, exactly as id(1) and setpriv find it. The configuration is bind-mounted over
 * /etc/nsswitch.conf and /var/lib/extrausers inside a private mount namespace (unshare -m), so
 * the machine's own files never change.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, hasFile, isLinux, isRoot, missing } from '../helpers/env.js';

const dist = new URL('../../dist/', import.meta.url).pathname;
const extrausers = ['/usr/lib/libnss_extrausers.so.2', '/usr/lib/x86_64-linux-gnu/libnss_extrausers.so.2', '/lib/x86_64-linux-gnu/libnss_extrausers.so.2'];
const skip = !isLinux ? 'needs Linux' : missing({
  root: isRoot, unshare: hasCommand('unshare'), setpriv: hasCommand('setpriv'), capsh: hasCommand('capsh'),
  'libnss-extrausers': extrausers.some(hasFile) && hasFile('/var/lib/extrausers'),
});

/** Runs `script` (sh) in a private mount namespace where extrausers serves lcx-user and its groups. */
function withExtraUsers(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'linux-caps-nss-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const conf = readFileSync('/etc/nsswitch.conf', 'utf8').replace(/^(passwd|group):(.*)$/gm, '$1:$2 extrausers');
  writeFileSync(join(dir, 'nsswitch.conf'), conf);
  mkdirSync(join(dir, 'eu'));
  writeFileSync(join(dir, 'eu', 'passwd'), 'lcx-user:x:43210:43210:extra:/nonexistent:/usr/sbin/nologin\n');
  writeFileSync(join(dir, 'eu', 'group'), 'lcx-group:x:43210:\nlcx-team:x:43211:lcx-user\nlcx-other:x:43212:\n');
  writeFileSync(join(dir, 'eu', 'shadow'), '');
  return execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-ec',
    `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf; mount --bind ${dir}/eu /var/lib/extrausers; ${script}`], { encoding: 'utf8' });
}

const idLines = (status: string) => status.split('\n').filter((l) => /^(Uid|Gid|Groups):/.test(l)).join('\n');

describe.skipIf(skip)('accounts through NSS (libnss-extrausers)', () => {
  it('the account is invisible to /etc/passwd but found by id(1): the oracle holds', () => {
    expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('lcx-user');
    expect(withExtraUsers('id lcx-user')).toBe('uid=43210(lcx-user) gid=43210(lcx-group) groups=43210(lcx-group),43211(lcx-team)\n');
  });

  it('dropPrivileges({ user }) and launch({ user, group }) resolve it as setpriv does', () => {
    const drop = `import { dropPrivileges } from '${dist}index.js'; import { readFileSync } from 'node:fs';
      dropPrivileges({ user: 'lcx-user', keep: [] }); process.stdout.write(readFileSync('/proc/self/status', 'utf8'));`;
    const launched = `import { launch } from '${dist}index.js';
      const c = launch('cat', ['/proc/self/status'], { user: 'lcx-user', group: 'lcx-team', groups: ['lcx-other'], stdio: ['ignore', 'inherit', 'inherit'] });
      await c.exited;`;
    const out = withExtraUsers([
      `${process.execPath} --input-type=module -e "${drop.replace(/"/g, '\\"')}"`,
      'echo ===',
      'setpriv --reuid=lcx-user --regid=lcx-group --init-groups cat /proc/self/status',
      'echo ===',
      `${process.execPath} --input-type=module -e "${launched.replace(/"/g, '\\"')}"`,
      'echo ===',
      'setpriv --reuid=lcx-user --regid=lcx-team --groups=lcx-other cat /proc/self/status',
    ].join('; '));
    const [ours, theirs, oursLaunched, theirsLaunched] = out.split('===\n').map(idLines);
    expect(ours).toBe(theirs);
    expect(ours).toMatch(/^Uid:\t43210\t43210\t43210\t43210\nGid:\t43210\t43210\t43210\t43210\nGroups:\t43210 43211 ?$/);
    expect(oursLaunched).toBe(theirsLaunched);
    expect(oursLaunched).toMatch(/Gid:\t43211\t/);
  });

  it('linux-caps exec --user and print name it as id and capsh do', () => {
    const out = withExtraUsers([
      `${process.execPath} ${dist}cli.js exec --user lcx-user id`,
      'echo ===',
      `setpriv --reuid=lcx-user --regid=lcx-group --init-groups ${process.execPath} ${dist}cli.js print | grep -E '^(uid|gid|groups)='`,
      'echo ===',
      "setpriv --reuid=lcx-user --regid=lcx-group --init-groups capsh --print | grep -E '^(uid|gid|groups)='",
    ].join('; '));
    const [exec, print, capsh] = out.split('===\n');
    expect(exec).toBe('uid=43210(lcx-user) gid=43210(lcx-group) groups=43210(lcx-group),43211(lcx-team)\n');
    expect(print).toBe(capsh);
    expect(print).toContain('uid=43210(lcx-user) euid=43210(lcx-user)');
  });
});
