/**
 * State types of the modern kernel model (kernel-semantics §2).
 *
 * Everything here is plain data: sets are bigint masks (bit n = capability n), ids are kernel
 * ids (kuids/kgids, i.e. uids as the initial user namespace sees them), and every transition
 * returns a new object instead of changing its input. The shapes are a contract with the
 * differential harness and the legacy/VServer models: fields may be added, not renamed.
 */

/**
 * Which kernel's rules apply (kernel-semantics §2.6 history note).
 * @example
 * const version: KernelVersion = 'pre-2025';   // the exec rule before 2025
 * explain({ uid: 1000 }, [{ op: 'setuid', uid: 0 }], { kernel: { version } }).steps[0]?.errno;   // -1: EPERM
 */
export type KernelVersion = '6.18' | 'pre-2025';

/**
 * The kernel being modelled.
 * @example
 * const kernel: KernelConfig = model.createKernel({ lastCap: 37 });   // a 5.8 kernel's 38 capabilities
 * model.createCred(kernel).permitted;   // every one of them, for root
 */
export interface KernelConfig {
  /** '6.18' (default): exec compares the new ids with the old *effective* ids (the 2025 fix). 'pre-2025': with the *real* ids. */
  readonly version: KernelVersion;
  /** CAP_LAST_CAP (`/proc/sys/kernel/cap_last_cap`); 40 on 6.18. VALID = {0..lastCap}. */
  readonly lastCap: number;
  /**
   * Whether PR_SET_SECUREBITS may change only the exec bits (0xf00) without CAP_SETPCAP
   * (kernel-semantics §2.5, 6.14+). Default: true for both versions modelled (both are ≥ 6.14).
   */
  readonly execBitsWithoutSetpcap: boolean;
  /** Securebits a PR_SET_SECUREBITS may carry: 0xfff on 6.14+ (kernel-semantics §2.5.3). */
  readonly securebitsMask: number;
  /**
   * `fs.suid_dumpable` (/proc/sys/fs/suid_dumpable): the dumpable value a task gets when a
   * credential change alters its euid, egid, fsuid or fsgid or grows P, and at a set-id exec.
   * 0 (the default), 1 or 2.
   */
  readonly suidDumpable: 0 | 1 | 2;
  /**
   * The deepest user namespace: create_user_ns refuses a child of a namespace whose level is
   * above 32 with ENOSPC, so 33 levels below the initial one (default 33).
   */
  readonly maxUserNamespaceLevel: number;
}

/**
 * One line of /proc/PID/uid_map (or gid_map): ids `inside .. inside+count-1` of the namespace
 * are ids `outside ..` of its *parent* namespace.
 */
export interface IdMapExtent {
  /** First id of the range inside the namespace. */
  readonly inside: number;
  /** The id it maps to in the parent namespace. */
  readonly outside: number;
  /** How many consecutive ids. */
  readonly count: number;
}

/** A user namespace (kernel-semantics §2.2, §2.8). Compared by identity (`id`). */
export interface UserNamespace {
  /** Unique id within one model run (the initial namespace is 0). */
  readonly id: number;
  /** 0 for the initial namespace. */
  readonly level: number;
  /** null for the initial namespace. */
  readonly parent: UserNamespace | null;
  /** kuid of the creator's euid at creation (the owner for the §2.2 rule). */
  readonly owner: number;
  /** kgid of the creator's egid at creation. */
  readonly group: number;
  /** Empty until a map is written; the initial namespace maps everything to itself (see `isInitial`). */
  /** The uid map (empty until written). */
  readonly uidMap: readonly IdMapExtent[];
  /** The gid map (empty until written). */
  readonly gidMap: readonly IdMapExtent[];
  /** The creator had CAP_SETFCAP in E at creation (`parent_could_setfcap`; needed to map the parent's uid 0). */
  readonly parentCouldSetfcap?: boolean;
  /** `/proc/PID/setgroups` is `deny` (inherited by child namespaces); setgroups() is then EPERM. */
  readonly setgroupsDenied?: boolean;
}

/**
 * A thread's credential (kernel-semantics §2.1), plus the task's no_new_privs flag.
 * Ids are kernel ids: they do not change when the thread enters a namespace (§2.8 warning).
  * @example
  * const cred: ModelCred = model.createCred(model.KERNEL_6_18, { uid: 1000, permitted: ['cap_net_raw'] });
  * cred.permitted;   // 8192n: bit 13
 */
export interface Cred {
  /** Real uid (a kernel id). */
  readonly uid: number;
  /** Effective uid. */
  readonly euid: number;
  /** Saved set-uid. */
  readonly suid: number;
  /** Filesystem uid. */
  readonly fsuid: number;
  /** Real gid. */
  readonly gid: number;
  /** Effective gid. */
  readonly egid: number;
  /** Saved set-gid. */
  readonly sgid: number;
  /** Filesystem gid. */
  readonly fsgid: number;
  /** Supplementary groups (kgids). */
  readonly groups: readonly number[];
  /** I, as a mask (bit n: capability n). */
  readonly inheritable: bigint;
  /** P. */
  readonly permitted: bigint;
  /** E. */
  readonly effective: bigint;
  /** The bounding set. */
  readonly bounding: bigint;
  /** The ambient set. */
  readonly ambient: bigint;
  /** The securebits word (kernel-semantics §2.5.3). */
  readonly securebits: number;
  /** no_new_privs. */
  readonly noNewPrivs: boolean;
  /** The user namespace the thread is in. */
  readonly ns: UserNamespace;
  /**
   * The process's dumpable flag (prctl PR_GET_DUMPABLE): 1 (SUID_DUMP_USER, the default when
   * absent), 0 or 2. Not 1: the task's /proc files belong to root of `mmUserNs`, not to its euid.
   */
  readonly dumpable?: 0 | 1 | 2;
  /** The user namespace of the process's memory (set at exec; unshare keeps it). Default: the initial one. */
  readonly mmUserNs?: UserNamespace;
}

/** Decoded `security.capability` (kernel-semantics §2.7). */
export interface FileCaps {
  /** The xattr revision. */
  readonly version: 1 | 2 | 3;
  /** fP, as a mask. */
  readonly permitted: bigint;
  /** fI, as a mask. */
  readonly inheritable: bigint;
  /** The single flag bit: the effective set is raised from P' at exec. */
  readonly effective: boolean;
  /** v3: the owning root uid, as seen in the filesystem's user namespace; 0 for v1/v2. */
  readonly rootid: number;
}

/** A mount, as far as exec cares (kernel-semantics §2.6 steps 0–1). */
export interface MountInfo {
  /** Mounted nosuid: setuid bits and file capabilities are ignored at exec. */
  readonly nosuid: boolean;
  /** The superblock's user namespace; default: the initial namespace. */
  readonly userns?: UserNamespace;
}

/**
 * A file that can be executed in the model.
 * @example
 * const ping: ModelFile = { path: '/bin/ping', uid: 0, gid: 0, mode: 0o755, xattr: encodeFileCaps({ effective: true, permitted: ['cap_net_raw'] }) };
 * explain({ uid: 1000 }, [{ op: 'execve', file: ping }]).result.effective;   // 8192n: ping gets cap_net_raw
 */
export interface ModelFile {
  /** The path (what the model's files are looked up by). */
  readonly path: string;
  /** Owner uid (a kernel id). */
  readonly uid: number;
  /** Owner gid (a kernel id). */
  readonly gid: number;
  /** st_mode permission bits incl. 0o4000 (S_ISUID) and 0o2000 (S_ISGID). */
  readonly mode: number;
  /** The security.capability xattr: raw bytes (validated at exec) or decoded; absent = none. */
  readonly xattr?: Uint8Array | FileCaps;
  /** The mount it is on (default: a plain mount in the initial namespace). */
  readonly mount?: MountInfo;
}

/** Circumstances of an execve besides the file (kernel-semantics §2.6 step 4). */
export interface ExecContext {
  /** The fs struct is shared with another task (CLONE_FS) — an "unsafe" exec. */
  readonly sharedFs?: boolean;
  /** Being ptraced. */
  readonly traced?: boolean;
  /** The tracer has CAP_SYS_PTRACE in the new namespace (then tracing is not unsafe). */
  readonly tracerCapable?: boolean;
  /** false models the `no_file_caps` boot option. Default true. */
  readonly fileCapsEnabled?: boolean;
}

/** What exec reports besides the new credential. */
export interface ExecResult {
  /** AT_SECURE in the auxiliary vector (kernel-semantics §2.6 step 11). */
  readonly atSecure: boolean;
  /** The file caps applied (has_fcap), if any. */
  readonly fileCaps?: FileCaps;
}

/**
 * What every transition returns: the new state (the input unchanged on failure), a negative
 * errno on failure, the syscall's return value where it has one, the spec section applied,
 * and — where a check refused or something notable happened — a sentence naming the caps.
 */
export interface Transition<S = Cred, R = number> {
  /** The state after the step (the state before, unchanged, when it failed). */
  readonly state: S;
  /** The errno, negative, when the step failed. */
  readonly errno?: number;
  /** The syscall's return value where it has one (capget's sets, prctl's answer). */
  readonly result?: R;
  /** e.g. 'kernel-semantics §2.3.3b'. */
  readonly rule: string;
  /** Why it failed, or what notable happened, naming the capabilities. */
  readonly reason?: string;
}

/**
 * One step of a model program (explain(), the differential harness). Numeric arguments are
 * what the syscall receives; uids/gids here are ids *as the thread's namespace sees them*
 * (−1 = "unchanged" where the syscall allows it), mapped to kernel ids by the model.
  * @example
  * const steps: ModelStep[] = [{ op: 'setresuid', ruid: 1000, euid: 1000, suid: 1000 }, { op: 'prctl', option: 8, arg2: 1 }];
  * explain({}, steps).steps.map((s) => s.op);   // ['setresuid', 'prctl PR_SET_KEEPCAPS']
 */
export type ModelStep =
  | {
    /** capget(2): reads a thread's E, P and I. */
    readonly op: 'capget';
    /** The header version (default _LINUX_CAPABILITY_VERSION_3). */
    readonly version?: number;
    /** The thread to read (0 or absent: the caller). */
    readonly pid?: number;
    /** A NULL data pointer: only the version is checked (how libcap probes it). */
    readonly probe?: boolean;
  }
  | {
    /** capset(2): sets E, P and I. */
    readonly op: 'capset';
    /** The header version (default _LINUX_CAPABILITY_VERSION_3). */
    readonly version?: number;
    /** The target (0 or absent: the caller; anything else is refused since 2.6.25). */
    readonly pid?: number;
    /** The new E. */
    readonly effective: bigint;
    /** The new P. */
    readonly permitted: bigint;
    /** The new I. */
    readonly inheritable: bigint;
  }
  | {
    /** prctl(2) with raw arguments (PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_SECUREBITS, …). */
    readonly op: 'prctl';
    /** The PR_* option. */
    readonly option: number;
    /** Second argument. */
    readonly arg2?: number;
    /** Third argument. */
    readonly arg3?: number;
    /** Fourth argument. */
    readonly arg4?: number;
    /** Fifth argument. */
    readonly arg5?: number;
  }
  | {
    /** setuid(2). */
    readonly op: 'setuid';
    /** The uid. */
    readonly uid: number;
  }
  | {
    /** setreuid(2). */
    readonly op: 'setreuid';
    /** The real uid (as the thread's namespace sees it; -1: unchanged). */
    readonly ruid: number;
    /** The effective uid (as the thread's namespace sees it; -1: unchanged). */
    readonly euid: number;
  }
  | {
    /** setresuid(2). */
    readonly op: 'setresuid';
    /** The real uid (as the thread's namespace sees it; -1: unchanged). */
    readonly ruid: number;
    /** The effective uid (as the thread's namespace sees it; -1: unchanged). */
    readonly euid: number;
    /** The saved uid (as the thread's namespace sees it; -1: unchanged). */
    readonly suid: number;
  }
  | {
    /** setfsuid(2). */
    readonly op: 'setfsuid';
    /** The filesystem uid. */
    readonly fsuid: number;
  }
  | {
    /** setgid(2). */
    readonly op: 'setgid';
    /** The gid. */
    readonly gid: number;
  }
  | {
    /** setregid(2). */
    readonly op: 'setregid';
    /** The real gid (as the thread's namespace sees it; -1: unchanged). */
    readonly rgid: number;
    /** The effective gid (as the thread's namespace sees it; -1: unchanged). */
    readonly egid: number;
  }
  | {
    /** setresgid(2). */
    readonly op: 'setresgid';
    /** The real gid (as the thread's namespace sees it; -1: unchanged). */
    readonly rgid: number;
    /** The effective gid (as the thread's namespace sees it; -1: unchanged). */
    readonly egid: number;
    /** The saved gid (as the thread's namespace sees it; -1: unchanged). */
    readonly sgid: number;
  }
  | {
    /** setfsgid(2). */
    readonly op: 'setfsgid';
    /** The filesystem gid. */
    readonly fsgid: number;
  }
  | {
    /** setgroups(2). */
    readonly op: 'setgroups';
    /** The supplementary groups. */
    readonly groups: readonly number[];
  }
  | {
    /** execve(2) of a prepared file. */
    readonly op: 'execve';
    /** The file: owner, mode, capability xattr, mount. */
    readonly file: ModelFile;
    /** Circumstances that make an exec unsafe (shared fs, ptrace) or turn file caps off. */
    readonly context?: ExecContext;
  }
  | {
    /** unshare(CLONE_NEWUSER): a new user namespace owned by the caller. */
    readonly op: 'unshare-user';
  }
  | {
    /** setns() into an existing user namespace (e.g. one a parent or sibling created). */
    readonly op: 'setns-user';
    /** The namespace to enter. */
    readonly ns: UserNamespace;
  }
  | {
    /** The thread writes its own namespace's /proc/self/uid_map. */
    readonly op: 'write-uid-map';
    /** The lines written. */
    readonly extents: readonly IdMapExtent[];
  }
  | {
    /** The thread writes its own namespace's /proc/self/gid_map. */
    readonly op: 'write-gid-map';
    /** The lines written. */
    readonly extents: readonly IdMapExtent[];
  }
  | {
    /** The thread writes `deny` or `allow` to its own /proc/self/setgroups. */
    readonly op: 'write-setgroups';
    /** What is written. */
    readonly value: 'deny' | 'allow';
  };

/** Numbers the transitions use (kernel ABI; errno values are positive, transitions return them negated). */
export {
  CAPABILITY_VERSION_1, CAPABILITY_VERSION_2, CAPABILITY_VERSION_3, PR_GET_DUMPABLE, PR_SET_DUMPABLE, PR_GET_KEEPCAPS, PR_SET_KEEPCAPS, PR_CAPBSET_READ, PR_CAPBSET_DROP, PR_GET_SECUREBITS, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, PR_CAP_AMBIENT_RAISE, PR_CAP_AMBIENT_LOWER, PR_CAP_AMBIENT_CLEAR_ALL, SECBIT_NOROOT, SECBIT_NOROOT_LOCKED, SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED, SECBIT_KEEP_CAPS, SECBIT_KEEP_CAPS_LOCKED, SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, SECBIT_EXEC_RESTRICT_FILE, SECBIT_EXEC_RESTRICT_FILE_LOCKED, SECBIT_EXEC_DENY_INTERACTIVE, SECBIT_EXEC_DENY_INTERACTIVE_LOCKED, EPERM, EACCES, ESRCH, EINVAL, EOVERFLOW, ENOSPC,
} from '../../vocabulary/abi.js';

/** kernel-semantics §1: the FS set (CAP_FS_SET), 0x10800021f. */
export const FS_MASK = 0x10800021fn;
/** The overflow uid/gid shown for unmapped ids (kernel-semantics §2.8). */
export const OVERFLOW_ID = 65534;
