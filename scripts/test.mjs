#!/usr/bin/env node
// Runs the test suites and ends with the plain line CI reads: `N passed, N failed, N skipped`.
//   kernel: every test, on the native backend (the real kernel).
//   model:  the tests that assert only through the public API (test/api/), again with
//           LINUX_CAPS_BACKEND=model, so the simulated process must behave like the kernel.
//   asan:   the native tests and the public-API tests (test/native/, test/api/, plus the launch
//           and file-caps tests, which reach the addon's other C++) again, with the
//           addon built by scripts/build-asan.mjs (ASan + UBSan) loaded through
//           LINUX_CAPS_NATIVE_PATH and libasan preloaded into every node they start (children
//           inherit it). Runs when LINUX_CAPS_ASAN=1 or under CI (LINUX_CAPS_ASAN=0 turns it
//           off: test-lines runs it on the first line only); a sanitizer report ends the
//           process with a non-zero status, so it fails the suite.
// Under CI=true a skipped test is a failure: CI installs every oracle and runs as root.
// Extra vitest arguments are passed through (e.g. `npm test -- test/names.test.ts`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asanAddon, asanEnv, buildAsan } from './build-asan.mjs';
import { failedTests, reportCounts } from './vitest-report.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const extra = process.argv.slice(2);
const ci = process.env.CI === 'true' || process.env.CI === '1';

// Tests whose outcome does not depend on the Node line running them (static checks of the
// package, and probes that run programs of their own: the arm64 Node under qemu, the musl
// broadcast program). LINUX_CAPS_LINE_INDEPENDENT=0 leaves them out: test-lines.mjs runs them
// on the first line only, keeping CI under 30 minutes.
const LINE_INDEPENDENT = ['test/package/lint.test.ts', 'test/package/types.test.ts', 'test/package/strict-types.test.ts',
  'test/package/arm64-qemu.test.ts', 'test/native/broadcast-libc.test.ts'];
const lineIndependentOff = process.env.LINUX_CAPS_LINE_INDEPENDENT === '0' ? LINE_INDEPENDENT.flatMap((f) => ['--exclude', f]) : [];

const suites = [
  { name: 'kernel', env: {}, paths: [], args: lineIndependentOff },
  { name: 'model', env: { LINUX_CAPS_BACKEND: 'model' }, paths: ['test/api'] },
];
const asanWanted = process.platform === 'linux' && process.env.LINUX_CAPS_ASAN !== '0' && (process.env.LINUX_CAPS_ASAN === '1' || ci);
// The native tests, the public-API tests, and the tests of the addon's other C++ (launch.cc, xattr.cc).
const asanPaths = ['test/native', 'test/api', 'test/operations/launch.test.ts', 'test/operations/launch-workers.test.ts', 'test/filecaps'];
if (asanWanted) suites.push({ name: 'asan', env: {}, paths: asanPaths, prepare: prepareAsan, focusable: true });

const tmp = mkdtempSync(join(tmpdir(), 'linux-caps-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
/** One line per failed test or broken file, repeated at the end so a log's tail names them. */
const failures = [];
let harnessError = false;

for (const suite of suites) {
  if (suite.paths.length && !suite.paths.some((p) => existsSync(join(root, p)))) continue;
  // A focused run uses the kernel suite only, and the ASan suite when asked for (same files).
  if (extra.length && suite.paths.length && !suite.focusable) continue;
  if (suite.prepare) {
    const problem = suite.prepare(suite);
    if (problem) {
      console.error(`test.mjs: the ${suite.name} suite cannot run: ${problem}`);
      totals.failed += 1;
      harnessError = true;
      continue;
    }
  }
  const out = join(tmp, `${suite.name}.json`);
  const paths = extra.length && suite.focusable ? [] : suite.paths; // vitest filters: path prefixes
  const args = [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...(suite.args ?? []), ...paths, ...extra];
  console.log(`\n=== ${suite.name} backend: vitest ${[...paths, ...extra].join(' ') || '(all tests)'}`);
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...suite.env } });
  if (!existsSync(out)) {
    console.error(`test.mjs: the ${suite.name} suite wrote no report (vitest exit ${run.status ?? run.signal})`);
    harnessError = true;
    totals.failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const counts = reportCounts(report);
  if (run.status !== 0 && counts.failed === 0) {
    // A crashed worker (e.g. a sanitizer report ending the process) leaves no test counted as
    // failed: count the run itself, so the summary line never says 0 failed for a failing run.
    harnessError = true;
    counts.failed += 1;
  }
  console.log(`${suite.name} backend: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  failures.push(...failedTests(report, suite.name, root));
  if (ci && counts.skipped > 0) {
    const skippedNames = report.testResults.flatMap((f) => f.assertionResults.filter((t) => t.status !== 'passed' && t.status !== 'failed').map((t) => `${f.name}: ${t.fullName}`));
    console.error(`CI=true: no test may skip; skipped:\n  ${skippedNames.join('\n  ')}`);
  }
  for (const k of Object.keys(totals)) totals[k] += counts[k];
}
rmSync(tmp, { recursive: true, force: true });

// Hygiene, counted as one test: the suite must not leave a capability-carrying or setuid file
// behind under the temp directory (a way up for any local user on a shared machine).
if (process.platform === 'linux' && !extra.length) {
  const { privilegedLeftovers } = await import('./leftovers.mjs');
  const left = await privilegedLeftovers(tmpdir());
  if (left.length > 0) {
    console.error(`hygiene: the suite left ${left.length} privileged file(s) behind:\n  ${left.join('\n  ')}`);
    totals.failed += 1;
  } else {
    console.log(`hygiene: no capability-carrying or setuid file left under ${tmpdir()}/linux-caps-*`);
    totals.passed += 1;
  }
}

/**
 * Builds the sanitized addon if needed, then proves, in a node started exactly like the
 * suite's, that libasan is loaded and that the addon the library maps is build-asan/'s — so
 * a green ASan suite cannot silently have run the plain build. Returns a problem or undefined.
 */
function prepareAsan(suite) {
  try {
    buildAsan({ quiet: true });
    Object.assign(suite.env, asanEnv());
  } catch (err) {
    return err.message;
  }
  const probe = `
    const { getBackend } = await import(${JSON.stringify(join(root, 'dist', 'testing.js'))});
    getBackend().lastCap();
    const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
    const mapped = [...new Set(maps.split('\\n').map((l) => l.split(/\\s+/)[5]).filter((f) => f && f.endsWith('.node')))];
    console.log(JSON.stringify({ asan: /libasan\\.so/.test(maps), mapped }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: root, encoding: 'utf8', env: { ...process.env, ...suite.env },
  });
  if (run.status !== 0) return `the probe under ASan failed (exit ${run.status ?? run.signal}):\n${run.stderr}`;
  const seen = JSON.parse(run.stdout.trim().split('\n').pop());
  if (!seen.asan) return 'libasan is not loaded in the probe process (LD_PRELOAD ignored?)';
  if (!seen.mapped.includes(asanAddon)) {
    return `the library loaded ${seen.mapped.join(', ') || 'no addon'}, not ${asanAddon}: LINUX_CAPS_NATIVE_PATH was not honoured`;
  }
  console.log(`asan: ${asanAddon} loaded under ${suite.env.LD_PRELOAD}`);
  return undefined;
}

if (!ci && totals.skipped > 0) {
  // Each skip printed its reason; most are a missing oracle. One line installs them all.
  console.log(`${totals.skipped} test(s) skipped (reasons above). On Debian or Ubuntu, this installs every oracle:\n` +
    '  sudo apt-get install libcap-dev libcap2-bin libcap-ng-utils util-linux bubblewrap attr libnss-extrausers gcc g++ make python3 cmake wine64 musl-tools');
}
for (const f of failures) console.log(f);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
const ok = !harnessError && totals.failed === 0 && !(ci && totals.skipped > 0) && totals.passed > 0;
process.exit(ok ? 0 : 1);
