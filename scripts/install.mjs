#!/usr/bin/env node
// Install step of linux-caps.
//   - off Linux: nothing to build; the model backend serves (every result says backend: 'model').
//   - on Linux with a prebuilt addon for this platform (prebuilds/, shipped in the package): use it,
//     no compiler needed — unless npm_config_build_from_source is set.
//   - otherwise build with node-gyp against the headers of the Node running this script (never a
//     download): the package's own node-gyp in a checkout, npm's bundled one when installed as a
//     dependency. In a checkout it rebuilds only when binding.gyp or native/ changed (`--force`: always).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const fromSource = /^(1|true|yes)$/i.test(process.env.npm_config_build_from_source ?? '');
const say = (msg) => console.log(`linux-caps: ${msg}`);

if (process.platform !== 'linux') {
  say(`no addon on ${process.platform}: the model backend will serve (every result says backend: 'model')`);
  process.exit(0);
}

// The prebuilds are for glibc: on musl (no glibc version in Node's report) the addon is built here.
const onGlibc = Boolean(process.report?.getReport()?.header?.glibcVersionRuntime);
const prebuildDir = join(root, 'prebuilds', `linux-${process.arch}`);
const prebuilt = onGlibc && existsSync(prebuildDir) ? readdirSync(prebuildDir).find((f) => f.endsWith('.glibc.node')) : undefined;
const isCheckout = existsSync(join(root, '.git'));
if (prebuilt && !fromSource && !force && !isCheckout) {
  say(`using the prebuilt addon prebuilds/linux-${process.arch}/${prebuilt} (set npm_config_build_from_source=true to compile)`);
  process.exit(0);
}

const built = join(root, 'build', 'Release', 'linux_caps.node');
function newestSource() {
  const files = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}
if (!force && !fromSource && existsSync(built) && statSync(built).mtimeMs >= newestSource()) {
  say(`addon up to date at ${built}`);
  process.exit(0);
}

// node-gyp must use the local Node's headers: point it at this Node's prefix unless npm did.
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
}

function findNodeGyp() {
  try {
    return createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    return bundled && existsSync(bundled) ? bundled : undefined;
  }
}
/** The build tools node-gyp needs that are not on PATH (CXX, when set, names the compiler). */
function missingTools() {
  const onPath = (cmd) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, cmd)));
  const compiler = process.env.CXX ? [process.env.CXX.split(/\s+/)[0]] : ['g++', 'c++', 'clang++'];
  const lacking = [];
  if (!compiler.some((c) => (c.includes('/') ? existsSync(c) : onPath(c)))) lacking.push('a C++ compiler (g++)');
  if (!onPath('make')) lacking.push('make');
  if (!(process.env.PYTHON && existsSync(process.env.PYTHON)) && !onPath('python3')) lacking.push('python3');
  return lacking;
}
const lacking = missingTools();
if (lacking.length > 0) {
  const why = onGlibc ? `no prebuilt addon for linux-${process.arch}` : 'no prebuilt addon for this libc (prebuilds are for glibc)';
  console.error(`linux-caps: ${why}, and building one needs ${lacking.join(', ')}: install them (Debian/Ubuntu: apt-get install g++ make python3; Alpine: apk add g++ make python3) and run npm install again`);
  process.exit(1);
}

const gyp = findNodeGyp();
if (!gyp) {
  console.error('linux-caps: cannot build the addon: node-gyp was not found (install through npm, which bundles it)');
  process.exit(1);
}
const started = Date.now();
say(`building the addon with node-gyp${fromSource ? ' (build from source asked)' : ''}…`);
const run = spawnSync(process.execPath, [gyp, 'rebuild', '--release'], { cwd: root, env, stdio: 'inherit' });
if (run.status !== 0) {
  console.error(`linux-caps: node-gyp failed (exit ${run.status ?? run.signal}); on Linux the addon is required (g++, make and python3 are needed to build it)`);
  process.exit(run.status ?? 1);
}
say(`addon built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
