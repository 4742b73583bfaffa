/**
 * The public surface, snapshotted so that a change to it is deliberate (issue 15): every name
 * exported by the entry points, every `model.*` member, and the declaration of every name the
 * entry points export, wherever in dist/ it is declared (read with the TypeScript compiler, so a
 * file moving inside lib/ changes nothing here, and a type changing in any file does).
 * Update on purpose with `npx vitest run test/package/public-api.test.ts -u`, and say so in CHANGELOG.md.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/', import.meta.url);
const kinds = (o: Record<string, unknown>) => Object.keys(o).sort().map((k) => `${k}: ${typeof o[k]}`);

/** `name: declaration` for every export of an entry point's .d.ts, aliases followed to where each is declared. */
function declarationsOf(entry: string): string {
  const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return checker.getExportsOfModule(module).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.flags & ts.SymbolFlags.ValueModule) return `${exported.name}: namespace (${checker.getExportsOfModule(symbol).length} members)`;
    const text = (symbol.declarations ?? []).map((d) => (ts.isVariableDeclaration(d) ? d.parent.getText() : d.getText())).join('\n');
    // Quote style is the emitter's choice (TypeScript 6 and 7 differ), not the API's.
    return `${exported.name}: ${text.replace(/^export (declare )?/gm, '').replace(/"/g, "'")}`;
  }).sort().join('\n\n');
}

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
  it('linux-caps/testing exports exactly these names', async () => {
    expect(kinds(await import(new URL('testing.js', dist).href))).toMatchSnapshot();
  });
  it.each(['index.d.ts', 'vitest.d.ts', 'testing.d.ts'])('the declarations dist/%s exports are unchanged', (file) => {
    expect(declarationsOf(fileURLToPath(new URL(file, dist)))).toMatchSnapshot();
  });
  it('reads declarations through re-exports (the check has teeth)', () => {
    const text = declarationsOf(fileURLToPath(new URL('index.d.ts', dist)));
    expect(text).toMatch(/^CapsError: class CapsError extends Error \{/m);
    expect(text).toMatch(/^model: namespace \(\d+ members\)$/m);
  });
});
