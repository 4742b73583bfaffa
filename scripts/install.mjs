#!/usr/bin/env node
// Install step: off Linux, nothing to build (the model backend serves). On Linux, build the
// addon with node-gyp against the headers of the Node that runs this script (never a download).
// `--force` rebuilds always; otherwise only when binding.gyp or a native/ source is newer than
// the built addon (so `npm test` never runs a stale addon, and never rebuilds for nothing).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const say = (msg) => console.log(`linux-caps: ${msg}`);

if (process.platform !== 'linux') {
  say(`no addon on ${process.platform}: the model backend will serve (every result says backend: 'model')`);
  process.exit(0);
}

const built = join(root, 'build', 'Release', 'linux_caps.node');
function newestSource() {
  const files = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}
if (!force && existsSync(built) && !process.env.npm_config_build_from_source && statSync(built).mtimeMs >= newestSource()) {
  say(`addon up to date at ${built}`);
  process.exit(0);
}

// node-gyp must use the local Node's headers: point it at this Node's prefix unless npm did.
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
}

let gyp;
try {
  gyp = createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
} catch {
  console.error('linux-caps: node-gyp is not installed, so the addon cannot be built; run `npm install` in the package');
  process.exit(1);
}
const started = Date.now();
say('building the addon with node-gyp…');
const run = spawnSync(process.execPath, [gyp, 'rebuild', '--release'], { cwd: root, env, stdio: 'inherit' });
if (run.status !== 0) {
  console.error(`linux-caps: node-gyp failed (exit ${run.status ?? run.signal}); the addon is required on Linux`);
  process.exit(run.status ?? 1);
}
say(`addon built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
