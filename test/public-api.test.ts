/**
 * The public surface, snapshotted so that a change to it is deliberate (issue 15): every name
 * exported by the entry points, every `model.*` member, and the entry points' declarations.
 * Update on purpose with `npx vitest run test/public-api.test.ts -u`, and say so in CHANGELOG.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/', import.meta.url);
const kinds = (o: Record<string, unknown>) => Object.keys(o).sort().map((k) => `${k}: ${typeof o[k]}`);

describe('public API', () => {
  it('linux-caps exports exactly these names', async () => {
    expect(kinds(await import(new URL('index.js', dist).href))).toMatchSnapshot();
  });
  it('model.* has exactly these members', async () => {
    const { model } = await import(new URL('index.js', dist).href);
    expect(kinds(model)).toMatchSnapshot();
  });
  it('linux-caps/vitest exports exactly these names', async () => {
    expect(kinds(await import(new URL('vitest.js', dist).href))).toMatchSnapshot();
  });
  it.each(['index.d.ts', 'vitest.d.ts'])('dist/%s is unchanged', (file) => {
    expect(readFileSync(new URL(file, dist), 'utf8')).toMatchSnapshot();
  });
});
