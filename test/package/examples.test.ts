/**
 * Every export of every entry point carries an `@example` (issue 24 §5), and every example is
 * type-checked as a consumer's TypeScript (strict, 'linux-caps' resolved through the package's
 * own exports) and run in a child process, as root here and in CI, so an example that drifts
 * from the API fails here. An example runs with the entry point's names in scope (its own
 * `import` lines are kept, at the top); one whose first line is `// type-check only: <why>` is
 * not run (the vitest matchers need vitest's runner). Credentials change only in the children.
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { consumerProject } from '../helpers/consumer-project.js';
import { isLinux, isRoot, missing } from '../helpers/env.js';

const root = new URL('../..', import.meta.url).pathname;
const ENTRIES = [
  { specifier: 'linux-caps', dts: 'index.d.ts' },
  { specifier: 'linux-caps/vitest', dts: 'vitest.d.ts' },
  { specifier: 'linux-caps/testing', dts: 'testing.d.ts' },
] as const;

interface Example { entry: string; name: string; code: string; runs: boolean; file: string }
interface Entry { specifier: string; values: string[]; types: string[] }

/** The example text of a JSDoc tag, without a Markdown fence. */
function exampleText(tag: ts.JSDocTag): string {
  const text = ts.getTextOfJSDocComment(tag.comment) ?? '';
  return text.replace(/^\s*```\w*\n?/, '').replace(/\n?```\s*$/, '').trim();
}

/**
 * `@example` blocks of a namespace re-exported with `export * as`: its module comment, read from
 * the module's source in lib/ (the .d.ts may put the type imports first and drop it).
 */
function moduleExamples(file: ts.SourceFile): string[] {
  const source = file.fileName.replace(`${root}dist/`, `${root}lib/`).replace(/\.d\.ts$/, '.ts');
  const first = /^\/\*\*([\s\S]*?)\*\//.exec(readFileSync(source, 'utf8').trimStart());
  if (!first) return [];
  const body = first[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n');
  return body.split(/^@example\b/m).slice(1).map((part) => part.split(/^@\w+/m)[0]!.replace(/^\s*```\w*\n?/, '').replace(/\n?```\s*$/, '').trim());
}

function collect(): { examples: Example[]; missingExamples: string[]; entries: Entry[] } {
  const files = ENTRIES.map((e) => join(root, 'dist', e.dts));
  const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const examples: Example[] = [];
  const missingExamples: string[] = [];
  const entries: Entry[] = [];
  for (const [i, entry] of ENTRIES.entries()) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(files[i]!)!)!;
    const values: string[] = [];
    const types: string[] = [];
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const isValue = (symbol.flags & ts.SymbolFlags.Value) !== 0;
      const isClass = (symbol.flags & ts.SymbolFlags.Class) !== 0;
      const generic = (symbol.declarations ?? []).some((d) => (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) && d.typeParameters?.some((p) => !p.default));
      if (isValue) values.push(exported.name);
      // A class is a value and a type; a generic type without defaults cannot be aliased bare.
      if ((!isValue || isClass) && !generic) types.push(exported.name);
      const found = (symbol.declarations ?? []).flatMap((d) => (ts.isSourceFile(d) ? moduleExamples(d) : ts.getJSDocTags(d).filter((t) => t.tagName.text === 'example').map(exampleText)));
      if (found.length === 0) missingExamples.push(`${entry.specifier}: ${exported.name}`);
      found.forEach((code, n) => examples.push({
        entry: entry.specifier, name: exported.name, code, runs: !/^\/\/ type-check only:/.test(code),
        file: `${examples.length}-${entry.specifier.replace(/\W/g, '_')}-${exported.name}-${n}.mts`,
      }));
    }
    entries.push({ specifier: entry.specifier, values, types });
  }
  return { examples, missingExamples, entries };
}

/** The example as a module: its own imports first, then the entry points' names in a scope of their own. */
function moduleSource(example: Example, entries: Entry[]): string {
  const lines = example.code.split('\n');
  const imports = lines.filter((l) => /^import\s/.test(l));
  const body = lines.filter((l) => !/^import\s/.test(l));
  const scope = entries.filter((e) => e.specifier === 'linux-caps' || e.specifier === example.entry).map((e, i) => [
    `import * as __entry${i} from '${e.specifier}';`,
    `const { ${e.values.join(', ')} } = __entry${i};`,
    ...e.types.map((t) => `type ${t} = __entry${i}.${t};`),
  ]);
  const head = scope.map((s) => s[0]!);
  const inner = scope.flatMap((s) => s.slice(1));
  return [...imports, ...head, '{', ...inner, '{', ...body, '}', '}', 'export {};', ''].join('\n');
}

const project = () => consumerProject('linux-caps-examples-');

const { examples, missingExamples, entries } = collect();

describe('an @example on every export, type-checked and run', () => {
  it('every export of every entry point has an @example', () => {
    expect(examples.length).toBeGreaterThan(100);
    expect(missingExamples).toEqual([]);
  });

  it('every example type-checks as a consumer\'s strict TypeScript', () => {
    const dir = project();
    try {
      for (const e of examples) writeFileSync(join(dir, e.file), moduleSource(e, entries));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', target: 'es2022', types: ['node'], skipLibCheck: true },
        files: examples.map((e) => e.file),
      }));
      const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const skip = !isLinux ? 'needs Linux' : missing({ root: isRoot });
  it.skipIf(skip)('every example runs in a child process: exit 0, nothing on stderr', async () => {
    const dir = project();
    try {
      const runnable = examples.filter((x) => x.runs);
      const tmp = join(dir, 'tmp');
      mkdirSync(tmp);
      const failures: string[] = [];
      const runOne = (e: Example) => new Promise<void>((done) => {
        const js = ts.transpileModule(moduleSource(e, entries), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
        const file = join(dir, e.file.replace(/\.mts$/, '.mjs'));
        writeFileSync(file, js);
        // TMPDIR inside the project: what an example makes there (file-caps examples write a
        // capability onto a temp copy) goes when the project is removed, never left in /tmp.
        const child = spawn(process.execPath, [file], { cwd: dir, env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
        child.on('close', (status, signal) => {
          if (status !== 0 || stderr !== '') failures.push(`${e.entry} ${e.name}: exit ${status} ${signal ?? ''}\n${stderr.split('\n').slice(0, 6).join('\n')}`);
          done();
        });
      });
      // Four children at a time: each is a short Node process, most of its time spent starting.
      const queue = [...runnable];
      await Promise.all(Array.from({ length: 4 }, async () => { for (let e = queue.shift(); e; e = queue.shift()) await runOne(e); }));
      expect(runnable.length).toBeGreaterThan(90);
      expect(failures.sort()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
