/**
 * One registry of error codes (issue 15), as Node keeps lib/internal/errors.js: every
 * `ERR_CAPS_*` code lib/ throws is in lib/vocabulary/error-codes.ts, every registered code is
 * thrown somewhere, and the README's table is the registry, word for word.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../lib/internal.js';

const root = new URL('../..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('error codes', () => {
  const used = new Map<string, string[]>();
  for (const file of sources(join(root, 'lib'))) {
    if (file.endsWith('vocabulary/error-codes.ts')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/'(ERR_CAPS_[A-Z_]+)'/g)) used.set(m[1]!, [...(used.get(m[1]!) ?? []), relative(root, file)]);
  }

  it('every ERR_CAPS_* code in lib/ is registered', () => {
    expect([...used.keys()].filter((code) => !(code in ERROR_CODES)).map((code) => `${code} (${used.get(code)!.join(', ')})`)).toEqual([]);
  });

  it('every registered code is used', () => {
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
  });

  it("the README's table lists the registry, in order, with the same words", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(ERR_CAPS_\w+)` \| (.*) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(Object.entries(ERROR_CODES));
  });
});
