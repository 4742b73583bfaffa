/**
 * The package as published: publint and arethetypeswrong find nothing, and the API reference
 * builds with every public call documented (typedoc treats a gap as an error).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
const npx = (args: string[]) => spawnSync('npx', ['--no-install', ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });

describe('package lint and docs', () => {
  it('publint --strict is clean', () => {
    const r = npx(['publint', '--strict']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/All good/);
  });

  it('attw finds no problem for ESM consumers and bundlers', () => {
    const r = npx(['attw', '--pack', '.', '--profile', 'esm-only']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('typedoc documents every public call (warnings are errors)', () => {
    const r = npx(['typedoc', '--out', 'node_modules/.cache/linux-caps-docs-check']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/\[warning\]/);
  });
});
