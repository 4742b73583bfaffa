/**
 * load.ts as the published bundle has it: the model's chunk is loaded by the first call, with
 * require() of an ES module (Node >= 22.12, package.json "engines"), which is synchronous like
 * every call that needs the model. The bundle's core chunk and this module's chunk share one
 * instance of every module they both use (require and import share Node's module cache).
 * Only dist/ runs this: rolldown.config.mjs puts it in place of load.ts, and the path is
 * relative to dist/chunks/core.js.
 */
import type { ModelSurface } from './load.js';

export type { ModelSurface };

let surface: ModelSurface | undefined;

/** The model's surface; the first call loads dist/chunks/model.js. */
export function loadModel(): ModelSurface {
  surface ??= process.getBuiltinModule('node:module').createRequire(import.meta.url)('./model.js') as ModelSurface;
  return surface;
}
