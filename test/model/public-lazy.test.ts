/**
 * The stand-ins the published bundle exports for the model's namespaces (lib/model/on-demand/public-lazy.ts):
 * each answers as the namespace it stands for, and none can be written. In lib/ the model is
 * loaded statically; test/package/bundle.test.ts runs the same names from dist/, loaded on demand.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as real from '../../lib/index.js';
import {
  lazyFormatExplanation as formatExplanation, lazyLegacyModel as legacyModel, lazyNamespace, lazyModel as model, lazyVserverModel as vserverModel,
} from '../../lib/internal.js';

describe('the model namespaces as dist/ exports them', () => {
  it.each([
    ['model', model, real.model],
    ['legacyModel', legacyModel, real.legacyModel],
    ['vserverModel', vserverModel, real.vserverModel],
  ] as const)('%s has the namespace’s keys, values and printout', (_, lazy, namespace) => {
    expect(Object.keys(lazy)).toEqual(Object.keys(namespace));
    expect(Object.keys(lazy).length).toBeGreaterThan(10);
    for (const key of Object.keys(namespace)) expect((lazy as Record<string, unknown>)[key]).toBe((namespace as Record<string, unknown>)[key]);
    expect({ ...lazy }).toEqual({ ...namespace });
    expect('no-such-export' in lazy).toBe(false);
    expect(inspect(lazy)).toBe(inspect(namespace));
    expect(Object.getPrototypeOf(lazy)).toBe(null);
  });

  it('refuses writes, as a module namespace does', () => {
    const target = model as unknown as Record<string, unknown>;
    expect(() => { target.createKernel = () => 0; }).toThrow(TypeError);
    expect(() => { delete target.createKernel; }).toThrow(TypeError);
    expect(() => Object.defineProperty(model, 'extra', { value: 1 })).toThrow(TypeError);
    expect(model.createKernel).toBe(real.model.createKernel);
  });

  it('calls the model for formatExplanation', () => {
    const explanation = real.explain({ uid: 0 }, [{ op: 'setuid', uid: 1000 }]);
    expect(formatExplanation(explanation)).toBe(real.formatExplanation(explanation));
    expect(formatExplanation(explanation)).toContain('setuid');
  });

  it('builds one stand-in per call, each over the same namespace', () => {
    expect(lazyNamespace('model')).not.toBe(model);
    expect(lazyNamespace('model').KERNEL_6_18).toBe(model.KERNEL_6_18);
  });
});
