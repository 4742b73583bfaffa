/**
 * What the model backend does differently on a non-Linux Node. Runs only under the Windows
 * build of Node (`npm run test:win32`, scripts/test-win32.mjs copies it in as a .test.ts): no
 * addon and no process.getuid, no /proc, no /etc/passwd, Windows paths for simulated files.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { caps, containerProfile, dropPrivileges, fileCaps, backendKind, launch, listProcesses, model, readProcessStatus, readProcessThreads, useBackend } from 'linux-caps';

afterEach(() => { useBackend('model'); }); // a fresh simulated process for the next test

describe(`the model backend on ${process.platform}`, () => {
  it('serves by itself: no addon, no process.getuid; a simulated root process of 11 threads', () => {
    expect(process.platform).toBe('win32');
    expect(typeof process.getuid).toBe('undefined');
    expect(backendKind()).toBe('model');
    expect(caps.threads()).toHaveLength(11);
    expect(caps.get().uid.effective).toBe(0);
    expect(caps.verify().uniform).toBe(true);
  });

  it('has no /proc: reading a process, listing processes or a container profile says so', () => {
    for (const read of [() => readProcessThreads(process.pid), () => readProcessStatus('self'), () => listProcesses(), () => containerProfile()]) {
      expect(read).toThrow(expect.objectContaining({ code: 'ERR_CAPS_NO_PROCFS', message: expect.stringContaining('there is no /proc on win32') }));
    }
  });

  it('resolves root and nobody from its simulated accounts, and nothing from a /etc/passwd', () => {
    const r = dropPrivileges({ user: 'nobody', keep: ['cap_net_bind_service'] });
    expect(r).toMatchObject({ uid: 65534, gid: 65534, groups: [65534], backend: 'model' });
    expect(r.threads.every((t) => t.uid.effective === 65534 && t.permitted.toString() === 'cap_net_bind_service')).toBe(true);
    useBackend('model');
    // www-data exists in a Debian /etc/passwd, which wine shows as Z:\etc\passwd: not read here.
    expect(() => dropPrivileges({ user: 'www-data', keep: [] })).toThrow(expect.objectContaining({
      code: 'ERR_CAPS_UNKNOWN_USER', message: expect.stringContaining("the model's simulated accounts (root, nobody; no /etc/passwd is read on win32)"),
    }));
    expect(caps.get().uid.effective).toBe(0); // refused before anything changed
  });

  it('keeps file capabilities on simulated files, named by any path (a Windows one too); a real file is not one', () => {
    useBackend(model.createSimulatedBackend({ files: [{ path: 'C:\\tools\\ping.exe' }] }));
    fileCaps.set('C:\\tools\\ping.exe', 'cap_net_raw=ep');
    expect(fileCaps.get('C:\\tools\\ping.exe')?.text).toBe('cap_net_raw=ep');
    expect(() => fileCaps.get('package.json')).toThrow(expect.objectContaining({ code: 'ENOENT', reason: expect.stringContaining('only simulated files') }));
  });

  it('cannot start processes: launch() refuses with ERR_CAPS_UNSUPPORTED', () => {
    expect(() => launch('cmd.exe', ['/c', 'exit'])).toThrow(expect.objectContaining({ code: 'ERR_CAPS_UNSUPPORTED' }));
  });
});
