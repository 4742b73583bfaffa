/**
 * Choosing a backend (issue 24 §5): the root takes a name or a simulated process and nothing
 * else; the Backend contract and installBackend live in `linux-caps/testing`, resolved here
 * through the package's own exports map.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import type * as Root from '../../lib/index.js';

const require = createRequire(import.meta.url);
const resolved = require.resolve('linux-caps/package.json');
// Node's own loader (require of the ES module), not vitest's: dist/ loads its calls on demand
// with require(), and only Node's one module cache makes that the instance the entries share.
const entry = async (name: string) => {
  const pkg = (await import(pathToFileURL(resolved).href, { with: { type: 'json' } })).default as { exports: Record<string, { default: string }> };
  return require(fileURLToPath(new URL(pkg.exports[name]!.default, pathToFileURL(resolved)))) as Record<string, unknown>;
};

// The package's own entries (dist/), so the root and linux-caps/testing share one selection.
const root = await entry('.') as unknown as typeof Root;

describe('choosing a backend', () => {
  // Never the kernel here: the wrapper below changes keep-caps on the thread it runs on.
  beforeEach(() => { root.useBackend('model'); });

  it('the root has no Backend internals: no getBackend, no installBackend', () => {
    expect(Object.keys(root)).not.toContain('getBackend');
    expect(Object.keys(root)).not.toContain('installBackend');
  });

  it('useBackend takes a name or a simulated process and says which kind answers', () => {
    expect(root.useBackend('model')).toBe('model');
    expect(root.backendKind()).toBe('model');
    const sim = root.model.createSimulatedBackend({ cred: { uid: 1000 } });
    expect(root.useBackend(sim)).toBe('model');
    expect(root.thread.get().uid.real).toBe(1000);
  });

  it('useBackend refuses any other object, naming where a custom Backend goes', async () => {
    const testing = await entry('./testing') as { getBackend: () => Root.SimulatedBackend };
    const lookalike = { ...testing.getBackend() };
    expect(() => root.useBackend(lookalike as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/installBackend/) }));
    expect(() => root.useBackend('kernel' as never)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG', message: expect.stringMatching(/useBackend\("kernel"\)/) }));
  });

  it('linux-caps/testing installs any Backend: a wrapper sees every program the library runs', async () => {
    const testing = await entry('./testing') as {
      getBackend: () => { runOnThread: (p: unknown) => unknown; kind: string };
      installBackend: (b: unknown) => unknown;
    };
    expect(Object.keys(testing).sort()).toEqual(['getBackend', 'installBackend']);
    const real = testing.getBackend();
    expect(real.kind).toBe('model');
    const seen: unknown[] = [];
    const wrapper = { ...real, runOnThread(program: unknown) { seen.push(program); return real.runOnThread(program); } };
    expect(testing.installBackend(wrapper)).toBe(wrapper);
    root.thread.keepCaps.set(true);
    expect(seen).toEqual([[{ op: 'keepCaps.set', on: true }]]);
    expect(() => testing.installBackend({ kind: 'native' })).toThrow(expect.objectContaining({ code: 'ERR_CAPS_INVALID_ARG' }));
  });
});
