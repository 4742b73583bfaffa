/**
 * lib/ has no import cycle, type-only imports included (issue 15): the arrows between modules run
 * one way, so a layer can be read, tested and moved without the ones above it. Reads the
 * relative `import … from` / `export … from` specifiers of every lib/**.ts file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const lib = resolve(new URL('../../lib', import.meta.url).pathname);

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

/**
 * The layers of docs/ARCHITECTURE.md, bottom first: a file may import its own group or a group of
 * a lower rank, never one above it. The longest matching prefix names a file's group.
 */
const LAYERS: ReadonlyArray<readonly [string, number]> = [
  ['vocabulary/', 0],
  ['text/', 1], ['accounts/', 1], ['filecaps/', 1],
  ['proc/', 2], ['profiles/', 2],
  ['backend/contract.ts', 3], ['backend/wire.ts', 3],
  ['backend/native/', 4],
  ['model/masks.ts', 5], ['model/citation.ts', 5],
  ['model/modern/', 6], ['model/legacy/', 6],
  ['model/vserver/', 7], ['model/simulated.ts', 7],
  ['model/explain.ts', 8],
  ['model/index.ts', 9],
  ['model/on-demand/', 10],
  ['operations/', 11],
  ['cli/', 12], ['vitest/', 12],
  ['', 13], // the entry points: index.ts, vitest.ts, cli.ts, internal.ts, testing.ts
];
const ENTRY_POINTS = ['cli.ts', 'index.ts', 'internal.ts', 'testing.ts', 'vitest.ts'];

function groupOf(file: string): readonly [string, number] {
  const rel = relative(lib, file);
  return LAYERS.filter(([prefix]) => rel.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0]!;
}

/** Imports that point up a layer: 'from → to' for each. */
function upwardArrows(edges: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of edges) {
    const [g, rank] = groupOf(from);
    for (const to of targets) {
      const [tg, trank] = groupOf(to);
      if (tg !== g && trank >= rank) out.push(`${relative(lib, from)} → ${relative(lib, to)}`);
    }
  }
  return out;
}

describe('lib/ layout', () => {
  it('has only entry points at the top, and every file in a layer', () => {
    const files = sources(lib).map((f) => relative(lib, f));
    expect(files.filter((f) => !f.includes('/')).sort()).toEqual(ENTRY_POINTS);
    expect(files.filter((f) => f.includes('/') && groupOf(join(lib, f))[0] === '')).toEqual([]);
  });

  it('imports only down the layers of docs/ARCHITECTURE.md', () => {
    expect(upwardArrows(graph())).toEqual([]);
    const [contract, select] = [join(lib, 'backend/contract.ts'), join(lib, 'operations/backend.ts')];
    expect(upwardArrows(new Map([[contract, [select]]]))).toEqual(['backend/contract.ts → operations/backend.ts']);
  });

  it('names files by folder, not by prefix (no family of name-*.ts in one folder)', () => {
    const families = new Map<string, number>();
    for (const f of sources(lib)) {
      const m = /^([a-z]+)-/.exec(relative(dirname(f), f));
      if (m) families.set(`${relative(lib, dirname(f)) || '.'}/${m[1]}-*`, (families.get(`${relative(lib, dirname(f)) || '.'}/${m[1]}-*`) ?? 0) + 1);
    }
    expect([...families].filter(([, n]) => n > 1).map(([k]) => k)).toEqual([]);
  });

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

  it('tests live in folders and import lib/ only through its entry points or lib/internal.ts', () => {
    const test = resolve(lib, '..', 'test');
    const all = sources(test).concat(readdirSync(test).filter((n) => n.endsWith('.mjs')).map((n) => join(test, n)));
    expect(readdirSync(test).filter((n) => /\.(ts|mjs)$/.test(n))).toEqual([]);
    const deep: string[] = [];
    for (const file of all) {
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'((?:\.\.\/)+(?:lib|dist)\/[^']+)'/g)) {
        if (!/\/(lib|dist)\/(index|vitest|testing|internal|cli)\.js$/.test(m[1]!)) deep.push(`${relative(test, file)}: ${m[1]}`);
      }
    }
    expect(deep).toEqual([]);
  });
});
