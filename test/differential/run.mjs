/**
 * One differential run: builds the executor, starts the isolated supervisor, generates each
 * sequence while the model predicts it, runs it on the kernel, and compares step by step.
 * Pure orchestration; printing is the caller's (cli.mjs) job through `onEvent`.
 */
import { readFileSync } from 'node:fs';
import { buildExecutor } from './build.mjs';
import { makeCatalog } from './catalog.mjs';
import { compareStep } from './compare.mjs';
import { SequenceGenerator } from './generator.mjs';
import { execDir } from './ops.mjs';
import { loadModel, observedSnapshot, Predictor } from './predict.mjs';
import { Stats } from './stats.mjs';
import { Supervisor } from './supervisor.mjs';

/** This machine's cap_last_cap and the bounding set the executor will start with. */
export function machineFacts() {
  const lastCap = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
  const field = (status, name) => {
    const m = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status);
    if (!m) throw new Error(`no ${name} line in a /proc status file`);
    return BigInt(`0x${m[1]}`);
  };
  const own = readFileSync('/proc/self/status', 'utf8');
  // capget(1) reads pid 1's sets, which need not be ours (here its P lacks nothing the VM dropped).
  const init = readFileSync('/proc/1/status', 'utf8');
  const pid1 = { effective: field(init, 'CapEff'), permitted: field(init, 'CapPrm'), inheritable: field(init, 'CapInh') };
  return { lastCap, bounding: field(own, 'CapBnd'), pid1 };
}

/** Generates sequence `index` together with the model's prediction of every step. */
function planSequence(seed, index, ctx, predictor) {
  const gen = new SequenceGenerator(seed, index, ctx);
  const ops = [];
  const predictions = [];
  let st = predictor.start();
  let broken = false;
  for (let op = gen.next(predictor.view(st)); op !== undefined; op = gen.next(broken ? undefined : predictor.view(st))) {
    ops.push(op);
    if (broken) {
      predictions.push(undefined);
      continue;
    }
    const { t, next, thrown } = predictor.apply(st, op);
    if (thrown) {
      predictions.push({ thrown });
      broken = true;
      continue;
    }
    st = next;
    predictions.push({ transition: t, predicted: predictor.snapshot(st) });
  }
  return { ops, predictions };
}

/** Splits the executor's lines of one sequence into the initial state and per-step results. */
function parseRun(lines) {
  let initial;
  const steps = [];
  for (const l of lines) {
    if (l.k === 's' && l.s === -1) initial = observedSnapshot(l);
    else if (l.k === 'r') (steps[l.s] ??= {}).result = l;
    else if (l.k === 's') (steps[l.s] ??= {}).state = observedSnapshot(l);
    else if (l.k === 'fatal') throw new Error(`executor: ${l.what} failed (errno ${l.errno})`);
  }
  return { initial, steps };
}

/**
 * @param {{ count: number, seed: number, only?: number[], onEvent: (e: object) => void, window?: number, jobs?: number, kernelVersion?: string }} opts
 * @returns {Promise<{ sequences: number, disagreements: number, stats: Stats, missed: object[], elapsedMs: number, harnessErrors: string[] }>}
 */
export async function runDifferential({ count, seed, only, onEvent, window = 32, jobs = 2, kernelVersion = '6.18' }) {
  const started = Date.now();
  const model = await loadModel();
  const { lastCap, bounding, pid1 } = machineFacts();
  const catalog = makeCatalog(seed, bounding, lastCap);
  const executor = buildExecutor();
  const supervisors = [];
  try {
    for (let k = 0; k < Math.max(1, jobs); k++) supervisors.push(await Supervisor.start(executor, catalog.files));
  } catch (error) {
    await Promise.all(supervisors.map((s) => s.stop()));
    throw error;
  }
  const supervisor = supervisors[0];
  const harnessErrors = [];
  const stats = new Stats();
  let disagreements = 0;
  let done = 0;
  try {
    const predictor = new Predictor(model, supervisor.initial, lastCap, supervisor.files, kernelVersion, pid1);
    const reported = { s: [], n: [], r: [] };
    for (const f of supervisor.files) reported[f.dir][f.idx] = { ...f, index: f.idx, nosuid: f.dir === 'n', raw: f.dir === 'r' };
    const ctx = { catalog: reported, lastCap, initialView: predictor.view(predictor.start()) };
    const indices = only ?? Array.from({ length: count }, (_, k) => k);
    const inFlight = [];
    for (const other of supervisors.slice(1)) {
      if (JSON.stringify(other.files) !== JSON.stringify(supervisor.files) || JSON.stringify(other.initial) !== JSON.stringify(supervisor.initial)) {
        throw new Error('the parallel executors disagree about their files or initial state');
      }
    }

    const finish = async ({ index, plan, promise }) => {
      const run = await promise;
      const { initial, steps } = parseRun(run.lines);
      let before = initial;
      let reportedDisagreement = false;
      const trace = [];
      for (let k = 0; k < plan.ops.length; k++) {
        const op = plan.ops[k];
        const obs = steps[k];
        if (!obs?.result || !obs.state) {
          harnessErrors.push(`sequence ${index}: the executor stopped before step ${k} (wait status ${run.status})`);
          break;
        }
        const file = op.op === 'execve' ? reported[execDir(op)][op.file] : undefined;
        stats.record(op, obs.result, before, obs.state, file);
        const pred = plan.predictions[k];
        stats.recordRule(pred?.transition?.rule);
        trace.push({ step: k, op, pred, obs });
        if (!reportedDisagreement && pred) {
          const diffs = pred.thrown ? ['model threw'] : compareStep(pred, obs);
          if (diffs.length) {
            reportedDisagreement = true;
            disagreements++;
            onEvent({ type: 'disagreement', index, step: k, op, pred, obs, before, diffs, catalog: reported });
          }
        }
        before = obs.state;
      }
      done++;
      onEvent({ type: 'sequence', index, trace, initial, catalog: reported, done });
    };

    for (const [n, index] of indices.entries()) {
      const plan = planSequence(seed, index, ctx, predictor);
      inFlight.push({ index, plan, promise: supervisors[n % supervisors.length].run(plan.ops) });
      if (inFlight.length >= window) await finish(inFlight.shift());
    }
    while (inFlight.length) await finish(inFlight.shift());
  } finally {
    await Promise.all(supervisors.map((s) => s.stop()));
  }
  const missed = only ? [] : stats.missedReach(done);
  return { sequences: done, disagreements, stats, missed, elapsedMs: Date.now() - started, harnessErrors, baseDirs: supervisors.map((s) => s.base) };
}
