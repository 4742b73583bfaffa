/** A thread's state as the model's start credential (explain, launch's refusal reasons). */
import type { CredInit } from '../model/modern/kernel.js';
import type { ThreadState } from '../vocabulary/types.js';

export function credInitOf(t: ThreadState): CredInit {
  return {
    uid: t.uid.real, euid: t.uid.effective, suid: t.uid.saved, fsuid: t.uid.fs,
    gid: t.gid.real, egid: t.gid.effective, sgid: t.gid.saved, fsgid: t.gid.fs, groups: t.groups,
    effective: t.effective, permitted: t.permitted, inheritable: t.inheritable, bounding: t.bounding, ambient: t.ambient,
    securebits: t.securebits ?? 0, noNewPrivs: t.noNewPrivs,
  };
}
