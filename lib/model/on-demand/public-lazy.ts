/**
 * public.ts as the published bundle has it: `model`, `legacyModel` and `vserverModel` stand in
 * for the model's module namespaces and load the model on first use (load.ts); reading a
 * member, listing the keys or printing one answers from the real namespace, and none can be
 * written. `formatExplanation` loads it when called.
 */
import { loadModel, type ModelSurface } from './load.js';

type Namespaces = Pick<ModelSurface, 'model' | 'legacyModel' | 'vserverModel'>;

/** Node's util.inspect calls this on the proxy's target: printing shows the real namespace. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** A read-only view of one of the model's namespaces that loads the model on first use. */
export function lazyNamespace<K extends keyof Namespaces>(name: K): Namespaces[K] {
  const real = (): object => loadModel()[name];
  const target: object = Object.create(null);
  Object.defineProperty(target, INSPECT, { value: () => real(), configurable: true });
  return new Proxy(target, {
    get: (_, key) => Reflect.get(real(), key),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const found = Reflect.getOwnPropertyDescriptor(real(), key);
      // A proxy may not report a property its target lacks as non-configurable.
      return found === undefined ? undefined : { ...found, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  }) as Namespaces[K];
}

export const model = lazyNamespace('model');
export const legacyModel = lazyNamespace('legacyModel');
export const vserverModel = lazyNamespace('vserverModel');

export const formatExplanation: ModelSurface['formatExplanation'] = (...args) => loadModel().formatExplanation(...args);
