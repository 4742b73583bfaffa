/**
 * The model's public namespaces and formatExplanation, as lib/index.ts exports them. The
 * published bundle swaps this module for public-lazy.ts (rolldown.config.mjs): the same
 * names, whose first use loads the model. The declarations (.d.ts) are this module's.
 */
export { model, legacyModel, vserverModel, formatExplanation } from './surface.js';
