/**
 * Public sources for the model's rules. A rule names a section of the project's kernel notes
 * ('kernel-semantics §2.6', which does not ship); people get the man page section and the
 * kernel function that decides, which they can read themselves.
 */

const MODERN = 'security/commoncap.c';
const SOURCES: ReadonlyArray<readonly [string, string]> = [
  ['§2.2', `capabilities(7); ${MODERN} cap_capable()`],
  ['§2.3', `capget(2); ${MODERN} cap_capset()`],
  ['§2.4', `capabilities(7) "Effect of user ID changes on capabilities"; ${MODERN} cap_task_fix_setuid()`],
  ['§2.5 PR_CAPBSET', `prctl(2) PR_CAPBSET_DROP; ${MODERN} cap_prctl_drop()`],
  ['§2.5 PR_SET_SECUREBITS', `capabilities(7) "The securebits flags"; ${MODERN} cap_task_prctl()`],
  ['§2.5.3', `capabilities(7) "The securebits flags"; include/uapi/linux/securebits.h`],
  ['§2.5', `prctl(2); ${MODERN} cap_task_prctl(), kernel/sys.c prctl()`],
  ['§2.6 (may_exec)', 'execve(2) EACCES; fs/namei.c may_open()'],
  ['§2.6', `capabilities(7) "Transformation of capabilities during execve()"; ${MODERN} cap_bprm_creds_from_file()`],
  ['§2.7', `capabilities(7) "File capability extended attribute versioning"; ${MODERN} get_vfs_caps_from_disk()`],
  ['§2.8', 'user_namespaces(7); kernel/user_namespace.c'],
  ['§2.9 (dumpable)', 'prctl(2) PR_SET_DUMPABLE, proc(5) /proc/sys/fs/suid_dumpable; kernel/cred.c commit_creds(), fs/exec.c begin_new_exec(), fs/proc/base.c task_dump_owner()'],
  ['§2.9', 'capabilities(7)'],
  ['§2', 'capabilities(7)'],
  ['§3.2', 'Linux 2.6.24 kernel/sysctl.c proc_dointvec_bset() (/proc/sys/kernel/cap-bound)'],
  ['§3.4', 'Linux 2.6.24 kernel/capability.c sys_capset(), security/commoncap.c cap_capset_check()'],
  ['§3.5', 'Linux 2.6.24 security/commoncap.c cap_bprm_set_security(), cap_bprm_apply_creds()'],
  ['§3.6', 'Linux 2.6.24 security/commoncap.c cap_task_post_setuid()'],
  ['§3', 'Linux 2.6.24 security/commoncap.c'],
  ['§4.8', 'util-vserver 0.30 scripts/vserver.start (bcapabilities, ccapabilities)'],
  ['§4', 'Linux-VServer 2.3.0.34 patch: kernel/vserver/context.c, include/linux/vs_context.h'],
];

/** 'capabilities(7) …; security/commoncap.c cap_bprm_creds_from_file()' for 'kernel-semantics §2.6 …'. */
export function citeRule(rule: string): string {
  const at = rule.indexOf('§');
  if (at < 0) return rule;
  const section = rule.slice(at);
  const found = SOURCES.find(([prefix]) => section === prefix || section.startsWith(`${prefix} `) || section.startsWith(`${prefix}.`));
  if (found === undefined) return 'capabilities(7)';
  const note = section.slice(found[0].length).replace(/^\.[\d.a-z]*/, '').trim();
  return note === '' ? found[1] : `${found[1]} — ${note}`;
}
