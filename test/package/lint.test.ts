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

  it('typedoc requires docs on every kind of export and member, on every entry point (issue 24 §5)', async () => {
    const { readFileSync } = await import('node:fs');
    const config = JSON.parse(readFileSync(`${root}/typedoc.json`, 'utf8')) as { requiredToBeDocumented: string[]; entryPoints: string[]; treatValidationWarningsAsErrors: boolean };
    expect(config.requiredToBeDocumented).toEqual(expect.arrayContaining(['Function', 'Class', 'Method', 'Accessor', 'Constructor', 'Interface', 'Property', 'TypeAlias', 'Variable', 'Namespace']));
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: Record<string, unknown> };
    const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'lib/index.ts' : `lib/${k.slice(2)}.ts`));
    expect([...config.entryPoints].sort()).toEqual(entries.sort());
    expect(config.treatValidationWarningsAsErrors).toBe(true);
  });

  it('typedoc documents every public export, member and property (warnings are errors)', () => {
    const r = npx(['typedoc', '--out', 'node_modules/.cache/linux-caps-docs-check']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/\[warning\]/);
  });
});
