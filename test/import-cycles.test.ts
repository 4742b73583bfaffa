/**
 * lib/ has no import cycle, type-only imports included (issue 15): the arrows between modules run
 * one way, so a layer can be read, tested and moved without the ones above it. Reads the
 * relative `import … from` / `export … from` specifiers of every lib/**.ts file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const lib = resolve(new URL('../lib', import.meta.url).pathname);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** file → the lib files it imports (relative specifiers, .js → .ts). */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sources(lib)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gms)]
      .map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    edges.set(file, targets);
  }
  return edges;
}

/** One cycle as a list of files, or undefined. */
function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | undefined => {
    if (state.get(f) === 'done') return undefined;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const t of edges.get(f) ?? []) {
      const c = visit(t);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return undefined;
  };
  for (const f of edges.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return undefined;
}

describe('lib/ layout', () => {
  it('has no import cycle (type-only imports included)', () => {
    const edges = graph();
    expect(edges.size).toBeGreaterThan(50);
    expect([...edges.values()].flat().length).toBeGreaterThan(150); // the reader sees the imports
    expect(findCycle(edges)?.map((f) => relative(lib, f)).join(' → ')).toBeUndefined();
  });

  it('finds a cycle when there is one (the check has teeth)', () => {
    const a = join(lib, 'a.ts');
    const b = join(lib, 'b.ts');
    expect(findCycle(new Map([[a, [b]], [b, [a]]]))?.map((f) => relative(lib, f))).toEqual(['a.ts', 'b.ts', 'a.ts']);
  });
});
