/**
 * `linux-caps/vitest`: capability matchers for vitest. Importing this module registers them
 * (`linux-caps/vitest/matchers` has them without registering):
 *
 *     import 'linux-caps/vitest';
 *     expect(process.pid).toHaveCapabilities('cap_net_bind_service=ep');
 *     expect(child.pid).toHaveCapabilities({ ambient: ['cap_net_raw'] });
 *     expect('self').toBeUniformAcrossThreads();
 *
 * vitest is a peer dependency: this module imports it, the rest of linux-caps never does.
 */
import { expect } from 'vitest';
import { capabilityMatchers } from './vitest/matchers.js';

export * from './vitest/matchers.js';

expect.extend(capabilityMatchers);
