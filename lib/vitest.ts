/**
 * `linux-caps/vitest`: capability matchers for vitest. Importing this module registers them:
 *
 *     import 'linux-caps/vitest';
 *     expect(process.pid).toHaveCapabilities('cap_net_bind_service=ep');
 *     expect(child.pid).toHaveCapabilities({ ambient: ['cap_net_raw'] });
 *     expect('self').toBeUniformAcrossThreads();
 *
 * vitest is a peer dependency: this module imports it, the rest of linux-caps never does.
 */
import { expect } from 'vitest';
import type { CapSetInput } from './vocabulary/capset.js';
import { toHaveCapabilities, type CapabilityExpectation, type SetName } from './vitest/has-capabilities.js';
import { toBeUniformAcrossThreads } from './vitest/uniform.js';

export { toHaveCapabilities, toBeUniformAcrossThreads };
export type { CapabilityExpectation, SetName };
export type { CapabilitySubject, CapabilityStateLike, MatcherResult } from './vitest/subject.js';
export { SET_NAMES } from './vitest/has-capabilities.js';

/** The matchers, for `expect.extend(capabilityMatchers)` where the automatic registration is not wanted. */
export const capabilityMatchers = {
  /** `expect(pid).toHaveCapabilities('cap_net_bind_service=ep')`: every thread holds exactly these sets. */
  toHaveCapabilities,
  /** `expect(pid).toBeUniformAcrossThreads()`: every thread's sets, nnp and ids are equal. */
  toBeUniformAcrossThreads,
};

expect.extend(capabilityMatchers);

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
