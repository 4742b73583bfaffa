/**
 * The linux-caps CLI as a user runs it: spawned, output and exit codes checked, and compared
 * with capsh, pscap, getcap and setpriv on the same process state.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, copyFileSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';
import { commOf, waitUntil } from '../fixtures/proc-helpers.js';

const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot, capsh: hasCommand('capsh'), setpriv: hasCommand('setpriv'), pscap: hasCommand('pscap'), getcap: hasCommand('getcap') });

/** The CLI's main() in this process (no spawn), for output checks repeated many times. */
async function inProcess(args: string[]) {
  const { main } = await import(new URL('../../dist/cli.js', import.meta.url).href) as { main: (argv: string[], io: { out(t: string): void; err(t: string): void }) => Promise<number> };
  let stdout = '';
  let stderr = '';
  const line = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);
  const code = await main(args, { out: (t) => { stdout += line(t); }, err: (t) => { stderr += line(t); } });
  return { code, stdout, stderr };
}

function run(args: string[], prefix: string[] = []) {
  const [cmd, ...pre] = prefix.length ? prefix : [process.execPath];
  const r = spawnSync(cmd!, [...pre, ...(prefix.length ? [process.execPath] : []), cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(skip)('linux-caps CLI', () => {
  it.each([
    ['as root', []],
    ['with inheritable + ambient caps as nobody', ['setpriv', '--reuid=nobody', '--regid=nogroup', '--init-groups', '--inh-caps=+net_raw,+chown', '--ambient-caps=+net_raw']],
    ['with a reduced bounding set and nnp', ['setpriv', '--bounding-set=-sys_admin,-net_raw', '--nnp']],
    ['with some securebits (mode UNCERTAIN)', ['setpriv', '--securebits=+noroot,+noroot_locked,+no_setuid_fixup']],
    ['in libcap PURE1E_INIT mode', ['capsh', '--secbits=0xef', '--', '-c', 'exec "$@"', 'sh']],
    ['in libcap PURE1E mode', ['capsh', '--secbits=0xef', '--inh=cap_chown', '--', '-c', 'exec "$@"', 'sh']],
    ['with basic secured bits only', ['capsh', '--secbits=0x2f', '--', '-c', 'exec "$@"', 'sh']],
  ])('print matches capsh --print %s', (_name, prefix) => {
    const ours = run(['print'], prefix);
    expect(ours.code).toBe(0);
    const [cmd, ...pre] = prefix.length ? prefix : ['env'];
    const capsh = execFileSync(cmd!, [...pre, 'capsh', '--print'], { encoding: 'utf8' });
    const lines = ours.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^Threads: \d+, all equal$/);
    expect(lines.slice(0, -1).join('\n')).toBe(capsh.trimEnd());
  });

  it('print --json gives every thread', () => {
    const r = run(['print', '--json']);
    const json = JSON.parse(r.stdout);
    expect(json.pid).toBeGreaterThan(1);
    expect(json.uniform).toBe(true);
    expect(json.threads.length).toBeGreaterThan(5);
    expect(json.current).toMatch(/^=ep/);
  });

  it.each(['0x3000', '3000', '8000000000000001', '0', '1fffeffffff'])('decode %s matches capsh --decode', (hex) => {
    const capsh = execFileSync('capsh', [`--decode=${hex}`], { encoding: 'utf8' });
    expect(run(['decode', hex]).stdout).toBe(capsh);
  });

  it('decode refuses a non-hex mask with exit 2 and a message', () => {
    const r = run(['decode', 'zz']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a hex mask/);
  });

  it('ps shows a process as pscap does', async () => {
    const sleeper = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=+net_raw', '--ambient-caps=+net_raw', 'sleep', '30']);
    try {
      // Until setpriv has exec'd sleep (a fixed pause lost that race on a loaded CI machine).
      await waitUntil('setpriv to exec sleep', () => commOf(sleeper.pid!) === 'sleep');
      const row = (out: string) => out.split('\n').find((l) => l.split(/\s+/)[1] === String(sleeper.pid));
      const ours = row(run(['ps']).stdout);
      const theirs = row(execFileSync('pscap', { encoding: 'utf8' }));
      expect(ours).toBeDefined();
      expect(ours).toBe(theirs);
      expect(ours).toMatch(/nobody\s+sleep\s+net_raw @ \+$/);
      const userns = spawn('unshare', ['-Ur', 'sleep', '30']);
      await waitUntil('unshare to exec sleep', () => commOf(userns.pid!) === 'sleep');
      const nsRow = (out: string) => out.split('\n').find((l) => l.split(/\s+/)[1] === String(userns.pid));
      try {
        expect(nsRow(run(['ps']).stdout)).toBe(nsRow(execFileSync('pscap', { encoding: 'utf8' })));
        expect(nsRow(run(['ps']).stdout)).toMatch(/sleep \*\s+full \+$/);
      } finally {
        userns.kill();
      }
      const json = JSON.parse(run(['ps', '--json']).stdout) as Array<{ pid: number; user: string; ambient: string[] }>;
      expect(json.find((p) => p.pid === sleeper.pid)).toMatchObject({ user: 'nobody', ambient: ['cap_net_raw'] });
    } finally {
      sleeper.kill();
    }
  });

  it('file set/get/rm agree with getcap and setcap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-cli-')); // 0700, removed below
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'tool');
    copyFileSync('/bin/true', file);
    expect(run(['file', 'set', 'cap_net_raw,cap_net_admin=ep', file]).code).toBe(0);
    expect(run(['file', 'get', file]).stdout).toBe(execFileSync('getcap', [file], { encoding: 'utf8' }));
    execFileSync('setcap', ['-n', '1000', 'cap_chown=p', file]);
    expect(run(['file', 'get', '-n', file]).stdout).toBe(execFileSync('getcap', ['-n', file], { encoding: 'utf8' }));
    expect(run(['file', 'rm', file]).code).toBe(0);
    expect(execFileSync('getcap', [file], { encoding: 'utf8' })).toBe('');
    const again = run(['file', 'rm', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/ENODATA|no capabilit/);
    writeFileSync(join(dir, 'plain'), '');
    expect(run(['file', 'get', join(dir, 'plain')])).toMatchObject({ code: 0, stdout: '' });
  });

  it('file set refuses anything but a regular file, as setcap does; file get skips links and non-files, as getcap does (issue 23)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-cli-')); // 0700, removed below
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const target of [dir, '/dev/null']) {
      const r = run(['file', 'set', 'cap_kill+ep', target]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/not a regular file/);
      expect(spawnSync('setcap', ['cap_kill+ep', target], { encoding: 'utf8' }).status).not.toBe(0);
    }
    expect(execFileSync('getcap', [dir], { encoding: 'utf8' })).toBe('');
    writeFileSync(join(dir, 'plain'), '');
    symlinkSync('/usr/bin/true', join(dir, 'link'));
    const got = run(['file', 'get', join(dir, 'link'), join(dir, 'plain'), dir]);
    expect(got).toMatchObject({ code: 0, stdout: '' });
    const theirs = spawnSync('getcap', [join(dir, 'link'), join(dir, 'plain'), dir], { encoding: 'utf8' });
    expect(theirs.status).toBe(0);
    const missingFile = run(['file', 'get', join(dir, 'nope')]);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toMatch(/no such file/);
  });

  it('exec runs a command as setpriv would, and passes its exit status', () => {
    const status = (args: string[]) => args.join('');
    const ours = run(['exec', '--user=nobody', '--inh=net_bind_service', '--addamb=net_bind_service', '--drop=sys_admin', '--nnp', '--', 'sh', '-c', 'grep -E "^(Uid|Gid|Cap|NoNew)" /proc/self/status; exit 3']);
    const theirs = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--init-groups', '--inh-caps=+net_bind_service', '--ambient-caps=+net_bind_service', '--bounding-set=-sys_admin', '--nnp', 'sh', '-c', 'grep -E "^(Uid|Gid|Cap|NoNew)" /proc/self/status; exit 3'], { encoding: 'utf8' });
    expect(ours.code).toBe(3);
    expect(status([ours.stdout])).toBe(status([theirs.stdout]));
  });

  it('exec reports a failure to start with exit 127', () => {
    const r = run(['exec', '--', '/nonexistent/cmd']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/ENOENT/);
  });

  it.each([
    ['file caps =ep as uid 1000', 'cap_net_raw,cap_net_admin=ep', ['--reuid=1000', '--regid=1000', '--clear-groups']],
    ['file caps =p (no effective) as uid 1000', 'cap_net_raw=p', ['--reuid=1000', '--regid=1000', '--clear-groups']],
    ['inheritable file caps with a matching I', 'cap_chown=ei', ['--reuid=1000', '--regid=1000', '--clear-groups', '--inh-caps=+chown']],
  ])('explain exec predicts what the kernel does: %s', (_name, fileText, setprivArgs) => {
    // The capability-carrying copy exists only on a private tmpfs inside `unshare -m` (over a
    // 0700 directory that is removed afterwards): no other user can ever reach it.
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-explain-'));
    const file = join(dir, 'cat');
    // The same start state, as the model sees it: uid 1000 and the inheritable set setpriv gave.
    const inh = setprivArgs.find((a) => a.startsWith('--inh-caps'))?.replace('--inh-caps=+', '');
    const explainArgs = ['explain', '--json', '--uid', '1000', '--caps', inh ? `cap_${inh}=i` : '=', `exec=${file}`];
    let both: string;
    try {
      // setpriv runs the file; then `linux-caps explain` predicts it, reading the same file.
      const explain = [process.execPath, cli, ...explainArgs].map((a) => `'${a}'`).join(' ');
      const script = 'mount -t tmpfs -o mode=0755 linux-caps "$1" && cp /bin/cat "$1/cat" && setcap "$2" "$1/cat" && f="$1/cat" && shift 2'
        + ` && setpriv "$@" "$f" /proc/self/status && echo ---- && exec ${explain}`;
      both = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, fileText, ...setprivArgs], { encoding: 'utf8' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const [real, predicted] = both.split('----\n') as [string, string];
    const observed = Object.fromEntries(real.split('\n').filter((l) => /^Cap(Inh|Prm|Eff|Amb):/.test(l)).map((l) => l.split(/:\s+/)));
    const x = JSON.parse(predicted).result;
    const hex = (v: string) => BigInt(v).toString(16).padStart(16, '0');
    expect({ CapInh: hex(x.inheritable), CapPrm: hex(x.permitted), CapEff: hex(x.effective), CapAmb: hex(x.ambient) }).toEqual(observed);
  });

  it('explain exits 1 when the model predicts a refusal, and says why', () => {
    const r = run(['explain', '--uid', 'nobody', '--caps', 'cap_net_raw=p', 'amb+=cap_net_raw']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/EPERM.*\n.*cap_net_raw is not in I/);
    expect(run(['explain', 'frobnicate=1']).code).toBe(2);
  });

  it('vserver shows the seed guest under each masking policy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-vserver-'));
    writeFileSync(join(dir, 'bcapabilities'), '!SYS_BOOT\n!AUDIT_WRITE\n');
    const r = run(['vserver', dir, '--cap-bound', '128']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('bcaps 0x140c05ff');
    // The seed thread's V1 output, under the seed's patch:
    expect(r.stdout).toMatch(/Capabilities for `[1-9]\d*': = cap_chown,cap_dac_override,cap_dac_read_search,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_net_bind_service,cap_sys_chroot,cap_sys_ptrace,cap_sys_tty_config,cap_lease\+eip/);
    expect(r.stdout).not.toContain('kernel-semantics');
    // …and upstream cannot even start it on that host (the seed's "not working"):
    expect(r.stdout).toMatch(/policy 'upstream'[^\n]*\n\s+the guest cannot start: .*CAP_CONTEXT/);
    const json = JSON.parse(run(['vserver', dir, '--json']).stdout);
    expect(json.policies.map((p: { policy: string }) => p.policy)).toEqual(['upstream', 'bcaps']);
    // Sets as name lists, as print --json gives them (issue 23: not "(none)" or comma-joined text).
    expect(json.bcaps).toContain('cap_chown');
    expect(json.bcaps).not.toContain('cap_sys_boot'); // !SYS_BOOT above
    expect(json.ccaps).toEqual(expect.arrayContaining(['set_utsname']));
    const bcapsView = json.policies[1];
    expect(Array.isArray(bcapsView.effective) && Array.isArray(bcapsView.usable)).toBe(true);
    expect(bcapsView.usable).not.toContain('cap_setpcap');
    writeFileSync(join(dir, 'bcapabilities'), 'SYS_BOOT, NET_ADMIN\n');
    const bad = run(['vserver', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown bcap ' NET_ADMIN' \(bcapabilities line 1/);
    expect(run(['vserver', join(dir, 'missing')]).code).toBe(2);
  });

  // Issue 11: exit codes, decimal pids, the root-exec warning and the ambient set under --caps.
  it.each([
    [['exec', '--caps', 'cap_nope=ep', '--', 'true'], /exec: .*cap_nope/],
    [['exec', '--inh', 'cap_nope', '--', 'true'], /unknown capability "cap_nope"/],
    [['exec', '--iab', '^zz', '--', 'true'], /invalid IAB text/],
    [['exec', '--user', 'no-such-user-xyz', '--', 'true'], /no-such-user-xyz/],
    [['print', '--pid', '1e3'], /--pid needs a decimal number/],
    [['print', '--pid', '0x10'], /--pid needs a decimal number/],
    [['print', '--pid', ' 1'], /--pid needs a decimal number/],
    // Issue 22 (8): lenient numbers, and a repeated option that silently kept the last value.
    [['exec', '--secbits', '1e1', '--', 'true'], /--secbits needs/],
    [['exec', '--secbits', ' 7', '--', 'true'], /--secbits needs/],
    [['exec', '--secbits', '7.0', '--', 'true'], /--secbits needs/],
    [['exec', '--secbits', '0b111', '--', 'true'], /--secbits needs/],
    [['exec', '--secbits', '', '--', 'true'], /--secbits needs/],
    [['file', 'set', '-n', '1e3', 'cap_chown=p', '/nonexistent'], /-n needs a decimal number/],
    [['exec', '--user', 'nobody', '--user', 'root', '--', 'id', '-u'], /--user is given more than once/],
    [['print', '--json', '--json'], /--json is given more than once/],
  ])('a bad option value exits 2 (usage), not 127: %j', (args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exec as root warns once on stderr when the child will get more than --caps asked, naming the fix', () => {
    const r = run(['exec', '--caps', 'cap_net_raw=ep', '--', 'grep', '^CapEff', '/proc/self/status']);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('linux-caps: warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/runs as root without SECBIT_NOROOT.*more than asked.*--user.*--secbits noroot/);
    expect(r.stdout).not.toMatch(/^CapEff:\s+0000000000002000$/m); // the warning was right: it got more
    const quiet = run(['exec', '--user', 'nobody', '--inh', 'net_raw', '--addamb', 'net_raw', '--', 'true']);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
    const locked = run(['exec', '--secbits', 'noroot,noroot_locked', '--caps', 'cap_net_raw=ep', '--', 'true']);
    expect(locked).toMatchObject({ code: 0, stderr: '' });
  });

  it('exec --caps clears the ambient set the parent holds unless --addamb names it', () => {
    const asNobodyWithAmbient = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=+net_raw,+chown', '--ambient-caps=+net_raw,+chown'];
    const grep = ['--', 'grep', '^CapAmb', '/proc/self/status'];
    const exact = run(['exec', '--caps', 'cap_net_raw=eip', ...grep], asNobodyWithAmbient);
    expect(exact.code).toBe(0);
    expect(exact.stdout).toMatch(/^CapAmb:\s+0000000000000000$/m);
    const plain = run(['exec', ...grep], asNobodyWithAmbient); // no --caps: an ordinary exec keeps ambient
    expect(plain.stdout).toMatch(/^CapAmb:\s+0000000000002001$/m);
  });

  // Issue 23 §2: the conventions of the tools it stands beside.
  it('exec becomes the command: the same pid, as capsh and setpriv do', () => {
    const r = spawnSync(process.execPath, [cli, 'exec', '--user', 'nobody', 'sh', '-c', 'echo $$; grep -E "^(Uid|Threads|CapEff):" /proc/self/status'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [pid, ...status] = r.stdout.trim().split('\n');
    expect(Number(pid)).toBe(r.pid);
    expect(status.map((l) => l.replace(/\s+/g, ' '))).toEqual(['Uid: 65534 65534 65534 65534', 'Threads: 1', 'CapEff: 0000000000000000']);
  });

  it('exec options stop at the first operand (no -- needed); exit 126 for a file that is not executable', () => {
    expect(run(['exec', 'id', '-u'])).toMatchObject({ code: 0, stdout: '0\n' });
    expect(run(['exec', '--user', 'nobody', 'id', '-u'])).toMatchObject({ code: 0, stdout: '65534\n' });
    const notExec = run(['exec', '/etc/passwd']);
    expect(notExec.code).toBe(126);
    expect(notExec.stderr).toMatch(/EACCES/);
    expect(run(['exec', '/nonexistent/cmd']).code).toBe(127);
  });

  it('exec --addamb without the same caps in --inh is a usage error naming --inh, as capsh refuses it', () => {
    const r = run(['exec', '--addamb', 'net_raw', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--addamb net_raw needs the same caps in --inh/);
  });

  it('--help / -h on every command, help COMMAND and --version print to stdout and exit 0; usage after an error goes to stderr', async () => {
    for (const name of ['print', 'decode', 'describe', 'ps', 'file', 'exec', 'has', 'explain', 'vserver', 'help']) {
      // Spawned once per command (the real process), the other spellings in process.
      for (const [i, args] of [[name, '--help'], [name, '-h'], ['help', name]].entries()) {
        const r = i === 0 ? run(args) : await inProcess(args);
        expect(r.code, args.join(' ')).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^usage: linux-caps ${name}`));
        expect(r.stdout).toMatch(/exit status: 0 success; 1 .*2 usage error/s);
      }
    }
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    expect(run(['--version'])).toMatchObject({ code: 0, stdout: `linux-caps ${version}\n` });
    expect(run(['-V'])).toMatchObject({ code: 0, stdout: `linux-caps ${version}\n` });
    const bare = run([]);
    expect(bare).toMatchObject({ code: 2, stdout: '' });
    expect(bare.stderr).toMatch(/^usage: linux-caps COMMAND/);
    expect(run(['exec', 'sh', '-c', 'echo "$1"', 'sh', '--help'])).toMatchObject({ code: 0, stdout: '--help\n' }); // the command's own
  });

  it('has: exit 0/1 as capsh --has-p does, for this process or --pid, in any set', () => {
    const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=+net_raw', '--ambient-caps=+net_raw'];
    for (const [prefix, cap] of [[[], 'cap_net_raw'], [asNobody, 'cap_net_raw'], [asNobody, 'cap_chown']] as const) {
      const ours = run(['has', cap], [...prefix]);
      const [cmd, ...pre] = prefix.length ? prefix : ['env'];
      const capsh = spawnSync(cmd!, [...pre, 'capsh', `--has-p=${cap}`], { encoding: 'utf8' });
      expect(ours.code, `${prefix.join(' ')} has ${cap}`).toBe(capsh.status === 0 ? 0 : 1);
    }
    const missing = run(['has', 'cap_chown,cap_kill'], asNobody);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/lacks cap_chown,cap_kill in its permitted set/);
    expect(run(['has', '--pid', '1', '--set', 'bounding', 'cap_chown']).code).toBe(0);
    expect(run(['has', '--set', 'bogus', 'cap_chown']).code).toBe(2);
    expect(run(['has', 'cap_nope']).code).toBe(2);
  });

  it('file get -r walks directories as getcap -r does; --json gives the fields (issue 23)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-cli-')); // 0700, removed below
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'd', 'e'), { recursive: true });
    copyFileSync('/bin/true', join(dir, 't'));
    copyFileSync('/bin/true', join(dir, 'd', 'e', 'x'));
    writeFileSync(join(dir, 'd', 'plain'), '');
    symlinkSync(join(dir, 't'), join(dir, 'd', 'link'));
    execFileSync('setcap', ['cap_kill+ep', join(dir, 't')]);
    execFileSync('setcap', ['-n', '1000', 'cap_chown=p', join(dir, 'd', 'e', 'x')]);
    const sorted = (text: string) => text.trimEnd().split('\n').sort();
    const ours = run(['file', 'get', '-r', dir]);
    expect(ours.code).toBe(0);
    expect(sorted(ours.stdout)).toEqual(sorted(execFileSync('getcap', ['-r', dir], { encoding: 'utf8' })));
    expect(sorted(run(['file', 'get', '-r', '-n', dir]).stdout)).toEqual(sorted(execFileSync('getcap', ['-r', '-n', dir], { encoding: 'utf8' })));
    expect(run(['file', 'get', dir]).stdout).toBe(''); // without -r a directory is skipped, as getcap
    const json = JSON.parse(run(['file', 'get', '-r', '--json', dir]).stdout);
    expect(json).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: join(dir, 't'), version: 2, effective: true, permitted: ['cap_kill'], inheritable: [], text: 'cap_kill=ep' }),
      expect.objectContaining({ path: join(dir, 'd', 'e', 'x'), version: 3, rootid: 1000, permitted: ['cap_chown'] }),
    ]));
    expect(json).toHaveLength(2);
  });

  it('file set -v compares as setcap -v does (OK / differs in [pie], status 1); -q prints nothing (issue 23)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-cli-')); // 0700, removed below
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'tool');
    copyFileSync('/bin/true', file);
    execFileSync('setcap', ['cap_kill,cap_chown+ep', file]);
    for (const text of ['cap_kill,cap_chown+ep', 'cap_kill+ep', 'cap_kill,cap_chown+p', 'cap_kill,cap_chown+eip', 'cap_kill,cap_chown=ep cap_net_raw+i']) {
      const theirs = spawnSync('setcap', ['-v', text, file], { encoding: 'utf8' });
      const ours = run(['file', 'set', '-v', text, file]);
      expect({ text, code: ours.code, out: ours.stdout, err: ours.stderr }).toEqual({ text, code: theirs.status, out: theirs.stdout, err: '' });
      expect(run(['file', 'set', '-v', '-q', text, file])).toMatchObject({ code: theirs.status, stdout: '' });
    }
    expect(run(['file', 'get', file]).stdout).toBe(`${file} cap_chown,cap_kill=ep\n`); // -v never wrote
    expect(run(['file', 'set', '-q', 'cap_kill+ep', file]).code).toBe(2);
    expect(run(['file', 'set', '-v', 'cap_kill+ep', join(dir, 'nope')]).code).toBe(1);
  });

  it('print takes several PIDs as getpcaps does; a missing one is reported and the status is 1 (issue 23)', () => {
    // Processes this test owns (PID 1 belongs to whatever runs the machine).
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    onTestFinished(() => { other.kill('SIGKILL'); });
    const r = run(['print', String(other.pid), String(process.pid)]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^pid ${other.pid}:\nCurrent: `));
    expect(r.stdout).toContain(`\n\npid ${process.pid}:\nCurrent: `);
    const some = run(['print', '--json', String(other.pid), '4194000', String(process.pid)]);
    expect(some.code).toBe(1);
    expect(some.stderr).toBe('linux-caps: print: no process with pid 4194000\n');
    expect(JSON.parse(some.stdout).map((p: { pid: number }) => p.pid)).toEqual([other.pid, process.pid]);
    expect(JSON.parse(run(['print', '--json', String(other.pid)]).stdout).pid).toBe(other.pid); // one PID: one object, as before
  });

  it('decode --json and describe CAP (as capsh --explain names it) (issue 23)', () => {
    expect(JSON.parse(run(['decode', '--json', '0x3000', '0']).stdout)).toEqual([
      { mask: '0x0000000000003000', caps: ['cap_net_admin', 'cap_net_raw'] }, { mask: '0x0000000000000000', caps: [] }]);
    const all = run(['describe', ...Array.from({ length: 41 }, (_, cap) => String(cap))]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(41);
    for (let cap = 0; cap <= 40; cap++) {
      const head = execFileSync('capsh', [`--explain=${cap}`], { encoding: 'utf8' }).split('\n')[0]!; // cap_x (N) [/proc/self/status:CapXXX: 0x…]
      const [, name, num, mask] = /^(\S+) \((\d+)\) \[.*: (0x[0-9a-f]+)\]$/.exec(head)!;
      expect(lines[cap]).toMatch(new RegExp(`^${name} \\(${num}\\) ${mask}: \\w.{10,}$`));
    }
    expect(run(['describe', 'NET_RAW']).stdout).toMatch(/^cap_net_raw \(13\) 0x0000000000002000: .*raw/);
    expect(JSON.parse(run(['describe', '--json', 'cap_kill']).stdout)[0]).toMatchObject({ name: 'cap_kill', number: 5, mask: '0x0000000000000020' });
    const bad = run(['describe', 'cap_nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"cap_nope" is not a capability/);
  });

  it('errors in the tools\' words: print --pid of a process that does not exist', () => {
    const r = run(['print', '--pid', '4194000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('linux-caps: print: no process with pid 4194000\n');
  });

  it('usage errors exit 2 with a message on stderr', () => {
    expect(run(['bogus'])).toMatchObject({ code: 2 });
    expect(run(['print', '--frobnicate']).code).toBe(2);
    expect(run(['exec']).code).toBe(2);
    expect(run([]).code).toBe(2);
    expect(run(['help'])).toMatchObject({ code: 0 });
  });
});
