/**
 * The stand-ins the published bundle exports for the calls it loads on first use
 * (lib/operations/on-demand/public-lazy.ts): each answers as the call or object it stands for.
 * In lib/ the calls load statically; test/package/bundle.test.ts runs the same names from dist/,
 * loaded on demand, and checks that `import 'linux-caps'` loads none of them.
 */
import { realpathSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as real from '../../lib/index.js';
import * as internal from '../../lib/internal.js';

/** The stand-ins by the name the package exports them under (internal.ts prefixes them with `lazy`). */
const lazy: Record<string, unknown> = Object.fromEntries(Object.entries(internal)
  .filter(([key]) => /^lazy[A-Z]/.test(key) && !['lazyNamespace', 'lazyView', 'lazyFunction', 'lazyModel', 'lazyLegacyModel', 'lazyVserverModel', 'lazyFormatExplanation'].includes(key))
  .map(([key, value]) => [key[4]!.toLowerCase() + key.slice(5), value]));
const exported = real as unknown as Record<string, unknown>;
const call = (name: string, ...args: unknown[]): unknown => (lazy[name] as (...a: unknown[]) => unknown)(...args);

/** What a call threw, as code and message (or the value it returned). */
function outcome(run: () => unknown): unknown {
  try {
    return { returned: run() };
  } catch (e) {
    return { code: (e as { code?: string }).code, message: (e as Error).message };
  }
}

describe('the on-demand calls as dist/ exports them', () => {
  it('stand in for package exports of the same names: functions by name, objects by view', () => {
    expect(Object.keys(lazy).length).toBe(30);
    for (const [name, standIn] of Object.entries(lazy)) {
      expect(typeof standIn, name).toBe(typeof exported[name]);
      if (typeof standIn === 'function') expect((standIn as { name: string }).name).toBe(name);
    }
  });

  it.each(['thread', 'caps', 'promises', 'fileCaps', 'capBound'])('%s has the real object’s keys, members and printout, and refuses writes', (name) => {
    const view = lazy[name] as Record<string, unknown>;
    const object = exported[name] as Record<string, unknown>;
    expect(Object.keys(view)).toEqual(Object.keys(object));
    expect(Object.keys(view).length).toBeGreaterThan(1);
    for (const key of Object.keys(object)) expect(view[key]).toBe(object[key]);
    expect(inspect(view)).toBe(inspect(object));
    expect('no-such-member' in view).toBe(false);
    const key = Object.keys(object)[0]!;
    expect(() => { view[key] = () => 0; }).toThrow(TypeError);
    expect(() => { delete view[key]; }).toThrow(TypeError);
    expect(view[key]).toBe(object[key]);
  });

  it('return what the calls return', () => {
    const state = real.thread.get();
    const status = `Name:\tx\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t7\nPid:\t7\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nThreads:\t1\n`;
    const bytes = real.encodeFileCaps({ effective: true, permitted: ['cap_net_raw'], inheritable: [] });
    const cases: Array<[string, unknown[]]> = [
      ['backendKind', []],
      ['parseStatus', [status]],
      ['parsePasswd', ['root:x:0:0:root:/root:/bin/sh\n']],
      ['decodeFileCaps', [bytes]],
      ['encodeFileCaps', [{ effective: false, permitted: ['cap_chown'], inheritable: ['cap_kill'] }]],
      ['diff', [state, { ...state, ambient: real.CapSet.of('cap_chown') }]],
      ['getMode', []],
      ['compareWithReference', [state.bounding, real.DOCKER_DEFAULT_CAPS]],
      ['explain', [{ uid: 0 }, [{ op: 'setuid', uid: 1000 }]]],
      ['planDrop', [{ keep: ['cap_net_bind_service'] }, state]],
      ['toProfile', [{ caps: ['cap_chown'] }, 'systemd']],
      ['parseCaps', ['cap_chown,cap_kill+ep cap_net_raw+i']],
      ['formatCaps', [{ effective: ['cap_chown'], permitted: ['cap_chown', 'cap_kill'], inheritable: [] }]],
      ['parseIAB', ['^cap_net_bind_service,!cap_sys_admin']],
      ['formatIAB', [{ inheritable: ['cap_chown'], ambient: ['cap_chown'], notBounding: ['cap_sys_module'] }]],
    ];
    for (const [name, args] of cases) expect(call(name, ...args), name).toEqual((exported[name] as (...a: unknown[]) => unknown)(...args));
    const file = realpathSync('/bin/true');
    expect((lazy.fileCaps as typeof real.fileCaps).get(file)).toEqual(real.fileCaps.get(file));
    expect((lazy.capBound as typeof real.capBound).read()).toEqual(real.capBound.read());
    expect((lazy.thread as typeof real.thread).get()).toEqual(real.thread.get());
  });

  it('throw what the calls throw, before anything changes', () => {
    const cases: Array<[string, unknown[]]> = [
      ['dropPrivileges', [{ nonsense: true }]],
      ['execInPlace', ['/bin/true', [], { stdio: 'ignore' }]],
      ['launch', ['']],
      ['useBackend', ['nonsense']],
      ['readProcessStatus', [-1]],
      ['parseStatus', [42]],
      ['parseCaps', ['cap_nonsense+p']],
    ];
    for (const [name, args] of cases) {
      const refused = outcome(() => call(name, ...args));
      expect(refused, name).toHaveProperty('code');
      expect(refused, name).toEqual(outcome(() => (exported[name] as (...a: unknown[]) => unknown)(...args)));
    }
  });

  it('launch() gives a LaunchedProcess of the class the package exports', async () => {
    const child = (lazy.launch as typeof real.launch)('/bin/sh', ['-c', 'exit 7'], { stdio: 'ignore' });
    expect(child).toBeInstanceOf(real.LaunchedProcess);
    expect(await child.exited).toEqual({ code: 7, signal: null });
  });

  it('load on first use only, and pass `this` and the arguments through (lazyView, lazyFunction)', () => {
    let loads = 0;
    const view = internal.lazyView(() => { loads++; return { a: 1 }; });
    expect(loads).toBe(0);
    expect(view.a).toBe(1);
    expect(loads).toBe(1);
    const fn = internal.lazyFunction('named', () => function (this: { k: number }, x: number) { return this.k + x; });
    expect(loads).toBe(1);
    expect(fn.name).toBe('named');
    expect(fn.call({ k: 2 }, 3)).toBe(5);
  });
});
