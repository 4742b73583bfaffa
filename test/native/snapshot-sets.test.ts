/**
 * thread.get() on the kernel reuses the CapSet of a set that did not change since the last
 * snapshot, and makes a new one when either half of its 64-bit mask changed (lib/backend/native/
 * backend.ts, issue 14 goal 5). The changes run in a child process, on its calling thread.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isLinux, isRoot, missing } from '../helpers/env.js';

const dist = new URL('../../dist/index.js', import.meta.url).href;

describe.skipIf(missing({ linux: isLinux, root: isRoot }))('thread.get() snapshots', () => {
  it('share unchanged sets and see a change in the high or low 32 bits of a mask', () => {
    const code = `
      const { thread } = await import(${JSON.stringify(dist)});
      process.setgroups([27, 4, 24]); // the child's own supplementary groups, to read back
      const a = thread.get(), b = thread.get();
      const same = a.effective === b.effective && a.permitted === b.permitted && a.bounding === b.bounding && a.ambient === b.ambient;
      thread.effective.lower('cap_bpf'); // capability 39: the high half only
      const c = thread.get();
      const high = c.effective !== a.effective && !c.effective.has('cap_bpf') && c.effective.has('cap_chown') && c.permitted === a.permitted;
      thread.effective.lower('cap_chown'); // capability 0: the low half only
      const d = thread.get();
      const low = d.effective !== c.effective && !d.effective.has('cap_chown') && !d.effective.has('cap_bpf');
      thread.effective.raise('cap_bpf', 'cap_chown');
      const e = thread.get();
      const { readFileSync } = await import('node:fs');
      const listed = /^Groups:\t(.*)$/m.exec(readFileSync('/proc/thread-self/status', 'utf8'))[1].trim().split(' ').filter(Boolean);
      const groups = Array.isArray(e.groups) && e.groups.join() === listed.join() && e.groups.length === 3;
      console.log(JSON.stringify({ held: a.effective.has('cap_bpf') && a.effective.has('cap_chown'), same, high, low, back: e.effective.equals(a.effective), groups }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ held: true, same: true, high: true, low: true, back: true, groups: true });
  });
});
