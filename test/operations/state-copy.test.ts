/**
 * Issue 24 §1, done when: a full state read from one process (/proc, as a ProcStatus) and
 * applied to another in one `caps.setState` call matches it in /proc, and `diff` of the two is
 * empty. Process A is made by util-linux setpriv (an oracle independent of this library);
 * process B is a fresh node child (test/fixtures/native-steps.mjs).
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { diff, readProcessStatus, type ProcStatus } from '../../lib/index.js';
import { runSteps } from '../fixtures/native-spawn.js';
import { commOf, waitUntil } from '../fixtures/proc-helpers.js';
import { hasCommand, isLinux, isRoot, missing } from '../helpers/env.js';

const skip = missing({ linux: isLinux, root: isRoot, setpriv: hasCommand('setpriv') });
const children: Array<{ kill: () => void }> = [];
afterAll(() => children.forEach((c) => c.kill()));

/** Starts `sleep` under setpriv with a state unlike a fresh root process's, and reads it from /proc once exec'd. */
async function processA(): Promise<ProcStatus> {
  const child = spawn('setpriv', [
    '--inh-caps=+net_raw,+chown', '--ambient-caps=+net_raw', '--bounding-set=-sys_admin,-sys_module,-sys_rawio',
    '--no-new-privs', 'sleep', '60',
  ], { stdio: 'ignore' });
  children.push(child);
  await waitUntil('setpriv to exec sleep', () => commOf(child.pid!) === 'sleep');
  return readProcessStatus(child.pid!);
}

describe.skipIf(skip)('a full state copied from one process to another', () => {
  it('01 caps.setState(ProcStatus of A) in B: B then matches A in /proc, and diff(A, B) is empty', async () => {
    const a = await processA();
    expect(a.ambient.names()).toEqual(['cap_net_raw']);
    expect(a.noNewPrivs).toBe(true);
    const copy = JSON.parse(JSON.stringify({ effective: a.effective, permitted: a.permitted, inheritable: a.inheritable, bounding: a.bounding, ambient: a.ambient, noNewPrivs: a.noNewPrivs }));
    const run = runSteps([
      { call: 'readProcessStatus', args: ['self'] },
      { call: 'caps.setState', args: [copy, { onPartial: 'throw', deadlineMs: 20_000 }] },
      { call: 'readProcessStatus', args: ['self'] },
    ]);
    const before = run.results[0]!.value as ProcStatus;
    expect(diff(a, before).map((d) => d.field)).toEqual(expect.arrayContaining(['ambient', 'bounding', 'inheritable', 'noNewPrivs']));
    expect(run.results[1]!.ok, JSON.stringify(run.results[1])).toBe(true);
    const after = run.results[2]!.value as ProcStatus;
    expect(diff(a, after)).toEqual([]);
    expect(run.verify).toMatchObject({ uniform: true, divergent: [] });
  });
});
