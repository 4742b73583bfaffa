/**
 * `import 'linux-caps/vitest'` loads the compiled dist/vitest.js: importing it alone must
 * register both matchers with the test runner's own `expect`.
 */
import { describe, expect, it } from 'vitest';
import '../../dist/vitest.js';
import { isLinux, missing } from '../helpers/env.js';

describe('the compiled linux-caps/vitest module', () => {
  it('registers its matchers on import', () => {
    const state = { effective: [], permitted: [], inheritable: [] };
    expect(typeof (expect(1) as unknown as Record<string, unknown>).toHaveCapabilities).toBe('function');
    expect(typeof (expect(1) as unknown as Record<string, unknown>).toBeUniformAcrossThreads).toBe('function');
    // A plain object is not a thread state: the matcher says so instead of passing.
    expect(() => expect(state).toHaveCapabilities('=')).toThrow(/expected a pid, 'self', a thread state/);
  });

  it.skipIf(missing({ linux: isLinux }))('matches this process', () => {
    expect('self').toBeUniformAcrossThreads();
    expect(() => expect('self').toHaveCapabilities({ ambient: ['cap_chown'] }))
      .toThrow(new RegExp(`^expected this process \\(pid ${process.pid}\\) to have capabilities \\{ ambient: cap_chown \\}\\n  threads? `));
  });
});
