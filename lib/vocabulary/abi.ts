/**
 * The kernel ABI numbers linux-caps uses, each defined once (issue 15): errno values, prctl(2)
 * options, securebits, the capget/capset header versions, and the `security.capability` xattr
 * layout. Linux numbering; errno values are the generic ones x86_64 and arm64 share. The addon
 * sees the same table in native/abi.h, which checks each number against the system headers at
 * compile time; test/native/abi.test.ts checks that the two tables list the same numbers.
 */

// errno (asm-generic/errno-base.h, errno.h)
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const EMFILE = 24;
export const ETXTBSY = 26;
export const ENOSPC = 28;
export const EROFS = 30;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const ENOSYS = 38;
export const ELOOP = 40;
export const ENODATA = 61;
export const EOVERFLOW = 75;
export const EUSERS = 87;
export const EOPNOTSUPP = 95;
export const ETIMEDOUT = 110;

// prctl(2) options (linux/prctl.h)
export const PR_GET_DUMPABLE = 3;
export const PR_SET_DUMPABLE = 4;
export const PR_GET_KEEPCAPS = 7;
export const PR_SET_KEEPCAPS = 8;
export const PR_CAPBSET_READ = 23;
export const PR_CAPBSET_DROP = 24;
export const PR_GET_SECUREBITS = 27;
export const PR_SET_SECUREBITS = 28;
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_GET_NO_NEW_PRIVS = 39;
export const PR_CAP_AMBIENT = 47;
export const PR_CAP_AMBIENT_IS_SET = 1;
export const PR_CAP_AMBIENT_RAISE = 2;
export const PR_CAP_AMBIENT_LOWER = 3;
export const PR_CAP_AMBIENT_CLEAR_ALL = 4;

// securebits (linux/securebits.h; kernel-semantics §2.5.3): bit n's lock is bit n+1
export const SECBIT_NOROOT = 0x1;
export const SECBIT_NOROOT_LOCKED = 0x2;
export const SECBIT_NO_SETUID_FIXUP = 0x4;
export const SECBIT_NO_SETUID_FIXUP_LOCKED = 0x8;
export const SECBIT_KEEP_CAPS = 0x10;
export const SECBIT_KEEP_CAPS_LOCKED = 0x20;
export const SECBIT_NO_CAP_AMBIENT_RAISE = 0x40;
export const SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED = 0x80;
export const SECBIT_EXEC_RESTRICT_FILE = 0x100;
export const SECBIT_EXEC_RESTRICT_FILE_LOCKED = 0x200;
export const SECBIT_EXEC_DENY_INTERACTIVE = 0x400;
export const SECBIT_EXEC_DENY_INTERACTIVE_LOCKED = 0x800;

// capget/capset header versions (linux/capability.h)
export const CAPABILITY_VERSION_1 = 0x19980330;
export const CAPABILITY_VERSION_2 = 0x20071026;
export const CAPABILITY_VERSION_3 = 0x20080522;

// security.capability (linux/capability.h; spec/kernel-semantics §2.7)
export const VFS_CAP_REVISION_MASK = 0xff000000;
export const VFS_CAP_REVISION_1 = 0x01000000;
export const VFS_CAP_REVISION_2 = 0x02000000;
export const VFS_CAP_REVISION_3 = 0x03000000;
export const VFS_CAP_FLAGS_EFFECTIVE = 0x000001;
export const XATTR_CAPS_SZ_1 = 12;
export const XATTR_CAPS_SZ_2 = 20;
export const XATTR_CAPS_SZ_3 = 24;

// capabilities the rules name (linux/capability.h; every name is in names.ts)
/** Capability 1, cap_dac_override: bypass file read, write and execute permission checks. */
export const CAP_DAC_OVERRIDE = 1;
/** Capability 2, cap_dac_read_search: bypass file read permission and directory read and search checks. */
export const CAP_DAC_READ_SEARCH = 2;
/** Capability 6, cap_setgid: set any gid and supplementary groups. */
export const CAP_SETGID = 6;
/** Capability 7, cap_setuid: set any uid. */
export const CAP_SETUID = 7;
/** Capability 8, cap_setpcap: change the bounding set and securebits; add any capability of the bounding set to I. */
export const CAP_SETPCAP = 8;
/** Capability 16, cap_sys_module: load and unload kernel modules. */
export const CAP_SYS_MODULE = 16;
/** Capability 21, cap_sys_admin: the catch-all administration capability. */
export const CAP_SYS_ADMIN = 21;
/** Capability 24, cap_sys_resource: override resource limits. */
export const CAP_SYS_RESOURCE = 24;
export const CAP_SETFCAP = 31;
