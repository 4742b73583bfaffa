/**
 * The tests type-check against lib/ (tsconfig.tests.json, strict like lib/): a file moved or a
 * name changed in lib/ fails here, by name, instead of as a runtime import error somewhere.
 * (test/vitest/matchers-dist.test.ts imports the compiled matchers, which would declare vitest's
 * Matchers twice beside lib/vitest.ts; test/win32 runs under the Windows Node.)
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

describe('types', () => {
  it('lib/ and test/ type-check together, with no error', () => {
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.tests.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
