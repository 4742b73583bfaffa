/**
 * The published bundle loads the model on demand (issue 14, start-up): `import 'linux-caps'`
 * and `linux-caps print` reach no module of the model statically, and the first use of
 * `model`, `explain` or the model backend loads it (lib/model/on-demand/load-lazy.ts), in ES modules and
 * in CommonJS alike, as the one instance of each module the rest of the bundle shares.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

/** The files a dist/ module imports statically, and theirs in turn (relative specifiers only). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\b[^\n]*?(?:from\s*)?"(\.{1,2}\/[^"]+)";?$/gm)) visit(resolve(dirname(file), m[1]!));
  };
  visit(join(dist, entry));
  return seen;
}

const relativeNames = (files: Set<string>): string[] => [...files].map((f) => f.slice(dist.length + 1)).sort();

function node(code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: dist });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the model, loaded on demand by the bundle', () => {
  it('is out of what import and the print command load', () => {
    const fromIndex = relativeNames(staticClosure('index.js'));
    expect(fromIndex).toEqual(['chunks/core.js', 'index.js']);
    expect(relativeNames(staticClosure('chunks/print.js'))).not.toContain('chunks/model-rules.js');
    // The command turns the compile cache on before the library loads (lib/cli/compile-cache.ts).
    expect(relativeNames(staticClosure('cli.js'))).not.toContain('chunks/core.js');
    // The check reads imports: the explain command does take the model statically.
    expect(relativeNames(staticClosure('chunks/explain.js'))).toContain('chunks/model-rules.js');
  });

  it('answers model, legacyModel, vserverModel and explain from the one shared instance', () => {
    const r = node(`
      const lib = await import(${JSON.stringify(join(dist, 'index.js'))});
      const surface = await import(${JSON.stringify(join(dist, 'chunks', 'model.js'))});
      const { inspect } = await import('node:util');
      const same = ['model', 'legacyModel', 'vserverModel'].every((name) =>
        Object.keys(lib[name]).length > 10
        && Object.keys(lib[name]).every((k) => lib[name][k] === surface[name][k])
        && inspect(lib[name]) === inspect(surface[name]));
      const text = lib.formatExplanation(lib.explain({ uid: 0 }, [{ op: 'setuid', uid: 1000 }]));
      lib.useBackend('model');
      console.log(JSON.stringify({ same, text: text.includes('setuid'), kind: lib.backendKind(), simulated: surface.isSimulatedBackend(lib.model.createSimulatedBackend()) }));
    `);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ same: true, text: true, kind: 'model', simulated: true });
  });

  it('loads it from CommonJS too (require of the ES module)', () => {
    const code = `const lib = require(${JSON.stringify(join(dist, 'index.js'))}); console.log(lib.model.KERNEL_6_18 === lib.model.kernels['6.18'], Object.keys(lib.legacyModel).length > 10);`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true true');
  });
});
