/**
 * The legacy exec and setuid rules against today's kernel (oracle: Linux 6.x through capsh and
 * getpcaps, run as root in child processes). With no file capabilities and an empty ambient
 * set, a modern root exec computes `P' = B ∪ I` — the legacy `X ∪ I` with the per-thread
 * bounding set in cap-bound's place — so the legacy model, given X = the child's bounding set,
 * must predict what the kernel does for caps 0–31. This also replays the seed's S12/S13 and
 * §5.3's keepcaps claim on a real kernel.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  legacyModel as L, CAP_NAMES, parseCaps, type LegacySystem, type LegacyTransition,
} from '../../lib/internal.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = missing({ linux: isLinux, root: isRoot, capsh: hasCommand('capsh'), getpcaps: hasCommand('getpcaps'), setpriv: hasCommand('setpriv'), gcc: hasCommand('gcc') });
const dir = mkdtempSync(join(tmpdir(), 'linux-caps-legacy-kernel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A tiny oracle: applies keepcaps / setresuid / setuid steps given on the command line and
 * prints, after each, the return code (0 or -errno), the uids and the low words of E and P.
 */
const SETUID_ORACLE = `
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    int rc = 0, a, b, c;
    if (sscanf(argv[i], "k%d", &a) == 1) rc = prctl(PR_SET_KEEPCAPS, a, 0, 0, 0);
    else if (sscanf(argv[i], "r%d,%d,%d", &a, &b, &c) == 3) rc = syscall(SYS_setresuid, a, b, c);
    else if (sscanf(argv[i], "u%d", &a) == 1) rc = syscall(SYS_setuid, a);
    if (rc != 0) rc = -errno;
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    syscall(SYS_capget, &h, d);
    uid_t r, e, s; getresuid(&r, &e, &s);
    printf("%d %u %u %u %x %x\\n", rc, r, e, s, d[0].effective, d[0].permitted);
  }
  return 0;
}
`;

function ok<R>(t: LegacyTransition<R>): LegacyTransition<R> {
  if (t.errno !== undefined) throw new Error(`unexpected ${t.errno}: ${t.reason}`);
  return t;
}

const names = (mask: bigint): string => [...Array(64).keys()].filter((c) => (mask >> BigInt(c)) & 1n).map((c) => CAP_NAMES[c] ?? String(c)).join(',');

/** Our bounding set as the kernel reports it (this VM lacks cap_sys_resource): never hard-coded. */
function bounding(): bigint {
  const line = execFileSync('grep', ['CapBnd', '/proc/self/status'], { encoding: 'ascii' });
  return BigInt(`0x${line.split(/\s+/)[1]}`);
}

/** capsh as root: set I, optionally become nobody with keepcaps, drop B, exec bash, print bash's caps. */
function kernel(inheritable: bigint, drop: bigint, user: boolean): { effective: bigint; permitted: bigint; inheritable: bigint; text: string } {
  const args: string[] = [];
  if (user) args.push('--keep=1', '--user=nobody');
  if (inheritable !== 0n) args.push(`--inh=${names(inheritable)}`);
  if (drop !== 0n) args.push(`--drop=${names(drop)}`);
  args.push('--', '-c', 'getpcaps $$');
  const out = execFileSync('capsh', args, { encoding: 'utf8' }).trim();
  const text = out.slice(out.indexOf(': ') + 2);
  const caps = parseCaps(text);
  return { effective: caps.effective.toMask(), permitted: caps.permitted.toMask(), inheritable: caps.inheritable.toMask(), text };
}

/**
 * The legacy model replaying capsh: X starts as the full bounding set (low 32 bits), capsh is
 * exec'd as root, optionally keeps caps and becomes nobody, sets I, then X is lowered (capsh's
 * --drop; on a legacy kernel the global cap-bound) and bash is exec'd.
 */
function model(full: bigint, x: bigint, inheritable: bigint, user: boolean): L.LegacyTask {
  let sys: LegacySystem = L.bootLegacy({ kernel: '2.6.22' });
  sys = ok(L.writeCapBound(sys, 1, L.formatCapBound(full & L.ALL32))).state;
  const child = ok(L.forkTask(sys, 1, 'capsh'));
  const pid = child.result!;
  sys = ok(L.execve(child.state, pid, { name: 'capsh' })).state;
  if (user) {
    sys = ok(L.setKeepCaps(sys, pid, 1)).state;
    sys = ok(L.setuid(sys, pid, 65534)).state;
  }
  const t = L.findTask(sys, pid)!;
  sys = ok(L.capset(sys, pid, { effective: t.effective, permitted: t.permitted, inheritable: inheritable & L.ALL32 })).state;
  sys = ok(L.writeCapBound(sys, 1, L.formatCapBound(x & L.ALL32))).state;
  sys = ok(L.execve(sys, pid, { name: 'bash' })).state;
  return L.findTask(sys, pid)!;
}

describe.skipIf(skip)('legacy exec/setuid rules vs the running kernel (oracle: capsh + getpcaps as root)', () => {
  const full = bounding();

  it('S12/S13 replayed with the bounding set as cap-bound: the kernel prints the seed\'s sets', () => {
    const keep = (1n << 7n);
    const s12 = kernel(1n << 7n, full & ~keep, false);
    expect(s12.text).toBe('cap_setuid=eip');
    const s13 = kernel(1n << 18n, full & ~keep, false);
    expect(s13.text).toBe('cap_sys_chroot=eip cap_setuid+ep');
    expect(L.formatLegacyCaps(model(full, keep, 1n << 18n, false), { style: '2.41+' })).toBe(s13.text);
    expect(L.formatLegacyCaps(model(full, keep, 1n << 18n, false))).toBe('= cap_sys_chroot+eip cap_setuid+ep'); // the seed's own form
  });

  it('§5.3.1 on a real kernel: keepcaps keeps P across setuid, but the exec that follows leaves only I', () => {
    const real = kernel((1n << 10n) | (1n << 13n), 0n, true);
    expect(real.text).toBe('cap_net_bind_service,cap_net_raw=i');
    const predicted = model(full, full, (1n << 10n) | (1n << 13n), true);
    expect({ e: predicted.effective, p: predicted.permitted, i: predicted.inheritable }).toEqual({ e: 0n, p: 0n, i: real.inheritable & L.ALL32 });
  });

  it('uid 0 with euid 1000 (setpriv --euid): the exec gives P = X ∪ I but E = {} (§3.5), on both', () => {
    const out = execFileSync('setpriv', ['--euid=1000', '--inh-caps=+net_raw', '--', 'grep', '-E', '^(Cap(Inh|Prm|Eff)|Uid)', '/proc/self/status'], { encoding: 'ascii' });
    const field = (name: string): string => out.split('\n').find((l) => l.startsWith(name))!.split(/\s+/).slice(1).join(' ');
    let sys: LegacySystem = L.bootLegacy({ kernel: '2.6.22' });
    sys = ok(L.writeCapBound(sys, 1, L.formatCapBound(full & L.ALL32))).state;
    const child = ok(L.forkTask(sys, 1, 'setpriv'));
    sys = ok(L.execve(child.state, child.result!, {})).state;
    const t = L.findTask(sys, child.result!)!;
    sys = ok(L.capset(sys, child.result!, { effective: t.effective, permitted: t.permitted, inheritable: [13] })).state;
    sys = ok(L.setresuid(sys, child.result!, -1, 1000, -1)).state;
    sys = ok(L.execve(sys, child.result!, {})).state;
    const after = L.findTask(sys, child.result!)!;
    expect(field('Uid:')).toBe(`${after.uid} ${after.euid} ${after.suid} ${after.fsuid}`);
    expect(after.permitted).toBe(BigInt(`0x${field('CapPrm:')}`) & L.ALL32);
    expect(after.effective).toBe(BigInt(`0x${field('CapEff:')}`) & L.ALL32);
    expect(after.inheritable).toBe(BigInt(`0x${field('CapInh:')}`) & L.ALL32);
    expect(after.effective).toBe(0n);
  });

  it('set*uid fixups and keepcaps (§3.6 = §2.4 rules 1–3): 30 random sequences agree with the kernel step by step', () => {
    writeFileSync(join(dir, 'setuid.c'), SETUID_ORACLE);
    execFileSync('gcc', ['-o', join(dir, 'setuid'), join(dir, 'setuid.c')]);
    let seed = 1998;
    const rand = (n: number): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return (seed >>> 8) % n; };
    const ids = [-1, 0, 1000, 2000];
    for (let run = 0; run < 30; run++) {
      const steps = Array.from({ length: 6 }, () => {
        const roll = rand(6);
        if (roll === 0) return `k${rand(2)}`;
        if (roll === 1) return `u${ids[1 + rand(3)]}`;
        return `r${ids[rand(4)]},${ids[rand(4)]},${ids[rand(4)]}`;
      });
      const lines = execFileSync(join(dir, 'setuid'), steps, { encoding: 'ascii' }).trim().split('\n');
      let sys: LegacySystem = L.bootLegacy({ kernel: '2.6.22' });
      sys = ok(L.writeCapBound(sys, 1, L.formatCapBound(full & L.ALL32))).state;
      const child = ok(L.forkTask(sys, 1, 'oracle'));
      const pid = child.result!;
      sys = ok(L.execve(child.state, pid, {})).state;
      steps.forEach((step, i) => {
        const nums = step.slice(1).split(',').map(Number);
        const t = step[0] === 'k' ? L.setKeepCaps(sys, pid, nums[0]!)
          : step[0] === 'u' ? L.setuid(sys, pid, nums[0]!)
          : L.setresuid(sys, pid, nums[0]!, nums[1]!, nums[2]!);
        sys = t.state;
        const task = L.findTask(sys, pid)!;
        const predicted = `${t.errno ?? 0} ${task.uid} ${task.euid} ${task.suid} ${task.effective.toString(16)} ${task.permitted.toString(16)}`;
        expect(predicted, `${steps.slice(0, i + 1).join(' ')}`).toBe(lines[i]);
      });
    }
  });

  it('40 random cases: root and keepcaps-user execs agree on caps 0–31', () => {
    let seed = 2008;
    const rand = (n: number): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return (seed >>> 8) % n; };
    for (let i = 0; i < 40; i++) {
      let drop = 0n;
      let inh = 0n;
      for (let cap = 0; cap < 32; cap++) {
        if (rand(3) === 0) drop |= 1n << BigInt(cap);
        if (rand(4) === 0 && ((full >> BigInt(cap)) & 1n)) inh |= 1n << BigInt(cap);
      }
      if (rand(2)) drop |= full & ~L.ALL32; // sometimes caps 32+ too, which the legacy model cannot see anyway
      const user = rand(3) === 0;
      const real = kernel(inh, drop, user);
      const predicted = model(full, full & ~drop, inh, user);
      const what = `inh=${names(inh)} drop=${names(drop)} user=${user}: kernel printed ${real.text}`;
      expect(predicted.effective, what).toBe(real.effective & L.ALL32);
      expect(predicted.permitted, what).toBe(real.permitted & L.ALL32);
      expect(predicted.inheritable, what).toBe(real.inheritable & L.ALL32);
    }
  });
});
