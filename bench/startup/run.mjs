#!/usr/bin/env node
// npm run bench:startup — how much loading linux-caps adds to starting Node (issue 14 goal 4).
//
//   node bench/startup/run.mjs [--rounds=N] [--json]
//
// Every case is a fresh `node` process, timed from spawn to exit. The cases run interleaved —
// one of each per round, in a new order every round — so a loaded machine slows them alike;
// the table shows each case's median and its ratio to the baseline's median in the same run.
//   baseline  node empty.mjs                     (an ES module that does nothing)
//   node -e 0                                    (for information: CommonJS, no ES module loader)
//   import    node import.mjs                    (import 'linux-caps', from an installed copy)
//   first use node first-use.mjs                 (for information: the import and one thread.get(),
//                                                 which loads the kernel calls: lib/operations/on-demand/)
//   print     node <pkg>/dist/cli.js print       (the CLI's default report of this process)
// The command keeps its compiled code in Node's compile cache (lib/cli/compile-cache.ts): here in
// the scratch folder (XDG_CACHE_HOME), filled by the warm-up run, as a user's second run finds it.
// The package is a copy of dist/ and package.json (as npm installs it) in a temporary
// node_modules/, so the numbers are those of the published layout. Goals are reported, not
// enforced: the exit status is 0 whenever everything ran.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const rounds = Number(option('rounds', '41'));
const asJson = process.argv.includes('--json');

/** An installed copy of the package (dist/, package.json, the addon) in a scratch project. */
function install(dir) {
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('no dist/: run `npm run build` first');
  const pkg = join(dir, 'node_modules', 'linux-caps');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  const addon = join(root, 'build', 'Release', 'linux_caps.node');
  if (existsSync(addon)) {
    mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
    copyFileSync(addon, join(pkg, 'build', 'Release', 'linux_caps.node'));
  }
  // The package's runtime dependencies, from this checkout.
  mkdirSync(join(pkg, 'node_modules'), { recursive: true });
  for (const dep of ['node-gyp-build']) {
    if (existsSync(join(root, 'node_modules', dep))) symlinkSync(join(root, 'node_modules', dep), join(pkg, 'node_modules', dep));
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'startup-bench', private: true, type: 'module' }));
  writeFileSync(join(dir, 'empty.mjs'), '');
  mkdirSync(join(dir, 'cache'), { mode: 0o700 });
  writeFileSync(join(dir, 'import.mjs'), "import 'linux-caps';\n");
  writeFileSync(join(dir, 'first-use.mjs'), "import { thread } from 'linux-caps';\nthread.get();\n");
  return pkg;
}

/** Wall time of one process, in ms; throws if it fails. */
function time(args, cwd) {
  const started = process.hrtime.bigint();
  const env = { ...process.env, XDG_CACHE_HOME: join(cwd, 'cache') };
  delete env.NODE_COMPILE_CACHE;
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const dir = mkdtempSync(join(tmpdir(), 'linux-caps-startup-'));
try {
  const pkg = install(dir);
  const cases = [
    { name: 'baseline', what: 'node empty.mjs', args: ['empty.mjs'] },
    { name: 'node-e', what: 'node -e 0', args: ['-e', '0'] },
    { name: 'import', what: "import 'linux-caps'", args: ['import.mjs'], goal: 1.15 },
    { name: 'first-use', what: 'import + thread.get()', args: ['first-use.mjs'] },
    { name: 'print', what: 'linux-caps print', args: [join(pkg, 'dist', 'cli.js'), 'print'], goal: 1.25 },
  ];
  for (const c of cases) { c.times = []; time(c.args, dir); } // warm the page cache
  for (let r = 0; r < rounds; r++) {
    const order = [...cases].sort(() => Math.random() - 0.5);
    for (const c of order) c.times.push(time(c.args, dir));
  }
  const base = median(cases[0].times);
  const rows = cases.map((c) => ({ name: c.name, what: c.what, medianMs: median(c.times), ratio: median(c.times) / base, goal: c.goal }));
  if (asJson) {
    console.log(JSON.stringify({ node: process.version, rounds, rows }));
  } else {
    console.log(`Node ${process.version}, ${rounds} interleaved rounds, median wall time from spawn to exit`);
    console.log('case                    median     ratio   goal');
    for (const r of rows) {
      const goal = r.goal === undefined ? '' : `≤ ${r.goal.toFixed(2)}× ${r.ratio <= r.goal ? 'met' : 'not met'}`;
      console.log(`${r.what.padEnd(22)} ${r.medianMs.toFixed(1).padStart(7)} ms ${r.ratio.toFixed(2).padStart(6)}×  ${goal}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
