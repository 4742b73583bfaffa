/**
 * The model's surface (surface.ts), for code outside lib/model/. Here it is a static import;
 * the published bundle swaps this module for load-lazy.ts, which loads the model's chunk on
 * the first call (rolldown.config.mjs), so that `import 'linux-caps'` does not compile it.
 */
import * as surface from './surface.js';

export type ModelSurface = typeof surface;

/** The model's surface; the first call in dist/ loads it. */
export function loadModel(): ModelSurface {
  return surface;
}
