/**
 * readProcessThreads and listProcesses when tasks exit or refuse mid-read: node:fs is replaced
 * so that one thread vanishes (ENOENT or ESRCH) and one cannot be read (EACCES) at will.
 */
import { describe, expect, it, vi } from 'vitest';

const failures = new Map<string, string>();
const garbled = new Set<string>();
const kernelCount = { threads: 4 };
const procSelf = { pid: '4242' };

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const fail = (path: string, syscall: string) => {
    const code = failures.get(path);
    if (code === undefined) return;
    const errno = ({ ENOENT: -2, ESRCH: -3, EACCES: -13 } as Record<string, number>)[code]!;
    throw Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, errno, syscall, path });
  };
  return {
    ...real,
    readdirSync: ((path: string, ...rest: unknown[]) => {
      if (path === '/proc/4242/task') return ['4242', '4243', '4244', '4245'];
      if (path === '/proc') return ['self', '1', '4242', '4243', 'sys'];
      return (real.readdirSync as (...a: unknown[]) => unknown)(path, ...rest);
    }) as typeof real.readdirSync,
    readFileSync: ((path: string, ...rest: unknown[]) => {
      fail(String(path), 'open');
      if (garbled.has(String(path))) return 'Name:\tsvc\nTgid:\tnot-a-number\n';
      const m = /^\/proc\/(\d+)(?:\/task\/(\d+))?\/status$/.exec(String(path));
      if (m && (m[1] === '4242' || m[1] === '4243' || m[1] === '1')) return statusText(Number(m[1]), Number(m[2] ?? m[1]));
      return (real.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
    }) as typeof real.readFileSync,
    // Everything under /proc is on procfs here; a task that exited is gone for statfs too.
    statfsSync: ((path: string, ...rest: unknown[]) => {
      if (!String(path).startsWith('/proc')) return (real.statfsSync as (...a: unknown[]) => unknown)(path, ...rest);
      const code = failures.get(String(path));
      if (code === 'ENOENT' || code === 'ESRCH') fail(String(path), 'statfs');
      return { type: 0x9fa0 };
    }) as typeof real.statfsSync,
    readlinkSync: ((path: string) => {
      if (path === '/proc/self') return procSelf.pid;
      if (path === '/proc/self/ns/user' || path === '/proc/1/ns/user') return 'user:[4026531837]';
      if (path === '/proc/4242/ns/user') return 'user:[4026532999]';
      throw Object.assign(new Error('EACCES'), { code: 'EACCES', errno: -13, syscall: 'readlink' });
    }) as typeof real.readlinkSync,
  };
});

function statusText(tgid: number, pid: number): string {
  return [
    'Name:\tsvc', 'State:\tS (sleeping)', `Tgid:\t${tgid}`, `Pid:\t${pid}`, 'PPid:\t1', 'Uid:\t0\t0\t0\t0', 'Gid:\t0\t0\t0\t0',
    'Groups:\t', 'VmSize:\t 100 kB', 'CapInh:\t0000000000000000', 'CapPrm:\t0000000000000400', 'CapEff:\t0000000000000400',
    'CapBnd:\t000001ffffffffff', 'CapAmb:\t0000000000000000', 'NoNewPrivs:\t0', 'Seccomp:\t0', `Threads:\t${kernelCount.threads}`, '',
  ].join('\n');
}

const { readProcessThreads, listProcesses } = await import('../../lib/index.js');

describe('tasks that exit or refuse while they are read', () => {
  it('skips threads that vanished and reports the one it could not read', () => {
    failures.clear();
    failures.set('/proc/4242/task/4243/status', 'ENOENT');
    failures.set('/proc/4242/task/4244/status', 'ESRCH');
    failures.set('/proc/4242/task/4245/status', 'EACCES');
    const { threads, unreadable } = readProcessThreads(4242);
    expect(threads.map((t) => t.tid)).toEqual([4242]);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]!.tid).toBe(4245);
    expect(unreadable[0]!.error).toMatchObject({ code: 'EACCES', errno: -13, syscall: 'open', path: '/proc/4242/task/4245/status' });
  });

  it('reports a thread whose status does not parse as unreadable, with the parse error', () => {
    failures.clear();
    failures.set('/proc/4242/task/4243/status', 'ENOENT');
    failures.set('/proc/4242/task/4245/status', 'ENOENT');
    garbled.add('/proc/4242/task/4244/status');
    const { threads, unreadable } = readProcessThreads(4242);
    garbled.clear();
    expect(threads.map((t) => t.tid)).toEqual([4242]);
    expect(unreadable.map((u) => [u.tid, u.error.code, u.error.expected, u.error.path])).toEqual([
      [4244, 'ERR_CAPS_PROC_PARSE', 'Tgid', '/proc/4242/task/4244/status'],
    ]);
    expect(unreadable[0]!.error.message).toBe('/proc/4242/task/4244/status line 2: Tgid: "not-a-number" is not a decimal number');
  });

  it('refuses a task listing that a steady Threads: count contradicts (ERR_CAPS_NO_PROCFS)', () => {
    failures.clear();
    kernelCount.threads = 5;
    try {
      expect(() => readProcessThreads(4242)).toThrow(expect.objectContaining({ code: 'ERR_CAPS_NO_PROCFS', message: expect.stringMatching(/lists 4 task\(s\) but \/proc\/4242\/status counts 5 threads/) }));
    } finally {
      kernelCount.threads = 4;
    }
  });

  it('refuses a /proc that does not list the caller (ERR_CAPS_NO_PROCFS), instead of an empty or foreign list', () => {
    failures.clear();
    procSelf.pid = '9999';
    try {
      expect(() => listProcesses()).toThrow(expect.objectContaining({ code: 'ERR_CAPS_NO_PROCFS', message: expect.stringMatching(/does not list this process \(9999\)/) }));
    } finally {
      procSelf.pid = '4242';
    }
  });

  it('lists processes, skipping one that exited, marking another user namespace', () => {
    failures.clear();
    failures.set('/proc/4243/status', 'ESRCH');
    const { processes, unreadable } = listProcesses();
    expect(unreadable).toEqual([]);
    expect(processes.map((p) => p.pid)).toEqual([1, 4242]);
    expect(processes.map((p) => p.inChildUserNamespace)).toEqual([false, true]);
    expect(processes[1]).toMatchObject({ user: 'root', command: 'svc', ppid: 1, userNamespace: 'user:[4026532999]' });
    expect(processes[1]!.permitted.names()).toEqual(['cap_net_bind_service']);
  });

  it('lists a process it cannot read as unreadable', () => {
    failures.clear();
    failures.set('/proc/4242/status', 'EACCES');
    const { processes, unreadable } = listProcesses();
    expect(processes.map((p) => p.pid)).toEqual([1, 4243]);
    expect(unreadable.map((u) => [u.pid, u.error.code])).toEqual([[4242, 'EACCES']]);
  });
});
