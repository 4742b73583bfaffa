/**
 * Types as strict as the runtime (issue 24 §3): test/package/consumer/strict.mts, a consumer's
 * file, type-checks with TypeScript 6 (what builds the package) and 7 (npm's latest) only if
 * every line the runtime would refuse is a type error (an unused @ts-expect-error fails) and
 * every line it takes still compiles. `linux-caps` resolves through the package's exports (dist/).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'linux-caps-strict-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

mkdirSync(join(dir, 'node_modules'));
symlinkSync(root, join(dir, 'node_modules', 'linux-caps'));
for (const dep of ['@types', 'undici-types']) {
  if (existsSync(join(root, 'node_modules', dep))) symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep));
}
writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
copyFileSync(join(root, 'test/package/consumer/strict.mts'), join(dir, 'strict.mts'));
writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
  compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'], exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true },
  files: ['strict.mts'],
}));

describe('a consumer under tsc --strict', () => {
  it.each([['TypeScript 6', 'typescript'], ['TypeScript 7', 'typescript7']])('%s refuses each line the runtime refuses, and takes the rest', (_name, pkg) => {
    const version = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
    const r = spawnSync(process.execPath, [join(root, 'node_modules', pkg, 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
    expect(`${pkg}@${version}: ${r.stdout}${r.stderr}`).toBe(`${pkg}@${version}: `);
    expect(r.status).toBe(0);
  });

  it('the file holds the lines issue 24 names', () => {
    const text = readFileSync(join(root, 'test/package/consumer/strict.mts'), 'utf8');
    expect(text.match(/@ts-expect-error/g)!.length).toBeGreaterThanOrEqual(13);
    for (const line of ["CapSet.from('cap_chown')", "formatCaps({ effective: 'cap_chown' })", "caps.bounding.drop({ onPartial: 'throw' }, 'cap_sys_module')", "'cap_not_a_cap'", 'set({ norot: true })']) {
      expect(text).toContain(line);
    }
  });
});
