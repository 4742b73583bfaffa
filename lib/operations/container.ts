/**
 * containerProfile(): what a process inside a container really holds, compared with the
 * default capability sets of Docker and Podman and with everything the kernel knows.
 */
import { CapSet } from '../vocabulary/capset.js';
import { lastCap } from '../vocabulary/names.js';
import { DOCKER_DEFAULT_CAPS, PODMAN_DEFAULT_CAPS } from '../profiles/defaults.js';
import type { Ids } from '../vocabulary/types.js';
import { checkPid, procRootOf, statusFile, userNamespaceLink, type ProcPid, type ProcReadOptions } from '../proc/read.js';
import { readText, runSync, type Reader } from '../proc/io.js';

/**
 * How a bounding set differs from one reference set.
 * @example
 * const c: ReferenceComparison = compareWithReference(CapSet.of('cap_chown', 'cap_sys_admin'), DOCKER_DEFAULT_CAPS);
 * c.difference;   // '+cap_sys_admin -cap_dac_override …'
 */
export interface ReferenceComparison {
  /** The reference set itself. */
  reference: CapSet;
  /** Capabilities the process may hold that the reference does not grant. */
  added: CapSet;
  /** Capabilities of the reference the process can no longer hold. */
  dropped: CapSet;
  /** Neither added nor dropped: the process's bound is the reference. */
  equal: boolean;
  /** `+cap_sys_admin -cap_mknod` style summary; the empty string when equal. */
  difference: string;
}

/**
 * What containerProfile() reports.
 * @example
 * const profile: ContainerProfile = containerProfile('self');
 * profile.docker.equal;          // true inside a default Docker container
 * profile.inUserNamespace;       // true when rootless
 */
export interface ContainerProfile {
  /** The process read. */
  pid: number;
  /** The bounding set: what any program in this process can ever gain. */
  bounding: CapSet;
  /** E: what it can use now. */
  effective: CapSet;
  /** P: what it can make effective. */
  permitted: CapSet;
  /** I: what may pass through exec. */
  inheritable: CapSet;
  /** The ambient set: what exec keeps for programs without file capabilities. */
  ambient: CapSet;
  /** no_new_privs: setuid bits and file capabilities are ignored at exec. */
  noNewPrivs: boolean;
  /** 0 none, 1 strict, 2 filter (e.g. Docker's default profile); undefined where /proc does not say. */
  seccomp: number | undefined;
  /** True in any user namespace but the initial one (rootless containers, bwrap/unshare -U). */
  inUserNamespace: boolean | undefined;
  /** The `/proc/<pid>/ns/user` link, where readable. */
  userNamespace: string | undefined;
  /** User ids. */
  uid: Ids;
  /** Group ids. */
  gid: Ids;
  /** The bounding set compared with Docker's default set (DOCKER_DEFAULT_CAPS). */
  docker: ReferenceComparison;
  /** The bounding set compared with Podman's default set (PODMAN_DEFAULT_CAPS). */
  podman: ReferenceComparison;
  /** The bounding set compared with every capability this kernel knows (a privileged container). */
  full: ReferenceComparison;
}

/**
 * Compares a bounding set with a reference set.
 * @example
 * compareWithReference(readProcessStatus('self').bounding, PODMAN_DEFAULT_CAPS).added.names();
 */
export function compareWithReference(bounding: CapSet, reference: CapSet): ReferenceComparison {
  const added = bounding.minus(reference);
  const dropped = reference.minus(bounding);
  const difference = [...added.names().map((n) => `+${n}`), ...dropped.names().map((n) => `-${n}`)].join(' ');
  return { reference, added, dropped, equal: added.isEmpty && dropped.isEmpty, difference };
}

/**
 * The initial user namespace's nsfs inode: PROC_USER_INIT_INO = 0xEFFFFFFD
 * (include/linux/proc_ns.h), a constant since Linux 3.8.
 */
const INIT_USER_NS_LINK = `user:[${0xeffffffd}]`;

/**
 * Is pid in a user namespace other than the initial one? From its ns/user link where readable;
 * otherwise from its uid_map (the initial namespace maps every uid: `0 0 4294967295`).
 */
function* userNamespaceOf(root: string, pid: ProcPid): Reader<{ link: string | undefined; nonInitial: boolean | undefined }> {
  const link = yield* userNamespaceLink(root, pid);
  if (link !== undefined) return { link, nonInitial: link !== INIT_USER_NS_LINK };
  try {
    const map = (yield* readText(`${root}/${pid}/uid_map`)).trim().split(/\s+/);
    return { link, nonInitial: !(map.length === 3 && map[0] === '0' && map[1] === '0' && map[2] === '4294967295') };
  } catch {
    return { link, nonInitial: undefined };
  }
}

/**
 * Profiles this process (default) or `pid`: all five capability sets, no_new_privs, the
 * seccomp mode, whether it runs in a non-initial user namespace, and its bounding set compared
 * with Docker's default (DOCKER_DEFAULT_CAPS), Podman's (PODMAN_DEFAULT_CAPS) and the full set
 * of this kernel (`lastCap()`). Reads /proc synchronously (`promises.containerProfile` does not
 * block); throws CapsError if pid cannot be read.
  * @example
  * const p = containerProfile(1);
  * console.log(p.docker.equal ? 'Docker defaults' : p.docker.difference);
 */
export function containerProfile(pid: ProcPid = 'self', options?: ProcReadOptions): ContainerProfile {
  checkPid(pid);
  return runSync(profileOf(procRootOf(options), pid));
}

/** containerProfile as a reader. */
export function* profileOf(root: string, pid: ProcPid): Reader<ContainerProfile> {
  const status = yield* statusFile(`${root}/${pid}/status`);
  const ns = yield* userNamespaceOf(root, pid);
  return {
    pid: status.tgid,
    bounding: status.bounding,
    effective: status.effective,
    permitted: status.permitted,
    inheritable: status.inheritable,
    ambient: status.ambient,
    noNewPrivs: status.noNewPrivs,
    seccomp: status.seccomp,
    inUserNamespace: ns.nonInitial,
    userNamespace: ns.link,
    uid: status.uid,
    gid: status.gid,
    docker: compareWithReference(status.bounding, DOCKER_DEFAULT_CAPS),
    podman: compareWithReference(status.bounding, PODMAN_DEFAULT_CAPS),
    full: compareWithReference(status.bounding, CapSet.full(lastCap())),
  };
}
