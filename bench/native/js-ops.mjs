#!/usr/bin/env node
// The JS side of bench/native: one operation, timed like bench/native/cbench.c times its C twin
// (warm-up, then `samples` batches of `batch` calls; the median per-call time is printed as one
// JSON line). run.mjs starts one fresh process per operation.
//
//   node bench/native/js-ops.mjs gettid | capget | snapshot-caps | snapshot | thread-get
//   node bench/native/js-ops.mjs broadcast N | caps-set N | caps-verify N | setgid N
//                                  (N = threads wanted in the process)
//
// For N threads it sets nothing itself: run.mjs starts it with UV_THREADPOOL_SIZE = N - 7
// (Node 20: main, 4 platform workers, the delayed-task scheduler, the inspector thread, then
// the libuv pool), and this script starts the pool and reports the count it really has.
import { readdirSync, readFile } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// run.mjs pins a copy of dist/ (BENCH_DIST_DIR) so a rebuild of the checkout cannot land mid-run.
const distDir = process.env.BENCH_DIST_DIR ?? join(root, 'dist');
const dist = (file) => pathToFileURL(join(distDir, file)).href;

/** Median per-call nanoseconds of `op`, measured like cbench.c's measure(). */
function measure(op, { samples, batch, warmup }) {
  for (let k = 0; k < warmup; k++) op();
  const perOp = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < batch; k++) op();
    perOp.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  perOp.sort((a, b) => a - b);
  return { medianNs: perOp[samples >> 1], samples, batch };
}

/** The addon, through the library's one loader (lib/backend/native/addon.ts). */
async function loadAddon() {
  const mod = await import(dist('internal.js'));
  const addon = typeof mod.loadNative === 'function' ? mod.loadNative() : mod.native ?? mod.default;
  if (!addon || typeof addon.capget !== 'function') throw new Error('dist/internal.js gave no addon (run `npm run build`)');
  return addon;
}

/** Starts the libuv pool (all its threads start on the first submitted work) and counts threads. */
async function settleThreads() {
  await new Promise((done) => readFile(fileURLToPath(import.meta.url), done));
  let count = 0;
  for (let tries = 0; tries < 100; tries++) {
    const now = readdirSync('/proc/self/task').length;
    if (now === count) break;
    count = now;
    await new Promise((done) => setTimeout(done, 10));
  }
  return count;
}

/** A one-step credential program: capset to the caller's current E/P/I (8 u32 words). */
function capsetProgram(e, p, i) {
  const lo = (v) => Number(v & 0xffffffffn);
  const hi = (v) => Number(v >> 32n);
  return Uint32Array.of(1, 0, lo(e), hi(e), lo(p), hi(p), lo(i), hi(i));
}

const [mode, arg] = process.argv.slice(2);
// The same constants as cbench.c (short batches: most fit in one time slice under load).
const cheap = { samples: 201, batch: 200, warmup: 20000 };
const snapshotTiming = { samples: 201, batch: 10, warmup: 2000 };
const broadcastTiming = { samples: 101, batch: 1, warmup: 30 };
let result;
let threads = 1;

const addon = await loadAddon();
if (mode === 'gettid') {
  result = measure(() => addon.gettid(), cheap);
} else if (mode === 'capget') {
  const out = new BigUint64Array(3);
  result = measure(() => {
    if (addon.capget(out) !== 0) throw new Error('capget failed');
  }, cheap);
} else if (mode === 'snapshot-caps') {
  const out = new BigUint64Array(5);
  result = measure(() => {
    if (addon.snapshotCaps(out) !== 0) throw new Error('snapshotCaps failed');
  }, snapshotTiming);
} else if (mode === 'snapshot') {
  result = measure(() => {
    if (typeof addon.snapshot() === 'number') throw new Error('snapshot failed');
  }, snapshotTiming);
} else if (mode === 'thread-get') {
  const { thread } = await import(dist('index.js'));
  result = measure(() => thread.get(), snapshotTiming);
} else if (mode === 'caps-verify') {
  threads = await settleThreads();
  const { caps } = await import(dist('index.js'));
  result = measure(() => {
    if (!caps.verify().uniform) throw new Error('threads differ');
  }, broadcastTiming);
} else if (mode === 'broadcast' || mode === 'caps-set') {
  threads = await settleThreads();
  const out = new BigUint64Array(3);
  if (addon.capget(out) !== 0) throw new Error('capget failed');
  const [e, p, i] = out;
  if (mode === 'broadcast') {
    const program = capsetProgram(e, p, i);
    result = measure(() => {
      const r = addon.broadcast(program, 5000);
      if (typeof r === 'number' || r.callerIndex !== -1 || r.unreported.length || r.results.some((t) => t.index !== -1)) {
        throw new Error(`broadcast did not converge: ${JSON.stringify(r)}`);
      }
    }, broadcastTiming);
  } else {
    const { caps, CapSet } = await import(dist('index.js'));
    const target = { effective: CapSet.fromMask(e), permitted: CapSet.fromMask(p), inheritable: CapSet.fromMask(i) };
    result = measure(() => caps.set(target, { deadlineMs: 5000, onPartial: 'throw' }), broadcastTiming);
  }
} else if (mode === 'setgid') {
  // glibc's own set*id broadcast (SIGSETXID to every thread, no verification): process.setgid
  // to the current gid, in the same kind of process caps.set runs in.
  threads = await settleThreads();
  const gid = process.getgid();
  result = measure(() => process.setgid(gid), broadcastTiming);
} else {
  console.error('usage: js-ops.mjs gettid|capget|snapshot-caps|snapshot|thread-get|broadcast N|caps-set N|caps-verify N|setgid N');
  process.exit(2);
}
if (arg && Number(arg) !== threads) console.error(`js-ops: asked for ${arg} threads, the process has ${threads}`);
console.log(JSON.stringify({ op: mode, threads, ...result }));
