/**
 * `linux-caps/vitest/matchers`: the capability matchers without registering them, for suites
 * that choose when (or under which names) to extend `expect`:
 *
 *     import { expect } from 'vitest';
 *     import { capabilityMatchers } from 'linux-caps/vitest/matchers';
 *     expect.extend(capabilityMatchers);
 *
 * Nothing here imports vitest at run time (it is a peer dependency); the types join vitest's
 * Matchers interface as `linux-caps/vitest` does.
 */
import type {} from 'vitest';
import type { CapSetInput } from '../vocabulary/capset.js';
import { toHaveCapabilities, type CapabilityExpectation, type SetName } from './has-capabilities.js';
import { toBeUniformAcrossThreads } from './uniform.js';

export { toHaveCapabilities, toBeUniformAcrossThreads };
export type { CapabilityExpectation, SetName };
export type { CapabilitySubject, CapabilityStateLike, MatcherResult } from './subject.js';
export { SET_NAMES } from './has-capabilities.js';

/**
 * The matchers, for `expect.extend(capabilityMatchers)`: `linux-caps/vitest` registers them on import, this entry point does not.
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * expect.extend(capabilityMatchers);   // from linux-caps/vitest/matchers: registers nothing by itself
 */
export const capabilityMatchers = {
  /** `expect(pid).toHaveCapabilities('cap_net_bind_service=ep')`: every thread holds exactly these sets. */
  toHaveCapabilities,
  /** `expect(pid).toBeUniformAcrossThreads()`: every thread's sets, nnp and ids are equal. */
  toBeUniformAcrossThreads,
};


interface CapabilityMatchers<R = unknown> {
  /**
   * Every thread of the received pid ('self', a thread state, or an array of states) holds
   * exactly these capabilities: libcap text fixes effective, permitted and inheritable; an
   * object fixes only the sets it names.
   */
  toHaveCapabilities(expected: string | Partial<Record<SetName, CapSetInput>>): R;
  /** Every thread of the received pid (or array of states) holds the same credentials. */
  toBeUniformAcrossThreads(): R;
}

// vitest's documented way to type custom matchers: they join its Matchers interface.
declare module 'vitest' {
  interface Matchers<T = any> extends CapabilityMatchers<T> {}
}
