/**
 * `linux-caps/vitest/matchers` (issue 24 §5): the matchers without the registration that
 * `import 'linux-caps/vitest'` does, resolved through the package's own exports map.
 */
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const resolved = createRequire(import.meta.url).resolve('linux-caps/package.json');

describe('linux-caps/vitest/matchers', () => {
  it('exports the matchers and registers nothing until expect.extend', async () => {
    const pkg = (await import(pathToFileURL(resolved).href, { with: { type: 'json' } })).default as { exports: Record<string, { default: string }> };
    const entry = new URL(pkg.exports['./vitest/matchers']!.default, pathToFileURL(resolved)).href;
    const { capabilityMatchers } = await import(entry) as { capabilityMatchers: Record<string, unknown> };
    expect(Object.keys(capabilityMatchers).sort()).toEqual(['toBeUniformAcrossThreads', 'toHaveCapabilities']);
    // Not registered yet: vitest's chai proxy refuses the name.
    expect(() => (expect(1) as unknown as Record<string, unknown>).toHaveCapabilities).toThrow(/Invalid Chai property: toHaveCapabilities/);
    expect.extend(capabilityMatchers as never);
    expect(typeof (expect(1) as unknown as Record<string, unknown>).toHaveCapabilities).toBe('function');
  });
});
