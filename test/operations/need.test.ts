/**
 * findNeededCaps() and `linux-caps need` (issue 17): the search on a fake command (exact answers,
 * fewer runs than capabilities), then real commands in fresh children, as root and as nobody.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapSet, eliminate, findNeededCaps, type NeedProgress } from '../../lib/internal.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const ALL = Array.from({ length: 41 }, (_, cap) => cap);

describe('the search (a fake command)', () => {
  /** A command that succeeds when the set holds every cap of one of `alternatives`. */
  const fake = (...alternatives: number[][]) => {
    let runs = 0;
    const attempt = async (set: CapSet) => {
      runs++;
      const ok = alternatives.some((caps) => caps.every((cap) => set.has(cap)));
      return { ok, detail: ok ? '' : `exit 1 (${set.size} caps)` };
    };
    return { attempt, runs: () => runs };
  };

  it.each([
    [[]], [[0]], [[40]], [[0, 10]], [[5, 6, 7]], [[1, 2, 3, 4, 5, 6, 7, 8]],
  ])('finds exactly %j among 41, in fewer runs than one per capability when few are needed', async (needed) => {
    const f = fake(needed);
    const r = await eliminate(ALL, f.attempt);
    expect(r.needed.toArray()).toEqual(needed);
    expect([...r.evidence.keys()].sort((a, b) => a - b)).toEqual(needed);
    if (needed.length <= 2) expect(f.runs()).toBeLessThan(20);
  });

  it('where either of two sets will do, the answer is minimal: no single member can go', async () => {
    const f = fake([3, 4], [20]);
    const r = await eliminate(ALL, f.attempt);
    for (const cap of r.needed) expect((await f.attempt(r.needed.without(cap))).ok).toBe(false);
    expect((await f.attempt(r.needed)).ok).toBe(true);
  });
});

const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot, setpriv: hasCommand('setpriv'), script: hasCommand('script') });
const fixture = new URL('../fixtures/need-chown-bind.mjs', import.meta.url).pathname;
const cli = new URL('../../dist/cli.js', import.meta.url).pathname;

describe.skipIf(skip)('findNeededCaps on real commands (fresh children; this process unchanged)', () => {
  it('a command that chowns a file and binds port 81: exactly cap_chown and cap_net_bind_service, with evidence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-need-'));
    try {
      const file = join(dir, 'owned');
      writeFileSync(file, '');
      const progress: NeedProgress[] = [];
      const before = readStatus();
      const r = await findNeededCaps(process.execPath, [fixture, file], { onProgress: (p) => progress.push(p) });
      expect(r.needed).toEqual(['cap_chown', 'cap_net_bind_service']);
      expect(r.mode).toBe('root');
      expect(r.evidence).toEqual([
        { cap: 'cap_chown', without: 'exit 1, stderr `chown: EPERM`' },
        { cap: 'cap_net_bind_service', without: 'exit 1, stderr `bind: EACCES`' },
      ]);
      expect(r.runs).toBe(progress.length);
      expect(r.runs).toBeLessThan(r.candidates.length);   // group splitting: far fewer than one run per capability
      expect(progress.at(-1)!.ok).toBe(true);              // the confirming run
      expect(readStatus()).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('as nobody, what binding port 81 needs is cap_net_bind_service, ambient', async () => {
    const r = await findNeededCaps(process.execPath, [fixture, 'bind-only'], { user: 'nobody' });
    expect([r.needed, r.mode, r.user]).toEqual([['cap_net_bind_service'], 'user', 'nobody']);
  }, 120_000);

  it('examples/daemon.mjs (the README\'s worked example) needs what its own drop and its port take', async () => {
    const daemon = new URL('../../examples/daemon.mjs', import.meta.url).pathname;
    const r = await findNeededCaps('/usr/bin/env', ['CHECK=1', 'PORT=843', process.execPath, daemon], { timeoutMs: 30_000 });
    expect(r.needed).toEqual(['cap_setgid', 'cap_setuid', 'cap_setpcap', 'cap_net_bind_service']);
    for (const e of r.evidence) expect(e.without).toMatch(/^exit 1, stderr `CapsError: dropPrivileges: .* would be refused/);
  }, 180_000);

  it('/bin/true needs nothing; /bin/false fails even with everything (nothing to minimise)', async () => {
    const t = await findNeededCaps('/bin/true');
    expect([t.needed, t.runs]).toEqual([[], 3]);   // every capability, none, and the confirming run
    await expect(findNeededCaps('/bin/false')).rejects.toMatchObject({ code: 'ERR_CAPS_NEED_BASELINE', message: expect.stringMatching(/exit 1.*nothing to minimise/) });
  });

  it('a flaky command is reported as flaky, not guessed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-need-'));
    try {
      // Succeeds on every other run, whatever its capabilities.
      const counter = join(dir, 'n');
      writeFileSync(counter, '0');
      const script = `n=$(cat ${counter}); echo $((n + 1)) > ${counter}; test $((n % 2)) -eq 0`;
      await expect(findNeededCaps('/bin/sh', ['-c', script], { runs: 2 })).rejects.toMatchObject({
        code: 'ERR_CAPS_NEED_FLAKY', message: expect.stringMatching(/flaky: .* succeeded 1 of 2 runs/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a command that never exits is killed at the time limit, and the error says so', async () => {
    await expect(findNeededCaps('/bin/sleep', ['30'], { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'ERR_CAPS_NEED_BASELINE', message: expect.stringMatching(/killed after the 300 ms time limit/),
    });
  });

  it('a command that leaves a child holding its stdout and stderr is judged when it exits, not when that child does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'linux-caps-need-'));
    const pids = join(dir, 'pids');
    try {
      // The background sleep inherits both pipes and would hold them for 10 minutes.
      const r = await findNeededCaps('/bin/sh', ['-c', `sleep 600 & echo $! >> ${pids}; echo started`], { expectStdout: /started/ });
      expect(r.needed).toEqual([]);
    } finally {
      for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean)) {
        try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--expect-stdout: exit 0 is not enough when the output does not match', async () => {
    const r = await findNeededCaps('/bin/sh', ['-c', 'grep -q "^CapEff:.*[1-9a-f]" /proc/self/status && echo held'], { expectStdout: /held/ });
    expect(r.needed.length).toBe(1);   // any one capability makes CapEff non-zero
  });

  it('a /g pattern judges every run alike (test() would otherwise move lastIndex between runs)', async () => {
    const r = await findNeededCaps('/bin/sh', ['-c', 'echo held'], { expectStdout: /held/g, runs: 2 });
    expect(r.needed).toEqual([]);
  });

  it('refuses bad input before running anything', async () => {
    await expect(findNeededCaps('')).rejects.toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
    await expect(findNeededCaps('/bin/true', [], { runs: 0 })).rejects.toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
    await expect(findNeededCaps('/bin/true', [], { timeoutMs: -1 })).rejects.toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
    await expect(findNeededCaps('/bin/true', [], { nope: 1 } as never)).rejects.toMatchObject({ code: 'ERR_CAPS_INVALID_ARG' });
  });
});

describe.skipIf(skip)('linux-caps need', () => {
  const run = (args: string[], prefix: string[] = []) => {
    const [cmd, ...pre] = [...prefix, process.execPath];
    const r = spawnSync(cmd!, [...pre, cli, 'need', ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('--json prints what profile --from reads; the report names each capability with its evidence', () => {
    const json = run(['--json', '--', '/bin/true']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ needed: [], mode: 'root', runs: 3, command: ['/bin/true'] });
    const text = run(['--user', 'nobody', '--', process.execPath, fixture, 'bind-only']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^needed: cap_net_bind_service\n {2}cap_net_bind_service: without it, exit 1, stderr `bind: EACCES`\nminimal: /);
  });

  it('on a terminal, one line per run on stderr: what it tried, the outcome, the runs left', () => {
    // script(1) gives the command a pseudo-terminal (util-linux).
    const r = spawnSync('script', ['-qec', `${process.execPath} ${cli} need -- /bin/false`, '/dev/null'], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/^need: run 1 \(at most \d+ left\): \d+ capabilities → exit 1\r?$/m);
    expect(r.stdout).toMatch(/nothing to minimise/);
  });

  it.each([
    [[], /name the command/],
    [['--', 'no-such-command-here'], /is not an executable file on PATH/],
    [['--runs', '0', '--', '/bin/true'], /--runs/],
    [['--timeout', 'soon', '--', '/bin/true'], /--timeout takes seconds/],
    [['--expect-stdout', '(', '--', '/bin/true'], /--expect-stdout/],
  ])('usage errors exit 2: %j', (args, message) => {
    const r = run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('without the privilege to launch those states: EPERM naming what is missing', () => {
    const r = run(['--', '/bin/true'], ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EPERM: .*launch.*uid 65534/);
  });
});

function readStatus(): string {
  return spawnSync('grep', ['-E', '^(Cap|Uid|Gid|NoNewPrivs)', `/proc/${process.pid}/status`], { encoding: 'utf8' }).stdout;
}
