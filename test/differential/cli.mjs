/**
 * `scripts/differential [--count N] [--seed S] [--only I[,J…]] [--verbose] [--max-print K]`
 * Prints each disagreement with a replay command, the per-operation table, and finally
 * `N sequences, D disagreements, seed S`. Exit 0 when all agree, 1 on disagreements,
 * 2 on a harness error (including missed reach goals).
 */
import { describeOp } from './ops.mjs';
import { formatSnapshot } from './compare.mjs';
import { errnoName, REACH } from './stats.mjs';
import { randomSeed } from './prng.mjs';
import { runDifferential } from './run.mjs';

const USAGE = `usage: scripts/differential [--count N] [--seed S] [--only I[,J...]] [--verbose] [--max-print K]
  --count N      sequences to run (default 2000)
  --seed S       run seed, decimal or 0x-hex uint32 (default: random, printed)
  --only I,J     run only these sequence indices of the seed (replay)
  --verbose      print every step of every sequence run (use with --only)
  --max-print K  print at most K disagreements in full (default 50)
  --jobs J       executors running sequences in parallel (default 2)
  --kernel V     the model's kernel version: 6.18 (default, this kernel's rules) or pre-2025
                 (expected to disagree: shows the harness catches the §2.6 history difference)`;

function parseArgs(argv) {
  const opts = { count: 2000, seed: undefined, only: undefined, verbose: false, maxPrint: 50, jobs: 2, kernel: '6.18' };
  const int = (name, v) => {
    const n = /^0x[0-9a-f]+$/i.test(v ?? '') ? parseInt(v, 16) : /^\d+$/.test(v ?? '') ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw new Error(`${name} needs a non-negative integer, got ${v}`);
    return n;
  };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const value = () => argv[++k];
    if (a === '--count') opts.count = int('--count', value());
    else if (a === '--seed') opts.seed = int('--seed', value()) >>> 0;
    else if (a === '--only') opts.only = (value() ?? '').split(',').map((x) => int('--only', x));
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--max-print') opts.maxPrint = int('--max-print', value());
    else if (a === '--kernel') opts.kernel = value();
    else if (a === '--jobs') opts.jobs = Math.max(1, int('--jobs', value()));
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

const errText = (e) => (e ? `${errnoName(e)} (${e})` : 'success');

function resultText(result) {
  if (result === undefined || result === null) return 'ret 0';
  if (typeof result !== 'object') return `ret ${result}`;
  if ('atSecure' in result) return `ret 0, AT_SECURE ${result.atSecure ? 1 : 0}${result.fileCaps ? ' (file caps applied)' : ''}`;
  return 'ret 0';
}

function predictedText(pred) {
  if (pred.thrown) return `model threw: ${pred.thrown.message}`;
  const t = pred.transition;
  return t.errno ? errText(-t.errno) : `success, ${resultText(t.result)}`;
}

function printStep(print, { step, op, pred, obs }, catalog) {
  print(`  step ${step}: ${describeOp(op, catalog)}`);
  print(`    kernel: ${errText(obs.result.err)}, ret ${obs.result.ret}; ${formatSnapshot(obs.state)}`);
  if (!pred) print('    model:  (not predicted: the model failed earlier)');
  else if (pred.thrown) print(`    model:  threw ${pred.thrown.message}`);
  else print(`    model:  ${predictedText(pred)}; ${formatSnapshot(pred.predicted)}  [${pred.transition.rule}${pred.transition.reason ? `: ${pred.transition.reason}` : ''}]`);
}

/** Runs the CLI; returns the exit code. */
export async function main(argv, print = (s) => process.stdout.write(`${s}\n`)) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    print(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    print(USAGE);
    return 0;
  }
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    print('scripts/differential needs Linux and root (it creates setuid files and user namespaces in a private mount namespace)');
    return 2;
  }
  const seed = opts.seed ?? randomSeed();
  print(`seed ${seed}`);
  let printed = 0;
  let result;
  try {
    result = await runDifferential({
      count: opts.count, seed, only: opts.only, jobs: opts.only ? 1 : opts.jobs, kernelVersion: opts.kernel,
      onEvent: (e) => {
        if (e.type === 'disagreement') {
          if (printed++ >= opts.maxPrint) return;
          const { pred, obs } = e;
          print(`DISAGREEMENT sequence ${e.index} step ${e.step}: ${describeOp(e.op, e.catalog)} — differs in ${e.diffs.join(', ')}`);
          print(`  before:    ${formatSnapshot(e.before)}`);
          print(`  predicted: ${predictedText(pred)}${pred.predicted ? `; ${formatSnapshot(pred.predicted)}` : ''}`);
          if (pred.transition) print(`             rule ${pred.transition.rule}${pred.transition.reason ? `: ${pred.transition.reason}` : ''}`);
          print(`  observed:  ${errText(obs.result.err)}, ret ${obs.result.ret}; ${formatSnapshot(obs.state)}`);
          if (e.diffs.includes('capget data')) {
            const r = pred.transition.result ?? {};
            const hex = (m) => (typeof m === 'bigint' ? `0x${m.toString(16)}` : String(m));
            const [oe, op, oi] = obs.result.data.map((h) => `0x${BigInt(`0x${h}`).toString(16)}`);
            print(`  capget data predicted E=${hex(r.effective)} P=${hex(r.permitted)} I=${hex(r.inheritable)}, observed E=${oe} P=${op} I=${oi}`);
          }
          print(`  replay:    scripts/differential --seed ${seed} --only ${e.index} --verbose${opts.kernel !== '6.18' ? ` --kernel ${opts.kernel}` : ''}`);
        } else if (e.type === 'sequence' && opts.verbose) {
          print(`sequence ${e.index}: start ${formatSnapshot(e.initial)}`);
          for (const s of e.trace) printStep(print, s, e.catalog);
        }
      },
    });
  } catch (error) {
    print(`harness error: ${error.stack ?? error.message}`);
    print(`0 sequences, 0 disagreements, seed ${seed}`);
    return 2;
  }
  if (printed > opts.maxPrint) print(`(${printed - opts.maxPrint} more disagreements not printed; --max-print raises the limit)`);
  print(result.stats.format());
  const perSecond = result.sequences / Math.max(result.elapsedMs / 1000, 0.001);
  print(`${result.elapsedMs} ms, ${perSecond.toFixed(0)} sequences/s`);
  for (const h of result.harnessErrors.slice(0, 20)) print(`harness error: ${h}`);
  for (const m of result.missed) print(`harness error: reach goal missed: ${m.goal} (${REACH[m.goal]}) succeeded ${m.got} times, need ${m.need}`);
  print(`${result.sequences} sequences, ${result.disagreements} disagreements, seed ${seed}`);
  if (result.harnessErrors.length || result.missed.length) return 2;
  return result.disagreements > 0 ? 1 : 0;
}
