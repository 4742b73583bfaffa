/**
 * Compiles executor.c with gcc into a cache directory keyed by the source's hash, so a run
 * pays for the compiler once. Static when libc.a is there (faster exec, nothing for the
 * dynamic loader to refuse in secure mode), dynamic otherwise.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const projectRoot = resolve(here, '..', '..');

/** Path of a compiled executor for the current source (built now if missing). */
export function buildExecutor(cacheDir = join(projectRoot, '.cache', 'differential')) {
  const source = join(here, 'executor.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const binary = join(cacheDir, `executor-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${binary}.tmp${process.pid}`;
  const common = ['-O2', '-Wall', '-Wextra', '-Werror', '-s', '-o', tmp, source];
  try {
    execFileSync('gcc', ['-static', ...common], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    try {
      execFileSync('gcc', common, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      throw new Error(`gcc could not build ${source}: ${error.stderr?.toString() ?? error.message}`);
    }
  }
  renameSync(tmp, binary);
  // Older builds of other sources are stale (a running one keeps its inode: removing is safe).
  for (const name of readdirSync(cacheDir)) {
    if (/^executor-[0-9a-f]{16}$/.test(name) && join(cacheDir, name) !== binary) rmSync(join(cacheDir, name), { force: true });
  }
  return binary;
}
