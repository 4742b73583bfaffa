/**
 * Writes to the thread's own /proc/self files in the model: the open check of uid_map, gid_map
 * and setgroups (who owns them depends on the dumpable flag, lib/model/modern/dumpable.ts) and
 * the setgroups file itself (kernel-semantics §2.8, §2.9).
 */
import type { Cred, Transition } from './types.js';
import { EACCES, EINVAL, EPERM } from './types.js';
import { capable, idsMappedIn } from './userns.js';
import { DUMPABLE_RULE, dumpableOf, procFileOwner } from './dumpable.js';
import { CAP_DAC_OVERRIDE, CAP_SYS_ADMIN } from '../../vocabulary/abi.js';

/**
 * Opening one's own `/proc/self/{uid_map,gid_map,setgroups}` for writing: the files are 0644,
 * owned by the task's euid:egid while it is dumpable and by root of its memory's namespace when
 * it is not. The VFS check is by fsuid: the owner may write; anyone else needs CAP_DAC_OVERRIDE
 * in its namespace with the owner's uid and gid mapped there. Returns a refusal (EACCES) or undefined.
 */
export function procSelfWriteDenied(cred: Cred, file: string): Transition<Cred> | undefined {
  const owner = procFileOwner(cred);
  if (cred.fsuid === owner.uid) return undefined;
  const dac = capable(cred, cred.ns, CAP_DAC_OVERRIDE);
  const ownerMapped = idsMappedIn(cred.ns, owner.uid, owner.gid);
  if (dac && ownerMapped) return undefined;
  const override = dac ? `cap_dac_override does not help: uid ${owner.uid} is not mapped in this namespace` : 'cap_dac_override is not in E';
  if (!owner.dumpable) {
    return {
      state: cred, errno: -EACCES, rule: DUMPABLE_RULE,
      reason: `the task is not dumpable (dumpable ${dumpableOf(cred)}: a change of euid, egid, fsuid or fsgid, a set-id exec, or PR_SET_DUMPABLE 0), so /proc/self/${file} belongs to root of the namespace the process last exec'd in (uid ${owner.uid}), not to fsuid ${cred.fsuid}; ${override}`,
    };
  }
  return {
    state: cred, errno: -EACCES, rule: 'kernel-semantics §2.8 (open of /proc/self files)',
    reason: `/proc/self/${file} is 0644 and owned by the euid ${owner.uid}; fsuid ${cred.fsuid} differs and ${override}`,
  };
}

/**
 * Writing `deny` or `allow` to the thread's own `/proc/self/setgroups` (kernel/user_namespace.c
 * `proc_setgroups_open/write`): opening for write needs CAP_SYS_ADMIN over the namespace
 * (EACCES); `allow` after `deny` is EPERM (deny is permanent); `deny` once a gid map exists is
 * EPERM (so always in the initial namespace). A child namespace inherits `deny`.
 */
export function writeSetgroups(cred: Cred, value: 'deny' | 'allow'): Transition<Cred> {
  const rule = 'kernel-semantics §2.8 (setgroups)';
  if (value !== 'deny' && value !== 'allow') return { state: cred, errno: -EINVAL, rule, reason: `setgroups takes "allow" or "deny", not ${JSON.stringify(value)}` };
  const dac = procSelfWriteDenied(cred, 'setgroups');
  if (dac) return dac;
  if (!capable(cred, cred.ns, CAP_SYS_ADMIN)) return { state: cred, errno: -EACCES, rule, reason: 'opening setgroups for writing needs cap_sys_admin over the namespace' };
  if (value === 'allow') {
    if (cred.ns.setgroupsDenied === true) return { state: cred, errno: -EPERM, rule, reason: 'setgroups cannot be allowed again once denied' };
    return { state: cred, result: 0, rule };
  }
  if (cred.ns.parent === null || cred.ns.gidMap.length > 0) return { state: cred, errno: -EPERM, rule, reason: 'setgroups can be denied only before gid_map is written' };
  if (cred.ns.setgroupsDenied === true) return { state: cred, result: 0, rule };
  return { state: { ...cred, ns: { ...cred.ns, setgroupsDenied: true } }, result: 0, rule };
}

