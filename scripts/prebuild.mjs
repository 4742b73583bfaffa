#!/usr/bin/env node
// The prebuilt addons the package ships, built before every `npm pack` / `npm publish`
// (package.json "prepack") and by the package test: today linux-x64 with glibc. Each is built
// in a staging copy (node-gyp rebuild would wipe the checkout's build/) only when it is missing
// or older than native/ and binding.gyp, then moved into prebuilds/ atomically.
// On a host that cannot build one (not Linux x64) it says so and exits 0: the package test
// refuses a tarball without the prebuild, so nothing is published without it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCli } from './npm-cli.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** What the package ships: platform-arch, and the file under prebuilds/. */
export const SHIPPED = [{ platform: 'linux', arch: 'x64', path: `prebuilds/linux-x64/${pkg.name}.glibc.node` }];


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
    if (process.platform !== t.platform || process.arch !== t.arch) {
      say(`cannot build ${t.path} on ${process.platform}-${process.arch}: the tarball will lack it (the package test refuses that)`);
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
      const r = spawnSync(process.execPath, [npmCli(), 'run', 'build:prebuild'], { cwd: stage, env, encoding: 'utf8', maxBuffer: 64 << 20 });
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
