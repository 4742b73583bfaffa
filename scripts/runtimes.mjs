// The other JavaScript runtimes the package is tested under (issue 25), pinned, from npm only:
// installed into .cache/runtimes/<name> when missing (test/runtimes/runtimes.test.ts runs them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCli } from './npm-cli.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each runtime: its npm package and version, the binary inside it, and how it runs a module. */
export const RUNTIMES = {
  bun: { pkg: '@oven/bun-linux-x64', version: '1.4.4', bin: ['@oven', 'bun-linux-x64', 'bin', 'bun'], run: [] },
  // Deno loads a Node-API addon, spawns and reads /proc only with permissions: -A grants them all.
  deno: { pkg: 'deno', version: '2.9.6', bin: ['@deno', 'linux-x64-glibc', 'deno'], run: ['run', '-A'] },
};

/** The runtime's binary, installed from npm when missing or of another version. */
export function runtimeBinary(name) {
  const r = RUNTIMES[name];
  if (!r) throw new Error(`unknown runtime ${name}; known: ${Object.keys(RUNTIMES).join(', ')}`);
  const prefix = join(root, '.cache', 'runtimes', name);
  const bin = join(prefix, 'node_modules', ...r.bin);
  const manifest = join(prefix, 'node_modules', ...r.pkg.split('/'), 'package.json');
  const installed = existsSync(bin) && existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === r.version;
  if (!installed) {
    mkdirSync(prefix, { recursive: true });
    const npm = spawnSync(process.execPath, [npmCli(), 'install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `${r.pkg}@${r.version}`], { encoding: 'utf8' });
    if (npm.status !== 0 || !existsSync(bin)) throw new Error(`npm install ${r.pkg}@${r.version} failed (exit ${npm.status}): ${npm.stderr}`);
  }
  return bin;
}
