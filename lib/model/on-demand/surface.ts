/**
 * Everything the library outside lib/model/ takes from the model, in one module. Importing
 * linux-caps does not compile the model: dist/ ships this module as its own chunk
 * (dist/chunks/model.js), loaded on the first call that needs it (load.ts).
 */
export * as model from '../index.js';
export * as legacyModel from '../legacy/index.js';
export * as vserverModel from '../vserver/index.js';
export { explain, formatExplanation } from '../explain.js';
export { applyStep, createCred, createKernel, credOpToStep } from '../modern/kernel.js';
export { createSimulatedBackend, isSimulatedBackend } from '../simulated.js';
