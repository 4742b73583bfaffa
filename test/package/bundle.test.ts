/**
 * The published bundle loads the model and the calls (thread, caps, the /proc readers; launch,
 * dropPrivileges, fileCaps, capBound, toProfile) on demand (issue 14, start-up):
 * `import 'linux-caps'` reaches none statically, `linux-caps print` only the kernel calls, and the
 * first use loads them
 * (lib/model/on-demand/load-lazy.ts, lib/operations/on-demand/load-lazy.ts), in ES modules and
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
});

describe('the calls, loaded on demand by the bundle', () => {
  it('are out of what import loads, and print loads only the kernel calls', () => {
    expect(relativeNames(staticClosure('index.js'))).toEqual(['chunks/core.js', 'index.js']);
    expect(relativeNames(staticClosure('chunks/print.js'))).toContain('chunks/kernel-code.js');
    expect(relativeNames(staticClosure('chunks/kernel.js'))).not.toContain('chunks/on-demand.js');
    expect(relativeNames(staticClosure('chunks/print.js'))).not.toContain('chunks/on-demand.js');
    expect(relativeNames(staticClosure('chunks/operations.js'))).toContain('chunks/on-demand.js');
    // The class launch() returns loads with the package: users test with instanceof.
    expect(readFileSync(join(dist, 'chunks', 'core.js'), 'utf8')).toMatch(/\bLaunchedProcess = class\b/);
  });

  it('load on the first call, each group alone, as the one instance of each module the rest of the bundle shares', () => {
    const r = node(`
      // The stand-ins load their chunk with require(): it shows in require.cache (Node >= 20.19).
      const required = () => Object.keys(process.getBuiltinModule('node:module').createRequire(import.meta.url).cache)
        .filter((f) => f.includes('/chunks/')).map((f) => f.slice(f.lastIndexOf('/') + 1)).sort();
      const lib = await import(${JSON.stringify(join(dist, 'index.js'))});
      const before = required();
      const state = lib.thread.get();
      const afterThread = required();
      const kernel = await import(${JSON.stringify(join(dist, 'chunks', 'kernel.js'))});
      const sameKernel = ['thread', 'caps', 'promises'].every((name) => Object.keys(kernel[name]).every((k) => lib[name][k] === kernel[name][k]))
        && lib.caps.get().effective.equals(state.effective) && state.tid > 0;
      const child = lib.launch('/bin/true', [], { stdio: 'ignore' });
      const exit = await child.exited;
      const ops = await import(${JSON.stringify(join(dist, 'chunks', 'operations.js'))});
      const same = ['fileCaps', 'capBound'].every((name) => Object.keys(ops[name]).every((k) => lib[name][k] === ops[name][k]));
      console.log(JSON.stringify({ before, afterThread, sameKernel, afterLaunch: required(), instance: child instanceof lib.LaunchedProcess, exit, same,
        profile: lib.toProfile({ caps: ['cap_chown'] }, 'docker') === ops.toProfile({ caps: ['cap_chown'] }, 'docker') }));
    `);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      before: [], afterThread: ['kernel.js'], sameKernel: true, afterLaunch: ['kernel.js', 'operations.js'],
      instance: true, exit: { code: 0, signal: null }, same: true, profile: true,
    });
  });

  it('load from CommonJS too (require of the ES module)', () => {
    const code = `const lib = require(${JSON.stringify(join(dist, 'index.js'))}); console.log(typeof lib.capBound.read, lib.planDrop({}, lib.thread.get()).steps.length > 0, lib.backendKind());`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function true native');
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
