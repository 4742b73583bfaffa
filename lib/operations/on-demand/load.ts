/**
 * The on-demand calls' surfaces: kernel.ts (thread, caps, the /proc readers, …) and surface.ts
 * (launch, dropPrivileges, fileCaps, capBound, toProfile). Here they are static imports; the
 * published bundle swaps this module for load-lazy.ts, which loads each one's chunk on its first
 * call (rolldown.config.mjs), so that `import 'linux-caps'` compiles neither.
 */
import * as kernel from './kernel.js';
import * as surface from './surface.js';

export type KernelSurface = typeof kernel;
export type OperationsSurface = typeof surface;

/** thread, caps, the /proc readers and the rest of kernel.ts; the first call in dist/ loads them. */
export function loadKernel(): KernelSurface {
  return kernel;
}

/** launch, dropPrivileges, fileCaps, capBound, toProfile; the first call in dist/ loads them. */
export function loadOperations(): OperationsSurface {
  return surface;
}
