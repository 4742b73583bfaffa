#!/usr/bin/env node
// Model transitions per second on one core (goal ≥ 1,000,000/s for capset/prctl/exec steps),
// and, with --differential, the differential harness's sequences per second.
// Usage: npm run bench:model [-- --ms=1000 --rounds=3 --differential --count=300]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : process.argv.includes(`--${name}`) ? 'true' : fallback;
};
const budgetMs = Number(arg('ms', '1000'));
const rounds = Number(arg('rounds', '3'));

const m = await import(join(root, 'dist', 'internal.js'));
const { KERNEL_6_18: K, createCred, capset, prctl, execve, setresuid, applyStep } = m;

const VM = ((1n << 41n) - 1n) & ~(1n << 24n);
const rootCred = createCred(K, { permitted: VM, effective: VM, bounding: VM });
const user = createCred(K, { uid: 1000, gid: 1000, bounding: VM, permitted: 1n << 13n, inheritable: 1n << 13n, effective: 1n << 13n, ambient: 1n << 13n });
const plain = { path: '/bin/true', uid: 0, gid: 0, mode: 0o755 };
const ping = { path: '/bin/ping', uid: 0, gid: 0, mode: 0o755, xattr: { version: 2, permitted: 1n << 13n, inheritable: 0n, effective: true, rootid: 0 } };
const suid = { path: '/bin/su', uid: 0, gid: 0, mode: 0o4755 };
const hdr = {};

// Each workload does 4 transitions per call (so loop overhead is amortised) and returns something to keep.
const workloads = {
  'capset (ok, EPERM 3b, ok, EPERM 3c)': () => {
    let x = capset(K, rootCred, hdr, VM, VM, 0n).state;
    x = capset(K, x, hdr, 0n, VM, 1n << 24n).state;
    x = capset(K, x, hdr, 1n << 13n, 1n << 13n, 0n).state;
    return capset(K, x, hdr, 0n, VM, 0n).state;
  },
  'prctl (CAPBSET_READ, CAPBSET_DROP, AMBIENT_RAISE, SET_SECUREBITS)': () => {
    let x = prctl(K, rootCred, 23, 21).state;
    x = prctl(K, x, 24, 21).state;
    x = prctl(K, x, 47, 2, 13).state;
    return prctl(K, x, 28, 0x2f).state;
  },
  'execve (root plain, user file caps, user setuid-root, user ambient)': () => {
    execve(K, rootCred, plain);
    execve(K, user, ping);
    execve(K, user, suid);
    return execve(K, user, plain).state;
  },
  'setresuid (drop to 1000, no-op, EPERM, permutation)': () => {
    const x = setresuid(rootCred, 1000, 1000, 1000).state;
    setresuid(x, -1, -1, -1);
    setresuid(x, 0, 0, 0);
    return setresuid(user, 1000, 1000, 1000).state;
  },
  'applyStep dispatch (capset, prctl, setuid, execve)': (() => {
    const steps = [
      { op: 'capset', effective: 0n, permitted: VM, inheritable: 0n },
      { op: 'prctl', option: 24, arg2: 13 },
      { op: 'setuid', uid: 0 },
      { op: 'execve', file: plain },
    ];
    return () => {
      let x = rootCred;
      for (let i = 0; i < 4; i++) x = applyStep(K, x, steps[i]).state;
      return x;
    };
  })(),
};

/** Transitions per CPU-second (user + system time of this process), so a busy machine does not deflate the figure. */
function measure(fn) {
  let sink;
  for (let i = 0; i < 20000; i++) sink = fn(); // warm up the JIT
  let calls = 0;
  const wallEnd = process.hrtime.bigint() + BigInt(budgetMs) * 1000000n;
  const cpu0 = process.cpuUsage();
  do {
    for (let i = 0; i < 1000; i++) sink = fn();
    calls += 1000;
  } while (process.hrtime.bigint() < wallEnd);
  const cpu = process.cpuUsage(cpu0);
  if (sink === undefined) throw new Error('no result');
  return (calls * 4) / ((cpu.user + cpu.system) / 1e6);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`model transitions per CPU-second on one core (Node ${process.version}; median of ${rounds} rounds of ${budgetMs} ms; goal ≥ 1,000,000/s)`);
console.log(`  machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (rates are per CPU-second of this process, so a busy machine deflates them little)`);
for (const [name, fn] of Object.entries(workloads)) {
  const rates = [];
  for (let r = 0; r < rounds; r++) rates.push(measure(fn));
  const rate = median(rates);
  console.log(`  ${name.padEnd(68)} ${fmt(rate).padStart(12)}/s  ${rate >= 1e6 ? 'meets goal' : 'BELOW GOAL'}`);
}

if (arg('differential', 'false') === 'true') {
  const script = join(root, 'scripts', 'differential');
  if (!existsSync(script)) console.log('differential harness: scripts/differential not found (skipped)');
  else {
    const count = Number(arg('count', '300'));
    const t0 = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [script, '--count', String(count), '--seed', '1', '--jobs', '1', '--max-print', '0'], { cwd: root, encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const summary = (run.stdout ?? '').trim().split('\n').filter((l) => /sequences/.test(l)).pop() ?? `exit ${run.status}`;
    console.log(`differential harness (kernel + model, --jobs 1): ${count} sequences in ${seconds.toFixed(1)} s = ${fmt(count / seconds)} sequences/s  [${summary}]`);
  }
}
