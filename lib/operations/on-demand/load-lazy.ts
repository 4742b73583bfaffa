/**
 * load.ts as the published bundle has it: each surface's chunk is loaded by its first call,
 * with require() of an ES module (Node >= 22.12, package.json "engines"), synchronous like the
 * calls themselves. The chunks share one instance of every module with the rest of the bundle
 * (require and import share Node's module cache). Only dist/ runs this: rolldown.config.mjs
 * puts it in place of load.ts, and the paths are relative to dist/chunks/core.js.
 */
import type { KernelSurface, OperationsSurface } from './load.js';

export type { KernelSurface, OperationsSurface };

let kernel: KernelSurface | undefined;
let surface: OperationsSurface | undefined;

const load = (chunk: string): unknown => process.getBuiltinModule('node:module').createRequire(import.meta.url)(chunk);

/** thread, caps, the /proc readers and the rest; the first call loads dist/chunks/kernel.js. */
export function loadKernel(): KernelSurface {
  kernel ??= load('./kernel.js') as KernelSurface;
  return kernel;
}

/** launch, dropPrivileges, fileCaps, capBound, toProfile; the first call loads dist/chunks/operations.js. */
export function loadOperations(): OperationsSurface {
  surface ??= load('./operations.js') as OperationsSurface;
  return surface;
}
