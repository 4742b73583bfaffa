#!/usr/bin/env node
// The package as people consume it: pack the tarball, check what it ships, then install it into
// two fresh projects and use it from there.
//   1. prebuild path: `npm install <tgz> --omit=dev` with no compiler reachable on PATH (a temp bin
//      dir holding only node and sh); the shipped prebuild must serve.
//   2. build-from-source path: the same tarball with npm_config_build_from_source=true and the full
//      PATH; node-gyp must compile build/Release/linux_caps.node inside the installed package.
// In each: import() from ESM, require() from CommonJS (require(esm), Node >= 22.12), caps.threads()
// on the native backend, formatCaps() on a known vector, `linux-caps print --json`, and
// `linux-caps/vitest` resolving. In the first, also: the model backend when asked (no addon
// loaded), a consumer's vitest run of the matchers, and a consumer's tsc (nodenext) over both
// entry points. Prints each install's time; exits 1 with the reasons on failure.
//
// Nothing here rewrites build/ or dist/ of the checkout while tests may be reading them: a missing
// or stale prebuild is built in a staging copy, and dist/ is compiled only when it is stale.
// Environment: LINUX_CAPS_PACK_TEST_KEEP=1 keeps the temp dir for inspection.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCli } from './npm-cli.mjs';
import { ensurePrebuilds, SHIPPED } from './prebuild.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const prebuildRel = `prebuilds/linux-${process.arch}/${pkg.name}.glibc.node`;
const failures = [];
const say = (msg) => console.log(`pack-test: ${msg}`);
const fail = (msg) => {
  failures.push(msg);
  console.log(`pack-test: FAIL ${msg}`);
};
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------
// Helpers

/**
 * The environment of a consumer: ours without what an outer `npm run`, vitest or our own test
 * harness set (npm_* config, LINUX_CAPS_* overrides such as LINUX_CAPS_NATIVE_PATH, NODE_OPTIONS).
 */
function cleanEnv(extra = {}) {
  const env = {};
  const harness = /^(npm_|LINUX_CAPS_|VITEST|INIT_CWD$|NODE_OPTIONS$|LD_PRELOAD$)/i;
  for (const [k, v] of Object.entries(process.env)) if (!harness.test(k)) env[k] = v;
  // node-gyp must take the headers of the running Node, never download them (DESIGN: Install).
  const prefix = resolve(dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  return { ...env, ...extra };
}

let npmCliPath;

/** Runs a command; returns { status, stdout, out } where out is stdout then stderr (for messages). */
function run(cmd, args, { cwd, env = cleanEnv(), timeoutMs = 240_000 } = {}) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  const stdout = r.stdout ?? '';
  const out = `${stdout}${r.stderr ?? ''}`;
  if (r.error) return { status: -1, stdout, out: `${out}\n${r.error.message}` };
  return { status: r.status ?? -1, stdout, out: r.signal ? `${out}\nkilled by ${r.signal}` : out };
}
const npm = (args, opts) => run(process.execPath, [(npmCliPath ??= npmCli()), ...args], opts);
const tail = (text, n = 25) => text.trim().split('\n').slice(-n).map((l) => `    | ${l}`).join('\n');

function walk(dir, keep) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, keep));
    else if (keep(p)) out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 1. Inputs of the tarball: the prebuild and dist/

/** The shipped prebuilds, built as `npm pack` builds them (package.json "prepack": scripts/prebuild.mjs). */
function ensurePrebuild() {
  const started = Date.now();
  const done = ensurePrebuilds({ say, env: cleanEnv() });
  if (done.includes('built')) say(`prebuilds built in ${seconds(Date.now() - started)}`);
}

/**
 * Builds dist/ only when a lib/ source is newer than its declarations (npm run build:ts bundles
 * the modules, then writes every module's .d.ts) or an entry point is missing.
 */
function ensureDist() {
  const entries = ['index', 'testing', 'vitest', 'vitest/matchers', 'cli', 'internal'].map((e) => join(root, 'dist', `${e}.js`));
  const stale = walk(join(root, 'lib'), (p) => p.endsWith('.ts') && !p.endsWith('.d.ts')).filter((ts) => {
    const dts = join(root, 'dist', relative(join(root, 'lib'), ts)).replace(/\.ts$/, '.d.ts');
    return !existsSync(dts) || statSync(dts).mtimeMs < statSync(ts).mtimeMs;
  });
  stale.push(...entries.filter((js) => !existsSync(js)));
  if (stale.length === 0) {
    say('dist/ is up to date');
    return;
  }
  say(`dist/ is stale (${relative(root, stale[0])}${stale.length > 1 ? ` and ${stale.length - 1} more` : ''}): npm run build:ts…`);
  const r = npm(['run', 'build:ts'], { cwd: root });
  if (r.status !== 0) throw new Error(`npm run build:ts failed (exit ${r.status}); \`npm pack\` runs it as prepare, so the package cannot be published:\n${tail(r.out)}`);
}

// ---------------------------------------------------------------------------------------------
// 2. The tarball and what it holds

function pack(dest) {
  // prepare (= build:ts) already ran through ensureDist; skipping it here keeps dist/ untouched.
  const r = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dest], { cwd: root });
  if (r.status !== 0) throw new Error(`npm pack failed (exit ${r.status}):\n${tail(r.out)}`);
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  const { filename, files, size, unpackedSize } = json[0];
  say(`packed ${filename}: ${files.length} files, ${(size / 1024).toFixed(0)} kB (${(unpackedSize / 1024).toFixed(0)} kB unpacked)`);
  return { tgz: join(dest, filename), files: files.map((f) => f.path) };
}

/** What is wrong with a tarball's file list (paths as `npm pack --json` gives them); [] if nothing. */
export function tarballProblems(files) {
  const problems = [];
  const fail = (msg) => problems.push(msg);
  const has = new Set(files);
  const need = (path, why) => has.has(path) || fail(`tarball lacks ${path} (${why})`);
  for (const f of ['package.json', 'README.md', 'LICENSE', 'SECURITY.md', 'CHANGELOG.md', 'binding.gyp', 'CMakeLists.txt', 'scripts/install.mjs']) need(f, 'a shipped file');
  for (const t of SHIPPED) need(t.path, `the ${t.platform}-${t.arch} prebuild`);
  // What package.json points at must be inside: exports, types, main, bin.
  const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin ?? {})];
  for (const entry of Object.values(pkg.exports)) targets.push(...(typeof entry === 'string' ? [entry] : Object.values(entry)));
  for (const t of targets) need(t.replace(/^\.\//, ''), 'named by package.json');
  // The install script compiles from these when asked: every source binding.gyp names.
  const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'));
  for (const src of gyp.targets.flatMap((t) => t.sources)) need(src, 'a source in binding.gyp');
  for (const h of readdirSync(join(root, 'native')).filter((f) => f.endsWith('.h'))) need(`native/${h}`, 'a native header');
  // dist/ holds the bundled entry points (dist/NAME.js, from lib/NAME.ts, with its .d.ts), the
  // chunks they share (dist/chunks/), and the declarations of every lib/ module, none stale.
  for (const js of files.filter((f) => f.startsWith('dist/') && !f.startsWith('dist/chunks/') && f.endsWith('.js'))) {
    if (!has.has(js.replace(/\.js$/, '.d.ts'))) fail(`tarball has ${js} without its .d.ts`);
    const src = join(root, 'lib', js.slice('dist/'.length).replace(/\.js$/, '.ts'));
    if (!existsSync(src)) fail(`tarball has ${js} but lib/ has no ${relative(root, src)} (a stale build output; rebuild dist/ from scratch)`);
  }
  for (const dts of files.filter((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))) {
    const src = join(root, 'lib', dts.slice('dist/'.length).replace(/\.d\.ts$/, '.ts'));
    if (!existsSync(src)) fail(`tarball has ${dts} but lib/ has no ${relative(root, src)} (a stale build output; rebuild dist/ from scratch)`);
  }
  for (const ts of walk(join(root, 'lib'), (p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))) {
    const lib = relative(root, ts);
    need(`dist/${lib.slice('lib/'.length).replace(/\.ts$/, '.d.ts')}`, `the declarations of ${lib}`);
  }
  for (const chunk of files.filter((f) => f.startsWith('dist/chunks/'))) {
    if (!/^dist\/chunks\/[a-z][a-z0-9-]*\.js$/.test(chunk)) fail(`tarball has ${chunk}, not a chunk rolldown writes (dist/chunks/NAME.js)`);
  }
  const forbidden = [
    [/(^|\/)test\/|\.test\.[cm]?[jt]s$/, 'tests'],
    [/\.map$/, 'source maps'],
    [/^build\//, 'the build/ dir'],
    [/^(lib|bench|examples|node_modules|\.ci|\.coord|docs)\/(?!packaging\.md$|daemon\.mjs$)/, 'a source or tooling dir'],
    [/(?<!\.d)\.ts$/, 'TypeScript sources'],
  ];
  for (const f of files) for (const [re, what] of forbidden) if (re.test(f)) fail(`tarball ships ${what}: ${f}`);
  for (const f of files.filter((p) => p.startsWith('prebuilds/') && !p.endsWith('.node'))) fail(`tarball ships a non-addon file under prebuilds/: ${f}`);
  // The README that ships links only to files that ship (issue 23: docs/packaging.md, examples/daemon.mjs).
  for (const [, target] of readFileSync(join(root, 'README.md'), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
    if (!/^[a-z]+:/i.test(target)) need(target.replace(/^\.\//, ''), 'linked from README.md');
  }
  return problems;
}

/** ELF e_machine of each architecture a prebuild ships for. */
const ELF_MACHINE = { x64: 62, arm64: 183 };

/** What is wrong with the prebuilds' files: each must be an ELF shared object for its architecture. */
export function prebuildProblems(read = (path) => readFileSync(join(root, path))) {
  const problems = [];
  for (const t of SHIPPED) {
    let bytes;
    try { bytes = read(t.path); } catch { problems.push(`${t.path}: missing`); continue; }
    if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46) { problems.push(`${t.path}: not an ELF file`); continue; }
    const machine = bytes.readUInt16LE(18);
    if (bytes.readUInt16LE(16) !== 3) problems.push(`${t.path}: not a shared object (ELF type ${bytes.readUInt16LE(16)})`);
    if (machine !== ELF_MACHINE[t.arch]) problems.push(`${t.path}: ELF machine ${machine}, not ${ELF_MACHINE[t.arch]} (${t.arch})`);
  }
  return problems;
}

function checkContents(files) {
  const problems = [...tarballProblems(files), ...prebuildProblems()];
  for (const p of problems) fail(p);
  if (problems.length === 0) say(`tarball contents: bundled dist/ entry points and chunks, every module's .d.ts, native sources, binding.gyp, CMakeLists.txt, install script, prebuilds (${SHIPPED.map((t) => `${t.arch} ELF`).join(', ')}), docs — no tests, maps or build/`);
}

// ---------------------------------------------------------------------------------------------
// 3. Consumers

const ESM_CHECK = `import * as lc from 'linux-caps';
import { readFileSync } from 'node:fs';
const threads = lc.caps.threads();
console.log(JSON.stringify({
  threads: threads.length,
  everyThreadHasSets: threads.every((t) => typeof t.tid === 'number' && t.effective instanceof lc.CapSet),
  backend: lc.backendKind(),
  text: lc.formatCaps({ effective: ['cap_chown'], permitted: ['cap_chown'] }),
  roundTrip: lc.formatCaps(lc.parseCaps('cap_net_raw,cap_chown+ep cap_kill+i')),
  addon: readFileSync('/proc/self/maps', 'utf8').split('\\n').map((l) => l.split(/\\s+/)[5]).find((p) => p && p.endsWith('.node')),
  vitest: import.meta.resolve('linux-caps/vitest'),
}));
`;
const CJS_CHECK = `const lc = require('linux-caps');
const { readFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const threads = lc.caps.threads();
console.log(JSON.stringify({
  threads: threads.length,
  everyThreadHasSets: threads.every((t) => typeof t.tid === 'number' && t.effective instanceof lc.CapSet),
  backend: lc.backendKind(),
  text: lc.formatCaps({ effective: ['cap_chown'], permitted: ['cap_chown'] }),
  roundTrip: lc.formatCaps(lc.parseCaps('cap_net_raw,cap_chown+ep cap_kill+i')),
  addon: readFileSync('/proc/self/maps', 'utf8').split('\\n').map((l) => l.split(/\\s+/)[5]).find((p) => p && p.endsWith('.node')),
  vitest: pathToFileURL(require.resolve('linux-caps/vitest')).href,
}));
`;
// Run as `npm run path-probe`: @npmcli/run-script builds the same PATH for it as for install scripts.
const PATH_PROBE = `const { accessSync, constants, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const found = [];
for (const dir of (process.env.PATH || '').split(':')) for (const c of ['gcc', 'g++', 'cc', 'c++', 'make', 'clang']) {
  try { accessSync(join(dir, c), constants.X_OK); found.push(join(dir, c)); } catch {}
}
writeFileSync('install-path.json', JSON.stringify({ path: process.env.PATH, compilers: found }));
`;

// A consumer's own test and type-check, with its dev tools (vitest, typescript, @types/node)
// linked from this checkout rather than downloaded: the matchers must register through
// `import 'linux-caps/vitest'`, and both entry points must type-check from ESM and CommonJS.
const VITEST_CONSUMER_TEST = `import { expect, it } from 'vitest';
import 'linux-caps/vitest';
import { caps, formatCaps } from 'linux-caps';

it('linux-caps/vitest matchers, registered by the import', () => {
  expect('self').toBeUniformAcrossThreads();
  expect(process.pid).toHaveCapabilities(formatCaps(caps.threads()[0]));
  expect(() => expect(process.pid).toHaveCapabilities('cap_chown,cap_kill=ep cap_net_raw+i')).toThrow();
});
`;
const TYPES_ESM = `import { caps, CapSet, CapsError, formatCaps, type ThreadState } from 'linux-caps';
import { expect } from 'vitest';
import 'linux-caps/vitest';
const threads: ThreadState[] = caps.threads();
const s: CapSet = CapSet.of('cap_chown');
const text: string = formatCaps({ effective: s, permitted: s });
const code: string = new CapsError({ code: 'EPERM', message: 'x' }).code;
expect('self').toBeUniformAcrossThreads();
expect(process.pid).toHaveCapabilities('cap_chown=ep');
// @ts-expect-error the matchers are typed: a misspelt one is an error
expect('self').toBeUniformAcrossThreadz();
export { threads, text, code };
`;
const TYPES_CJS = `import lc = require('linux-caps');
const threads: number = lc.caps.threads().length;
export = threads;
`;

function consumerDevTools(project, env, label) {
  const tools = join(root, 'node_modules');
  symlinkSync(join(tools, 'vitest'), join(project, 'node_modules', 'vitest'));
  mkdirSync(join(project, 'test'));
  writeFileSync(join(project, 'test', 'caps.test.mjs'), VITEST_CONSUMER_TEST);
  const vt = run(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot'], { cwd: project, env });
  if (vt.status !== 0 || !/1 passed/.test(vt.out)) fail(`${label}: a consumer's vitest run with linux-caps/vitest failed (exit ${vt.status}):\n${tail(vt.out)}`);
  else say(`${label}: a consumer's vitest run: the linux-caps/vitest matchers pass and fail as they should`);
  writeFileSync(join(project, 'types.mts'), TYPES_ESM);
  writeFileSync(join(project, 'types.cts'), TYPES_CJS);
  const tsconfig = {
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(tools, '@types')] },
    files: ['types.mts', 'types.cts'],
  };
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
  const tsc = run(process.execPath, [join(tools, 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project, env });
  if (tsc.status !== 0) fail(`${label}: a consumer's tsc (nodenext, ESM and CommonJS) found type errors:\n${tail(tsc.out)}`);
  else say(`${label}: a consumer's tsc --module nodenext type-checks linux-caps and linux-caps/vitest from ESM and CommonJS`);
  strictConsumerTypes(project, env, label);
}

// What \`tsc --init\` writes (TypeScript 6 and 7: types [] and no skipLibCheck, so the package's
// own .d.ts are checked and must find @types/node by themselves), checked with both versions:
// TypeScript 7 is npm's latest, 6 is what builds the package (issue 23).
const STRICT_CONSUMER = `import { launch, caps, dropPrivileges, type LaunchedProcess } from 'linux-caps';
const child: LaunchedProcess = launch('/bin/true');
child.on('exit', (code: number | null) => { void code; });
const n: number = caps.threads().length + child.pid;
export { n, dropPrivileges };
`;

function strictConsumerTypes(project, env, label) {
  const dir = join(project, 'strict-types');
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.mts'), STRICT_CONSUMER);
  const tsconfig = {
    compilerOptions: { module: 'nodenext', target: 'esnext', types: [], strict: true, noEmit: true, skipLibCheck: false,
      noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, verbatimModuleSyntax: true, isolatedModules: true },
    files: ['main.mts'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const [name, pkg] of [['TypeScript 6', 'typescript'], ['TypeScript 7', 'typescript7']]) {
    const bin = join(root, 'node_modules', pkg, 'bin', 'tsc');
    const version = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
    const tsc = run(process.execPath, [bin, '-p', 'tsconfig.json'], { cwd: dir, env });
    if (tsc.status !== 0) fail(`${label}: ${name} (${version}) with tsc --init's strict defaults found type errors in a consumer:\n${tail(tsc.out)}`);
    else say(`${label}: ${name} (${version}), tsc --init defaults (types [], skipLibCheck off): a consumer type-checks`);
  }
}

function makeProject(dir, name) {
  mkdirSync(dir, { recursive: true });
  // What `npm init -y` writes, plus a probe of the PATH npm hands to scripts.
  const manifest = { name, version: '1.0.0', private: true, description: 'linux-caps consumer', scripts: { 'path-probe': 'node path-probe.cjs' } };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'check.mjs'), ESM_CHECK);
  writeFileSync(join(dir, 'check.cjs'), CJS_CHECK);
  writeFileSync(join(dir, 'path-probe.cjs'), PATH_PROBE);
}

/** A bin dir with only what npm and the install script run: node and sh (no compiler, no make). */
function compilerFreeBin(dir) {
  mkdirSync(dir, { recursive: true });
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync('/bin/sh', join(dir, 'sh'));
  const probe = run('/bin/sh', ['-c', 'for c in gcc g++ cc c++ make clang; do command -v "$c" && exit 1; done; exit 0'], { env: { PATH: dir } });
  if (probe.status !== 0) throw new Error(`the compiler-free PATH still finds a compiler: ${probe.out.trim()}`);
  say(`compiler-free PATH ${dir}: ${readdirSync(dir).join(', ')}; command -v finds none of gcc g++ cc c++ make clang`);
  return dir;
}

function install(project, tgz, env, label) {
  const started = Date.now();
  const r = npm(['install', tgz, '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts'], { cwd: project, env });
  const ms = Date.now() - started;
  if (r.status !== 0) {
    fail(`${label}: npm install failed (exit ${r.status}):\n${tail(r.out, 40)}`);
    return { ms, out: r.out, ok: false };
  }
  say(`${label}: npm install took ${seconds(ms)}`);
  return { ms, out: r.out, ok: true };
}

/** The calls every consumer makes, from ESM and from CommonJS, and the CLI. */
function useTheInstall(project, env, label, expectedAddon) {
  const pkgDir = join(project, 'node_modules', 'linux-caps');
  for (const [file, how] of [['check.mjs', 'import()'], ['check.cjs', 'require()']]) {
    const r = run(process.execPath, [file], { cwd: project, env });
    if (r.status !== 0) {
      fail(`${label}: ${how} of linux-caps failed (exit ${r.status}):\n${tail(r.out)}`);
      continue;
    }
    let got;
    try {
      got = JSON.parse(r.stdout.trim().split('\n').pop());
    } catch {
      fail(`${label}: ${file} printed no JSON:\n${tail(r.out)}`);
      continue;
    }
    const wrong = [];
    if (!(got.threads >= 1) || !got.everyThreadHasSets) wrong.push(`caps.threads() gave ${got.threads} threads`);
    if (got.backend !== 'native') wrong.push(`backend is ${got.backend}, not native`);
    if (got.text !== 'cap_chown=ep') wrong.push(`formatCaps gave ${JSON.stringify(got.text)}, not "cap_chown=ep"`);
    // libcap 2.66: cap_to_text(cap_from_text("cap_net_raw,cap_chown+ep cap_kill+i")) prints this.
    if (got.roundTrip !== 'cap_kill=i cap_chown,cap_net_raw+ep') wrong.push(`parseCaps→formatCaps gave ${JSON.stringify(got.roundTrip)}`);
    if (got.addon !== join(pkgDir, expectedAddon)) wrong.push(`the addon mapped is ${got.addon}, not ${join(pkgDir, expectedAddon)}`);
    if (got.vitest !== `file://${join(pkgDir, 'dist', 'vitest.js')}`) wrong.push(`linux-caps/vitest resolves to ${got.vitest}`);
    if (wrong.length) fail(`${label}: ${how}: ${wrong.join('; ')}`);
    else say(`${label}: ${how} ok — ${got.threads} threads on the native backend, addon ${relative(project, got.addon)}, formatCaps → ${got.text}, linux-caps/vitest resolves`);
  }
  const cli = run(join(project, 'node_modules', '.bin', 'linux-caps'), ['print', '--json'], { cwd: project, env });
  let printed;
  try {
    printed = JSON.parse(cli.stdout);
  } catch {
    /* reported below */
  }
  if (cli.status !== 0 || !printed) fail(`${label}: linux-caps print --json failed (exit ${cli.status}) or printed no JSON:\n${tail(cli.out)}`);
  else if (!Array.isArray(printed.threads) || printed.threads.length < 1 || typeof printed.current !== 'string') fail(`${label}: linux-caps print --json lists no threads: ${cli.out.slice(0, 300)}`);
  else say(`${label}: node_modules/.bin/linux-caps print --json ok — ${printed.threads.length} threads, current "${printed.current}"`);
}

/** LINUX_CAPS_BACKEND=model: the same calls answer from the model, and no addon is loaded at all. */
function modelWhenAsked(project, env, label) {
  const r = run(process.execPath, ['check.mjs'], { cwd: project, env: { ...env, LINUX_CAPS_BACKEND: 'model' } });
  let got;
  try {
    got = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    /* reported below */
  }
  if (r.status !== 0 || !got) fail(`${label}: LINUX_CAPS_BACKEND=model: import() failed (exit ${r.status}):\n${tail(r.out)}`);
  else if (got.backend !== 'model' || got.addon !== undefined || !(got.threads >= 1) || got.text !== 'cap_chown=ep') {
    fail(`${label}: LINUX_CAPS_BACKEND=model gave backend ${got.backend}, ${got.threads} threads, addon ${got.addon ?? 'none'}`);
  } else say(`${label}: LINUX_CAPS_BACKEND=model ok — backend 'model', ${got.threads} simulated threads, no addon loaded`);
}

function prebuildPath(work, tgz) {
  const label = 'prebuild path';
  const project = join(work, 'consumer-prebuild');
  makeProject(project, 'consumer-prebuild');
  const bin = compilerFreeBin(join(work, 'bin-no-compiler'));
  const env = cleanEnv({ PATH: bin });
  const result = install(project, tgz, env, label);
  if (!result.ok) return result;
  const pkgDir = join(project, 'node_modules', 'linux-caps');
  const ran = npm(['run', '--silent', 'path-probe'], { cwd: project, env });
  if (ran.status !== 0) throw new Error(`${label}: npm run path-probe failed:\n${tail(ran.out)}`);
  const probe = JSON.parse(readFileSync(join(project, 'install-path.json'), 'utf8'));
  if (probe.compilers.length) fail(`${label}: npm's script PATH reached a compiler: ${probe.compilers.join(', ')}`);
  else say(`${label}: the PATH npm gave install scripts (${probe.path.split(delimiter).length} dirs) holds no compiler`);
  if (!/using the prebuilt addon/.test(result.out)) fail(`${label}: the install log does not say the prebuild was used:\n${tail(result.out)}`);
  if (existsSync(join(pkgDir, 'build'))) fail(`${label}: the install created ${join(pkgDir, 'build')} (it compiled?)`);
  useTheInstall(project, env, label, prebuildRel);
  modelWhenAsked(project, env, label);
  consumerDevTools(project, env, label);
  return result;
}

function sourcePath(work, tgz) {
  const label = 'build-from-source path';
  const project = join(work, 'consumer-source');
  makeProject(project, 'consumer-source');
  const env = cleanEnv({ npm_config_build_from_source: 'true' });
  const result = install(project, tgz, env, label);
  if (!result.ok) return result;
  const built = join(project, 'node_modules', 'linux-caps', 'build', 'Release', 'linux_caps.node');
  const log = result.out.match(/linux-caps: addon built in [\d.]+ s/);
  if (!log) fail(`${label}: the install log does not say the addon was built:\n${tail(result.out)}`);
  if (!existsSync(built)) fail(`${label}: ${built} does not exist after the install`);
  if (log && existsSync(built)) say(`${label}: "${log[0]}", ${relative(project, built)} exists`);
  useTheInstall(project, cleanEnv(), label, 'build/Release/linux_caps.node');
  return result;
}

// ---------------------------------------------------------------------------------------------

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    say(`the addon ships for linux-x64 only; nothing to test on ${process.platform}-${process.arch}`);
    return 0;
  }
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'linux-caps-pack-test-'));
  const times = {};
  try {
    ensurePrebuild();
    ensureDist();
    const { tgz, files } = pack(work);
    checkContents(files);
    times.prebuild = prebuildPath(work, tgz).ms;
    times.source = sourcePath(work, tgz).ms;
  } catch (err) {
    fail(err.message);
  } finally {
    if (process.env.LINUX_CAPS_PACK_TEST_KEEP === '1') say(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  say(`install times: prebuild path ${times.prebuild === undefined ? '—' : seconds(times.prebuild)} (no compiler on PATH), build-from-source path ${times.source === undefined ? '—' : seconds(times.source)}; whole test ${seconds(Date.now() - started)}`);
  if (failures.length) {
    console.log(`pack-test: ${failures.length} failure(s):\n${failures.map((f) => `  - ${f.split('\n')[0]}`).join('\n')}`);
    return 1;
  }
  say('ok');
  return 0;
}

// Run when executed (`node scripts/pack-test.mjs`); test/package/package.test.ts also imports tarballProblems.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
