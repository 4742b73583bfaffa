#!/usr/bin/env node
// npm run bench:native — the addon against C doing the same syscalls, measured in one run.
//
//   node bench/native/run.mjs [--rounds=N] [--sizes=11,32,64,128] [--json] [--c-only]
//
// Compiles bench/native/cbench.c with gcc -O2 (-lcap for the libcap baseline), then runs every
// operation as a fresh process, C and JS alternately, `rounds` times, and prints the median of
// the rounds' medians. Needs the addon and dist/ built (`npm run build`) and libcap-dev.
// Timings on a shared 2-core machine are noisy: compare ratios measured in the same run.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const rounds = Number(option('rounds', '3'));
const sizes = option('sizes', '11,32,64,128').split(',').map(Number);
const asJson = process.argv.includes('--json');
const cOnly = process.argv.includes('--c-only');

/** Compiles the C baselines into a temporary directory; returns the binary's path. */
function compileC(dir) {
  const binary = join(dir, 'cbench');
  const cc = spawnSync('gcc', ['-O2', '-Wall', '-o', binary, join(here, 'cbench.c'), '-lcap', '-lpthread'], { encoding: 'utf8' });
  if (cc.status !== 0) {
    throw new Error(`gcc failed (libcap-dev installed? apt-get install libcap-dev):\n${cc.stderr}`);
  }
  return binary;
}

/**
 * Copies the addon the library would load, and dist/, into `dir`, so that every JS process of
 * this run measures the same code even if the checkout is rebuilt meanwhile.
 */
function pinBuild(dir) {
  const addon = process.env.LINUX_CAPS_NATIVE_PATH ?? join(root, 'build', 'Release', 'linux_caps.node');
  if (!existsSync(addon)) throw new Error(`no addon at ${addon}: run \`npm run build\` first`);
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('no dist/: run `npm run build` first');
  const pinned = { LINUX_CAPS_NATIVE_PATH: join(dir, 'linux_caps.node'), BENCH_DIST_DIR: join(dir, 'pkg', 'dist') };
  copyFileSync(addon, pinned.LINUX_CAPS_NATIVE_PATH);
  cpSync(join(root, 'dist'), pinned.BENCH_DIST_DIR, { recursive: true });
  // dist/ is an ES module package: keep its package.json ("type": "module") beside it.
  copyFileSync(join(root, 'package.json'), join(dir, 'pkg', 'package.json'));
  return pinned;
}

/** Runs one timing process and returns its JSON line. */
function runJson(command, args, env = {}) {
  const run = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 600_000 });
  if (run.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed (${run.status ?? run.signal}):\n${run.stderr}`);
  if (run.stderr.trim()) console.error(run.stderr.trim());
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The median over rounds of each measurement; C and JS alternate inside every round. */
function measureAll(cbench, pinned) {
  const js = (mode, extra = [], env = {}) => () =>
    runJson(process.execPath, [join(here, 'js-ops.mjs'), mode, ...extra], { ...env, ...pinned });
  const c = (mode, extra = []) => () => runJson(cbench, [mode, ...extra]);
  const jobs = {
    cGettid: c('gettid'),
    jsGettid: js('gettid'),
    cCapget: c('capget'),
    jsCapget: js('capget'),
    cFloor: c('snapshot-floor'),
    jsSnapshotCaps: js('snapshot-caps'),
    cLibcap: c('snapshot-libcap'),
    jsSnapshot: js('snapshot'),
    jsThreadGet: js('thread-get'),
  };
  for (const n of sizes) {
    const env = { UV_THREADPOOL_SIZE: String(Math.max(1, n - 7)) };
    jobs[`cBroadcast${n}`] = c('broadcast', [String(n)]);
    jobs[`cBroadcastPark${n}`] = c('broadcast', [String(n), 'park']);
    jobs[`jsBroadcast${n}`] = js('broadcast', [String(n)], env);
    jobs[`cBroadcastParkVerify${n}`] = c('broadcast', [String(n), 'park', 'verify']);
    jobs[`cPrecheckBroadcastParkVerify${n}`] = c('broadcast', [String(n), 'park', 'verify', 'precheck']);
    jobs[`jsCapsSet${n}`] = js('caps-set', [String(n)], env);
    jobs[`cVerify${n}`] = c('verify', [String(n)]);
    jobs[`jsCapsVerify${n}`] = js('caps-verify', [String(n)], env);
    jobs[`jsSetgid${n}`] = js('setgid', [String(n)], env);
  }
  if (cOnly) for (const name of Object.keys(jobs)) if (!name.startsWith('c')) delete jobs[name];
  const seen = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, job] of Object.entries(jobs)) {
      if (!asJson) process.stderr.write(`\rround ${r + 1}/${rounds}: ${name.padEnd(24)}`);
      (seen[name] ??= []).push(job());
    }
  }
  if (!asJson) process.stderr.write('\r'.padEnd(50) + '\r');
  return Object.fromEntries(Object.entries(seen).map(([name, runs]) => [name, { ...runs[0], medianNs: median(runs.map((x) => x.medianNs)), rounds: runs.map((x) => x.medianNs) }]));
}

/** Table rows: operation, ours, C, ratio, goal. */
function rows(m) {
  const out = [];
  const row = (operation, ours, c, goal, note = '') => out.push({ operation, oursUs: ours / 1000, cUs: c / 1000, ratio: ours / c, goal, note });
  row('capget round trip: addon capget() vs C capget', m.jsCapget.medianNs, m.cCapget.medianNs, 1.5);
  row('Node-API call floor: addon gettid() vs C gettid', m.jsGettid.medianNs, m.cGettid.medianNs, undefined, `info: +${((m.jsGettid.medianNs - m.cGettid.medianNs) / 1000).toFixed(2)} µs per call`);
  row('snapshot: thread.get() vs libcap get_proc+iab_get_proc', m.jsThreadGet.medianNs, m.cLibcap.medianNs, 0.5);
  row('snapshot: addon snapshot() vs libcap', m.jsSnapshot.medianNs, m.cLibcap.medianNs, 0.5);
  row('snapshot: thread.get() vs C kernel floor', m.jsThreadGet.medianNs, m.cFloor.medianNs, 1.2);
  row('snapshot floor: addon snapshotCaps() vs C floor', m.jsSnapshotCaps.medianNs, m.cFloor.medianNs, undefined, 'info');
  for (const n of sizes) {
    const threads = m[`jsBroadcast${n}`].threads;
    const b = m[`jsBroadcast${n}`].medianNs;
    const cb = m[`cBroadcast${n}`].medianNs;
    const cp = m[`cBroadcastPark${n}`].medianNs;
    const cs = m[`jsCapsSet${n}`].medianNs;
    const cv = m[`cBroadcastParkVerify${n}`].medianNs;
    const cpv = m[`cPrecheckBroadcastParkVerify${n}`].medianNs;
    const setgid = m[`jsSetgid${n}`].medianNs;
    const perThread = (ns) => `${(ns / 1000 / threads).toFixed(1)} µs/thread`;
    row(`apply, ${threads} threads: addon broadcast() vs C broadcast (same handler work)`, b, cp, 1.5, `${perThread(b)} vs ${perThread(cp)}`);
    row(`apply, ${threads} threads: addon broadcast() vs C minimal broadcast`, b, cb, undefined, `info: C minimal ${perThread(cb)}`);
    row(`apply, ${threads} threads: caps.set() vs C io_uring pre-check+broadcast (same work)+/proc verify`, cs, cpv, 1.2, `${perThread(cs)} vs ${perThread(cpv)}`);
    row(`apply, ${threads} threads: caps.set() vs C broadcast (same work)+/proc verify, no pre-check`, cs, cv, undefined, `info: ${perThread(cs)} vs ${perThread(cv)}`);
    row(`apply, ${threads} threads: caps.set() vs glibc's set*id broadcast (process.setgid, unverified)`, cs, setgid, 3, 'same process kind, same threads');
    row(`apply, ${threads} threads: C pre-check+broadcast+verify vs glibc's set*id broadcast`, cpv, setgid, undefined, "info: the least a checked, verified apply costs against glibc's");
    row(`verify, ${threads} threads: caps.verify() vs C /proc read`, m[`jsCapsVerify${n}`].medianNs, m[`cVerify${n}`].medianNs, 1.2, 'part of caps.set()');
  }
  return out;
}

function printTable(table) {
  const header = ['operation', 'ours µs', 'C µs', 'ratio', 'goal', ''];
  const lines = table.map((r) => [
    r.operation,
    r.oursUs.toFixed(2),
    r.cUs.toFixed(2),
    r.ratio.toFixed(2),
    r.goal === undefined ? '—' : `≤ ${r.goal}${r.ratio <= r.goal ? ' ✓' : ' ✗'}`,
    r.note,
  ]);
  const width = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k].length)));
  const fmt = (cells) => cells.map((cell, k) => (k === 0 || k === cells.length - 1 ? cell.padEnd(width[k]) : cell.padStart(width[k]))).join('  ').trimEnd();
  console.log(fmt(header));
  console.log(width.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

const dir = mkdtempSync(join(tmpdir(), 'linux-caps-bench-'));
try {
  const measured = measureAll(compileC(dir), cOnly ? {} : pinBuild(dir));
  if (cOnly) {
    for (const [name, m] of Object.entries(measured)) console.log(`${name.padEnd(22)} ${(m.medianNs / 1000).toFixed(2).padStart(10)} µs  threads=${m.threads}`);
    process.exit(0);
  }
  const table = rows(measured);
  if (asJson) console.log(JSON.stringify({ rounds, sizes, measured, table }, null, 2));
  else {
    console.log(`linux-caps native benchmark — node ${process.version}, ${rounds} round(s), medians of medians`);
    printTable(table);
    console.log('C broadcast: SIGRTMIN+2 queued with rt_tgsigqueueinfo to every TID of /proc/self/task. Minimal: the handler');
    console.log('runs capset and acks (the last ack wakes the caller). Same handler work: capset, 3 prctl read-backs, a wake');
    console.log('per ack, then parked until the broadcast ends, like the addon. "+/proc verify" then reads every');
    console.log('/proc/self/task/<tid>/status, as caps.set() verifies. "io_uring pre-check" first reads every task\'s comm, as');
    console.log('caps.set() does before anything changes (an io_uring worker would never run the handler).');
  }
} catch (err) {
  console.error(`bench:native: ${err.message}`);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
