/**
 * A consumer's project in a temp dir, for tests that type-check or run code as a user writes it:
 * node_modules/linux-caps is this checkout (its exports map resolves 'linux-caps/…'), beside the
 * type and test packages such code may import. The caller removes the directory.
 */
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

export function consumerProject(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'linux-caps'));
  for (const dep of ['@types', 'vitest', '@vitest', 'vite', 'undici-types', 'expect-type', 'chai', 'tinyrainbow', 'pathe']) {
    if (existsSync(join(root, 'node_modules', dep))) symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep));
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return dir;
}
