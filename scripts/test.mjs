#!/usr/bin/env node
// Runs the test suites and ends with the plain line CI reads: `N passed, N failed, N skipped`.
//   kernel: every test, on the native backend (the real kernel).
//   model:  the tests that assert only through the public API (test/api/), again with
//           LINUX_CAPS_BACKEND=model, so the simulated process must behave like the kernel.
// Under CI=true a skipped test is a failure: CI installs every oracle and runs as root.
// Extra vitest arguments are passed through (e.g. `npm test -- test/names.test.ts`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const extra = process.argv.slice(2);
const ci = process.env.CI === 'true' || process.env.CI === '1';

const suites = [
  { name: 'kernel', env: {}, paths: [] },
  { name: 'model', env: { LINUX_CAPS_BACKEND: 'model' }, paths: ['test/api'] },
];

const tmp = mkdtempSync(join(tmpdir(), 'linux-caps-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
let harnessError = false;

for (const suite of suites) {
  if (suite.paths.length && !suite.paths.some((p) => existsSync(join(root, p)))) continue;
  if (extra.length && suite.paths.length) continue; // a focused run uses the kernel suite only
  const out = join(tmp, `${suite.name}.json`);
  const args = [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...suite.paths, ...extra];
  console.log(`\n=== ${suite.name} backend: vitest ${[...suite.paths, ...extra].join(' ') || '(all tests)'}`);
  const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...suite.env } });
  if (!existsSync(out)) {
    console.error(`test.mjs: the ${suite.name} suite wrote no report (vitest exit ${run.status ?? run.signal})`);
    harnessError = true;
    continue;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const counts = {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
  };
  // A file that failed to load has no tests counted: make it a failure.
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  counts.failed += brokenFiles;
  if (run.status !== 0 && counts.failed === 0) harnessError = true;
  console.log(`${suite.name} backend: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  if (ci && counts.skipped > 0) {
    const skippedNames = report.testResults.flatMap((f) => f.assertionResults.filter((t) => t.status !== 'passed' && t.status !== 'failed').map((t) => `${f.name}: ${t.fullName}`));
    console.error(`CI=true: no test may skip; skipped:\n  ${skippedNames.join('\n  ')}`);
  }
  for (const k of Object.keys(totals)) totals[k] += counts[k];
}
rmSync(tmp, { recursive: true, force: true });

console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
const ok = !harnessError && totals.failed === 0 && !(ci && totals.skipped > 0) && totals.passed > 0;
process.exit(ok ? 0 : 1);
