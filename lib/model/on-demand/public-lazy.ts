/**
 * public.ts as the published bundle has it: `model`, `legacyModel` and `vserverModel` stand in
 * for the model's module namespaces and load the model on first use (load.ts); reading a
 * member, listing the keys or printing one answers from the real namespace, and none can be
 * written. `formatExplanation` loads it when called.
 */
import { loadModel, type ModelSurface } from './load.js';
import { lazyFunction, lazyView } from '../../vocabulary/lazy-view.js';

type Namespaces = Pick<ModelSurface, 'model' | 'legacyModel' | 'vserverModel'>;

/** A read-only view of one of the model's namespaces that loads the model on first use. */
export function lazyNamespace<K extends keyof Namespaces>(name: K): Namespaces[K] {
  return lazyView(() => loadModel()[name]);
}

export const model = lazyNamespace('model');
export const legacyModel = lazyNamespace('legacyModel');
export const vserverModel = lazyNamespace('vserverModel');

export const formatExplanation = lazyFunction('formatExplanation', () => loadModel().formatExplanation);
