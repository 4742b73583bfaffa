// The published dist/: a few bundled ES modules built by rolldown from lib/ (issue 14: start-up).
// tsc writes the .d.ts files beside them (npm run build:ts); nothing here is hand-bundled.
//
//   dist/index.js, testing.js, vitest.js, vitest/matchers.js, cli.js, internal.js  the entry points
//   dist/chunks/core.js        what `import 'linux-caps'` loads: the vocabulary, the constants and the
//                              stand-ins of every call that loads on demand
//   dist/chunks/kernel.js      thread, caps, the /proc readers … (lib/operations/on-demand/kernel.ts),
//                              loaded by the first call that needs one
//   dist/chunks/kernel-code.js their code: one copy of the backend, shared by every entry point
//   dist/chunks/model.js       the model's surface (lib/model/on-demand/surface.ts), loaded on first use
//   dist/chunks/model-rules.js the model itself, shared by that surface, the CLI and internal.js
//   dist/chunks/need-search.js findNeededCaps' search, loaded by its first call
//   dist/chunks/operations.js  launch, dropPrivileges, fileCaps, capBound, toProfile
//                              (lib/operations/on-demand/surface.ts), loaded by the first call
//   dist/chunks/on-demand.js   their code, shared by that surface and the CLI's commands
//   dist/chunks/<command>.js   each CLI command, loaded when it runs
import { dirname, join } from 'node:path';
import { parseAst } from 'rolldown/parseAst';

const ENTRIES = {
  index: 'lib/index.ts',
  testing: 'lib/testing.ts',
  vitest: 'lib/vitest.ts',
  'vitest/matchers': 'lib/vitest/matchers.ts',
  cli: 'lib/cli.ts',
  internal: 'lib/internal.ts',
  'chunks/model': 'lib/model/on-demand/surface.ts',
  'chunks/operations': 'lib/operations/on-demand/surface.ts',
  'chunks/kernel': 'lib/operations/on-demand/kernel.ts',
};

/** The stand-ins that core loads in dist/ in place of their static twins (see below). */
const LAZY = /[\\/]lib[\\/](model|operations)[\\/]on-demand[\\/](load|public)-lazy\.ts$/;

/** Modules of the model: lib/model/ but the lazy stand-ins, which core holds. */
const inModel = (id) => /[\\/]lib[\\/]model[\\/]/.test(id) && !LAZY.test(id);

/** The need search: its own chunk, loaded by findNeededCaps' first call (lib/operations/need/entry.ts). */
const inNeed = (id) => /[\\/]lib[\\/]operations[\\/]need[\\/](find|search)\.ts$/.test(id);

/**
 * The on-demand calls and their code (lib/operations/on-demand/surface.ts): launch/ but the class its
 * calls return, which users test with instanceof and so loads with the package; dropPrivileges,
 * fileCaps, capBound, toProfile; and what only they use.
 */
const inOnDemand = (id) => !LAZY.test(id) && (
  /[\\/]lib[\\/]operations[\\/]launch[\\/](?!launched-process\.ts$)[^\\/]+\.ts$/.test(id)
  || /[\\/]lib[\\/]operations[\\/](privileges|file-caps|capbound|users|thread-cred|on-demand[\\/]surface)\.ts$/.test(id)
  || /[\\/]lib[\\/]profiles[\\/](profile|input)\.ts$/.test(id));

/**
 * What `import 'linux-caps'` loads (the core chunk): the vocabulary (but the capabilities'
 * descriptions, which only the CLI prints), the constants, the class launch() returns, and the
 * stand-ins that load everything else. libcap's text formats load with the kernel calls.
 */
const inCore = (id) => LAZY.test(id)
  || /[\\/]lib[\\/]vocabulary[\\/](?!descriptions\.ts$)/.test(id)
  || /[\\/]lib[\\/]profiles[\\/](types|defaults)\.ts$/.test(id)
  || /[\\/]lib[\\/]operations[\\/](launch[\\/]launched-process|need[\\/]entry)\.ts$/.test(id);

/** The kernel calls' code: all of lib/ but the entry files, the CLI's commands, the model, the need search, the on-demand calls and core. */
const inKernel = (id) => /[\\/]lib[\\/]/.test(id) && !inCore(id) && !inModel(id) && !inNeed(id) && !inOnDemand(id)
  && !/[\\/]lib[\\/]vocabulary[\\/]descriptions\.ts$/.test(id) // the describe command's alone
  && !/[\\/]lib[\\/](cli[\\/]|(cli|index|testing|internal|vitest)\.ts$|vitest[\\/])/.test(id);

/**
 * lib/model/on-demand/ and lib/operations/on-demand/: load.ts and public.ts import the model and
 * the calls statically, which tests and the declarations use; the bundle takes load-lazy.ts and
 * public-lazy.ts instead, which load dist/chunks/model.js, kernel.js or operations.js on the
 * first call that needs it: `import 'linux-caps'` then compiles only the core chunk (issue 14:
 * start-up).
 */
function onDemand() {
  const swapped = /[\\/]lib[\\/](model|operations)[\\/]on-demand[\\/](load|public)\.ts$/;
  return {
    name: 'on-demand',
    async resolveId(source, importer, options) {
      if (importer === undefined || !/^\.\.?\//.test(source)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved === null || !swapped.test(resolved.id)) return null;
      return join(dirname(resolved.id), resolved.id.replace(/^.*[\\/]/, '').replace(/\.ts$/, '-lazy.ts'));
    },
  };
}

/**
 * `import { a } from 'node:fs'` becomes `const { a } = process.getBuiltinModule('node:fs')`.
 * Node builds an ES module facade for a builtin imported with `import`, and building it reads
 * every export, which runs the builtin's lazy getters (node:fs's loads fs/promises and the
 * streams): about 5 ms of start-up for node:fs alone. getBuiltinModule returns the CommonJS
 * exports object itself. Builtins never change their exports, so a snapshot of the binding is
 * the same value a live binding would have.
 */
function builtinsWithoutFacades() {
  return {
    name: 'builtins-without-facades',
    renderChunk(code, _chunk, _options, meta) {
      const edits = [];
      for (const node of parseAst(code).body) {
        if (node.type !== 'ImportDeclaration' || !String(node.source.value).startsWith('node:')) continue;
        const from = JSON.stringify(node.source.value);
        const named = [];
        const whole = [];
        for (const s of node.specifiers) {
          if (s.type === 'ImportSpecifier') {
            const imported = s.imported.type === 'Identifier' ? s.imported.name : s.imported.value;
            named.push(imported === s.local.name ? imported : `${imported}: ${s.local.name}`);
          } else {
            whole.push(s.local.name); // default or namespace import: the module object
          }
        }
        const statements = [
          ...whole.map((name) => `const ${name} = process.getBuiltinModule(${from});`),
          ...(named.length > 0 ? [`const { ${named.join(', ')} } = process.getBuiltinModule(${from});`] : []),
        ];
        edits.push({ start: node.start, end: node.end, text: statements.join(' ') });
      }
      if (edits.length === 0) return null;
      const s = meta.magicString;
      for (const e of edits) s.overwrite(e.start, e.end, e.text);
      return s;
    },
  };
}

export default {
  input: ENTRIES,
  platform: 'node',
  external: [/^node:/, 'vitest', /^@vitest\//, 'node-gyp-build'],
  experimental: { nativeMagicString: true },
  plugins: [onDemand(), builtinsWithoutFacades()],
  output: {
    dir: 'dist',
    format: 'esm',
    sourcemap: true,
    cleanDir: true,
    // Readable code without comments, all ASCII: the source maps lead back to lib/ and its
    // comments. Node then reads and compiles less (about 2 ms of start-up): the code keeps its
    // names and lines, only comments go and non-ASCII characters in strings become escapes.
    comments: false,
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: false, asciiOnly: true } },
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name].js',
    // Groups take their modules' dependencies with them, in this order: core first, and the
    // on-demand calls before the need search, which imports launch().
    codeSplitting: { groups: [{ name: 'core', test: inCore }, { name: 'kernel-code', test: inKernel }, { name: 'model-rules', test: inModel }, { name: 'on-demand', test: inOnDemand }, { name: 'need-search', test: inNeed }] },
  },
};
