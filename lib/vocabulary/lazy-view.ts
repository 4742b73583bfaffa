/**
 * A read-only stand-in for an object that loads on first use: what the published bundle exports
 * for a namespace whose code loads on demand (issue 14, start-up). Reading a member, listing the
 * keys or printing it answers from the real object; none can be written, as with a module
 * namespace.
 */

/** Node's util.inspect calls this on the proxy's target: printing shows the real object. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** A view of `load()`'s object (called on first use, then again on each access: keep it cheap). */
export function lazyView<T extends object>(load: () => T): T {
  const target: object = Object.create(null);
  Object.defineProperty(target, INSPECT, { value: () => load(), configurable: true });
  return new Proxy(target, {
    get: (_, key) => Reflect.get(load(), key),
    has: (_, key) => Reflect.has(load(), key),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, key) => {
      const found = Reflect.getOwnPropertyDescriptor(load(), key);
      // A proxy may not report a property its target lacks as non-configurable.
      return found === undefined ? undefined : { ...found, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  }) as T;
}

/**
 * A function named `name` that calls `load()`'s function with the same `this` and arguments:
 * what the published bundle exports for a call whose code loads on its first use.
 */
export function lazyFunction<F extends (...args: never[]) => unknown>(name: string, load: () => F): F {
  const call = function (this: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(load(), this, args);
  };
  Object.defineProperty(call, 'name', { value: name });
  return call as unknown as F;
}
