/**
 * The legacy and VServer models as the package exports them (`legacyModel`, `vserverModel`),
 * with the README's example.
 */
import { describe, expect, it } from 'vitest';
import {
  legacyModel as L, vserverModel as V, formatCaps,
} from '../../lib/index.js';

describe('public exports of the legacy and VServer models', () => {
  it('runs the README example', () => {
    let sys = L.bootLegacy({ kernel: '2.6.22' });
    sys = L.capset(sys, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: L.NSP }).state;
    sys = L.writeCapBound(sys, 1, '128').state;
    const shell = L.forkTask(sys, 1, 'bash');
    sys = L.execve(shell.state, shell.result!, { name: 'bash' }).state;
    expect(L.readCapBound(sys, shell.result!).result?.text).toBe('128');
    expect(L.getpcapsLine('=', L.capget(sys, shell.result!).result!)).toBe('Capabilities for `=\': =eip cap_setpcap-eip');
    expect(formatCaps(L.capget(sys, 1).result!, { lastCap: 31 })).toBe('=eip cap_setpcap-i');

    const refused = L.capset(sys, shell.result!, { pid: 2, effective: [], permitted: [], inheritable: [] });
    expect(refused).toMatchObject({ errno: -1, rule: 'kernel-semantics §3.4' });
    expect(refused.reason).toMatch(/cap_setpcap/);

    const guest = V.guestCapabilities({ bcapabilities: '!SYS_BOOT\n!AUDIT_WRITE\n' });
    expect(guest.bcaps.toString(16)).toBe('140c05ff');
    expect(() => V.guestCapabilities({ bcapabilities: 'SYS_BOOT, NET_ADMIN\n' })).toThrow("Unknown bcap ' NET_ADMIN'");
  });
});
