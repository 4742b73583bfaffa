/**
 * launch() against util-linux setpriv doing the same: the child's /proc status must agree.
 * Runs as root; only children change credentials (the test runner never does).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  launch, type LaunchOptions, capToName, CapsError,
} from '../../lib/index.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot, setpriv: hasCommand('setpriv'), capsh: hasCommand('capsh') });

const FIELDS = /^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):/;
const credLines = (status: string) => status.split('\n').filter((l) => FIELDS.test(l)).map((l) => l.replace(/\s+/g, ' ').trim());

async function launchedStatus(options: LaunchOptions): Promise<string[]> {
  const child = launch('cat', ['/proc/self/status'], { ...options, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const closed = new Promise((r) => child.stdout!.once('close', r));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const exit = await child.exited;
  await closed;
  expect(exit).toEqual({ code: 0, signal: null });
  return credLines(out);
}

const setprivStatus = (args: string[]) => credLines(execFileSync('setpriv', [...args, 'cat', '/proc/self/status'], { encoding: 'utf8' }));

describe.skipIf(skip)('launch() agrees with setpriv', () => {
  it.each<[string, LaunchOptions, string[]]>([
    ['no change', {}, []],
    ['user with initgroups', { user: 'nobody' }, ['--reuid=nobody', '--regid=nogroup', '--init-groups']],
    ['ambient cap surviving the uid change', { user: 'nobody', iab: '^cap_net_bind_service' },
      ['--reuid=nobody', '--regid=nogroup', '--init-groups', '--inh-caps=+net_bind_service', '--ambient-caps=+net_bind_service']],
    ['two ambient caps, explicit groups', { user: 65534, group: 65534, groups: [100, 65534], iab: '^cap_net_raw,^cap_net_admin' },
      ['--reuid=65534', '--regid=65534', '--groups=100,65534', '--inh-caps=+net_raw,+net_admin', '--ambient-caps=+net_raw,+net_admin']],
    ['inheritable only, bounding drops', { iab: 'cap_chown,!cap_sys_admin,!cap_net_raw' },
      ['--inh-caps=+chown', '--bounding-set=-sys_admin,-net_raw']],
    ['clear groups, no_new_privs', { groups: [], noNewPrivs: true }, ['--clear-groups', '--nnp']],
    ['securebits noroot locked, as root', { securebits: 0x3 }, ['--securebits=+noroot,+noroot_locked']],
  ])('%s', async (_name, options, setprivArgs) => {
    expect(await launchedStatus(options)).toEqual(setprivStatus(setprivArgs));
  });

  it('agrees with capsh on an ambient cap kept across --user', async () => {
    const capsh = credLines(execFileSync('capsh', ['--keep=1', '--user=nobody', '--inh=cap_net_raw', '--addamb=cap_net_raw', '--', '-c', 'cat /proc/self/status'], { encoding: 'utf8' }));
    // capsh --user also sets nobody's groups (initgroups), as launch({ user }) does.
    expect(await launchedStatus({ user: 'nobody', iab: '^cap_net_raw' })).toEqual(capsh);
  });

  it('reports an exec failure with its errno (EACCES on a non-executable file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-launch-'));
    const file = join(dir, 'not-exec');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o644);
    // PATH search skips non-executables (as execvp does), so name the file by path.
    const err = (() => { try { launch(file); } catch (e) { return e; } })() as CapsError;
    expect(err).toBeInstanceOf(CapsError);
    expect(err).toMatchObject({ code: 'EACCES', errno: -13, syscall: 'execve' });
  });

  it('reports which step failed in the child: ambient raise of a cap outside the bounding set', () => {
    // cap_sys_resource is not in this VM's bounding set (read it), so I' ⊄ I ∪ B and capset refuses.
    const bnd = BigInt('0x' + execFileSync('sh', ['-c', "grep CapBnd /proc/self/status | cut -f2"], { encoding: 'utf8' }).trim());
    const missingCap = [...Array(41).keys()].find((c) => ((bnd >> BigInt(c)) & 1n) === 0n);
    if (missingCap === undefined) return; // a full bounding set: nothing to refuse here
    const err = (() => { try { launch('true', [], { user: 'nobody', iab: `^${missingCap}` }); } catch (e) { return e; } })() as CapsError;
    expect(err).toMatchObject({ code: 'EPERM', errno: -1, syscall: 'capset' });
    expect(err.message).toMatch(/in the launched child, before exec of .*true/);
    // The reason and rule, as caps.set gives them (issue 23: they were undefined).
    expect(err.reason).toMatch(new RegExp(`^I' ⊄ I ∪ [PB].*${capToName(missingCap)}`));
    expect(err.rule).toMatch(/^kernel-semantics §2\.3/);
    expect(err.message).toContain(err.reason);
  });

  it('a refusal in the child carries the reason and rule, as caps.set refusals do (issue 23)', () => {
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    const script = `import { launch } from '${dist}';
      const out = [];
      for (const o of [{ groups: [0] }, { iab: '^cap_net_raw' }, { caps: 'cap_kill=ep' }, { caps: 'cap_kill=e' }]) {
        try { launch('true', [], o); out.push('started'); } catch (e) { out.push({ code: e.code, syscall: e.syscall, reason: e.reason, rule: e.rule, message: e.message }); }
      }
      console.log(JSON.stringify(out));`;
    const got = JSON.parse(execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' }));
    expect(got).toEqual([
      expect.objectContaining({ code: 'EPERM', syscall: 'setgroups', reason: 'setgroups needs cap_setgid in E', rule: expect.stringMatching(/^kernel-semantics §2\.4/) }),
      expect.objectContaining({ code: 'EPERM', syscall: 'capset', reason: expect.stringMatching(/cap_net_raw is in neither I nor P/), rule: 'kernel-semantics §2.3.3a' }),
      expect.objectContaining({ code: 'EPERM', syscall: 'capset', reason: "P' ⊄ P: cap_kill is not in the permitted set", rule: 'kernel-semantics §2.3.3c' }),
      expect.objectContaining({ code: 'EPERM', syscall: 'capset', reason: "E' ⊄ P': cap_kill is not in the new permitted set", rule: 'kernel-semantics §2.3.3d' }),
    ]);
    for (const e of got) expect(e.message).toContain(`(${e.reason})`);
  });

  it('refuses bad input before anything starts', () => {
    expect(() => launch('true', [], { user: 'no-such-user-xyz' })).toThrow(/unknown user/);
    expect(() => launch('true', [], { iab: 'cap_chown=ep' })).toThrow(CapsError);
    expect(() => launch('true', [], { securebits: 0x1000 })).toThrow(/securebits/);
    expect(() => launch('true', [], { stdio: ['pipe', 'bogus' as never, 'pipe'] })).toThrow(/stdio/);
    expect(() => launch('no-such-command-xyz')).toThrow(/ENOENT/);
  });

  // Issue 22 (3, 4, 5): what execve would cut or wrap is refused before fork, naming the field.
  it.each([
    ['a NUL in the command', () => launch('/bin/echo\0xyz', ['hi']), /invalid command/],
    ['a NUL in an argument', () => launch('/bin/echo', ['abc\0def']), /invalid args\[0\]/],
    ['a NUL in cwd', () => launch('/bin/true', [], { cwd: '/tmp\0/nonexistent' }), /invalid cwd/],
    ['a NUL in an env value', () => launch('/bin/true', [], { env: { FOO: 'bar\0BAZ=1' } }), /invalid env\.FOO/],
    ['a NUL in an env key', () => launch('/bin/true', [], { env: { 'LD_PRELOAD=/x\0': '1' } }), /env key/],
    ['an = in an env key', () => launch('/bin/true', [], { env: { 'A=B': '1' } }), /env key "A=B"/],
    ['a NUL in argv0', () => launch('/bin/true', [], { argv0: 'x\0y' }), /invalid argv0/],
    ['an fd of 2**31', () => launch('/bin/true', [], { stdio: ['ignore', 2 ** 31, 'pipe'] }), /stdio\[1\]/],
    ['an fd of 4294967295', () => launch('/bin/true', [], { stdio: ['ignore', 4294967295, 'pipe'] }), /stdio\[1\]/],
    ['a negative fd', () => launch('/bin/true', [], { stdio: ['ignore', -3, 'pipe'] }), /stdio\[1\]/],
  ])('refuses %s with ERR_CAPS_INVALID_ARG before fork', (_what, run, message) => {
    expect(run).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(message) }));
  });

  it('an unknown capability name in iab text is named as such (issue 23)', () => {
    expect(() => launch('/bin/true', [], { iab: '^cap_net_rawx' })).toThrow(/found the unknown capability name 'cap_net_rawx'/);
  });

  it('refuses a misspelled option and a uid without a passwd entry unless group and groups are given (issue 23)', () => {
    expect(() => launch('/bin/true', [], { noNewPriv: true } as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/did you mean "noNewPrivs"/) }));
    expect(() => launch('/bin/true', [], { user: 43210 })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/user 43210 has no entry/) }));
  });

  it('refuses a stdio fd that is not open (EBADF), so it can never become the launcher\'s error pipe', () => {
    const fd = openSync('/dev/null', 'r');
    closeSync(fd);
    expect(() => launch('/bin/true', [], { stdio: ['ignore', fd, 'ignore'], user: 'nobody' }))
      .toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'fstat' }));
  });

  it('says a failure in the parent (pipe2 at the fd limit) happened in the parent, not in the child', () => {
    const script = `
      const { launch } = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
      const kept = [];
      let err;
      try { for (let i = 0; i < 200; i++) kept.push(launch('/bin/sleep', ['5'], { stdio: 'pipe' })); } catch (e) { err = e; }
      for (const c of kept) c.kill('SIGKILL');
      console.log(JSON.stringify({ started: kept.length, code: err?.code, syscall: err?.syscall, message: err?.message }));`;
    const out = execFileSync('sh', ['-c', `ulimit -n 64 && exec "${process.execPath}" --input-type=module -e '${script.replace(/'/g, "'\\''")}'`], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r.code).toBe('EMFILE');
    expect(r.syscall).toMatch(/^(pipe2|pidfd_open|fcntl)$/);
    expect(r.message).toMatch(/in the parent/);
    expect(r.message).not.toMatch(/in the launched child/);
  });

  it('gives a handle like child_process: pid, kill, exit by signal', async () => {
    const child = launch('sleep', ['30'], { stdio: 'ignore' });
    expect(child.pid).toBeGreaterThan(1);
    expect(child.kill('SIGTERM')).toBe(true);
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(child.kill()).toBe(false);
  });
});
