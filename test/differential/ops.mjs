/**
 * The operations a sequence is made of: their wire encoding for the executor (executor.c
 * `struct record`: kind + 7 int64 arguments) and the words used to print them.
 * An operation is a plain object shaped like the model's ModelStep (lib/model/modern/types.ts), except
 * `execve` names a catalog file by index and map writes may say `outside: 'self'`.
 */

export const KIND = {
  capget: 1, capset: 2, prctl: 3,
  setuid: 10, setreuid: 11, setresuid: 12, setfsuid: 13,
  setgid: 14, setregid: 15, setresgid: 16, setfsgid: 17, setgroups: 18,
  execve: 20,
  'unshare-user': 30, 'write-uid-map': 31, 'write-gid-map': 32, 'write-setgroups': 33,
  'share-fs': 40, traceme: 41, 'spawn-thread': 42,
};

export const RECORD_BYTES = 64;

export const PRCTL_NAMES = {
  7: 'PR_GET_KEEPCAPS', 8: 'PR_SET_KEEPCAPS', 23: 'PR_CAPBSET_READ', 24: 'PR_CAPBSET_DROP',
  27: 'PR_GET_SECUREBITS', 28: 'PR_SET_SECUREBITS', 38: 'PR_SET_NO_NEW_PRIVS',
  39: 'PR_GET_NO_NEW_PRIVS', 47: 'PR_CAP_AMBIENT',
};
const AMBIENT_NAMES = { 1: 'IS_SET', 2: 'RAISE', 3: 'LOWER', 4: 'CLEAR_ALL' };

function args(op) {
  switch (op.op) {
    case 'capget': return [op.version, op.pid === 'self' ? 0 : op.pid, op.probe ? 1 : 0, 0, 0, 0, op.pid === 'self' ? 1 : 0];
    case 'capset': return [op.version, op.pid === 'self' ? 0 : op.pid, op.effective, op.permitted, op.inheritable, 0, op.pid === 'self' ? 1 : 0];
    case 'prctl': return [op.option, op.arg2 ?? 0, op.arg3 ?? 0, op.arg4 ?? 0, op.arg5 ?? 0];
    case 'setuid': return [op.uid];
    case 'setreuid': return [op.ruid, op.euid];
    case 'setresuid': return [op.ruid, op.euid, op.suid];
    case 'setfsuid': return [op.fsuid];
    case 'setgid': return [op.gid];
    case 'setregid': return [op.rgid, op.egid];
    case 'setresgid': return [op.rgid, op.egid, op.sgid];
    case 'setfsgid': return [op.fsgid];
    case 'setgroups': return [op.groups.length, ...op.groups];
    case 'execve': return [op.file, op.raw ? 2 : op.nosuid ? 1 : 0];
    case 'unshare-user': return [];
    case 'write-setgroups': return [op.value === 'allow' ? 1 : 0];
    case 'share-fs': return [];
    case 'traceme': return [];
    case 'spawn-thread': return [];
    case 'write-uid-map':
    case 'write-gid-map':
      return [op.inside, op.outside === 'self' ? 0 : op.outside, op.count, op.outside === 'self' ? 1 : 0];
    default: throw new Error(`unknown op ${op.op}`);
  }
}

/** The executor's binary form of one sequence: u32 count, then the records. */
export function encodeSequence(ops) {
  const buf = Buffer.alloc(4 + ops.length * RECORD_BYTES);
  buf.writeUInt32LE(ops.length, 0);
  ops.forEach((op, k) => {
    const base = 4 + k * RECORD_BYTES;
    buf.writeBigInt64LE(BigInt(KIND[op.op]), base);
    args(op).forEach((value, j) => {
      const v = BigInt.asIntN(64, BigInt(value));
      buf.writeBigInt64LE(v, base + 8 + j * 8);
    });
  });
  return buf;
}

/** The catalog folder of an execve's file: 's' (suid tmpfs), 'n' (nosuid tmpfs), 'r' (raw xattrs on ext4). */
export function execDir(op) {
  return op.raw ? 'r' : op.nosuid ? 'n' : 's';
}

/** The label under which statistics count an operation (prctl split by option and sub-op). */
export function opLabel(op) {
  if (op.op === 'write-setgroups') return `write-setgroups ${op.value}`;
  if (op.op === 'execve' && op.raw) return 'execve v1/malformed xattr';
  if (op.op !== 'prctl') return op.op;
  const name = PRCTL_NAMES[op.option] ?? `prctl(${op.option})`;
  if (op.option === 47) return `${name} ${AMBIENT_NAMES[op.arg2] ?? op.arg2}`;
  return name;
}

const hex = (m) => `0x${BigInt.asUintN(64, m).toString(16)}`;

/** One operation as a person reads it. */
export function describeOp(op, catalog) {
  switch (op.op) {
    case 'capget': return `capget(v=0x${(op.version >>> 0).toString(16)}, pid=${op.pid}${op.probe ? ', data=NULL' : ''})`;
    case 'capset':
      return `capset(v=0x${(op.version >>> 0).toString(16)}, pid=${op.pid}, E=${hex(op.effective)}, P=${hex(op.permitted)}, I=${hex(op.inheritable)})`;
    case 'prctl': {
      const name = PRCTL_NAMES[op.option] ?? String(op.option);
      const a2 = op.option === 47 ? (AMBIENT_NAMES[op.arg2] ?? op.arg2) : op.arg2;
      return `prctl(${name}, ${a2}, ${op.arg3}, ${op.arg4}, ${op.arg5})`;
    }
    case 'setgroups': return `setgroups([${op.groups.join(', ')}])`;
    case 'execve': {
      const f = catalog?.[execDir(op)]?.[op.file];
      const what = f ? ` uid=${f.uid} gid=${f.gid} mode=0${f.mode.toString(8)} xattr=${f.xattr || 'none'}` : '';
      return `execve(${op.raw ? 'raw' : op.nosuid ? 'nosuid' : 'suid'}/f${op.file}${what})`;
    }
    case 'unshare-user': return 'unshare(CLONE_NEWUSER)';
    case 'write-setgroups': return `write /proc/self/setgroups "${op.value}"`;
    case 'share-fs': return 'clone(CLONE_FS) a process sharing our fs_struct (later execs are unsafe)';
    case 'traceme': return 'ptrace(PTRACE_TRACEME) (the tracer holds our credentials of now)';
    case 'spawn-thread': return 'pthread_create (an idle thread: the process is multi-threaded until execve)';
    case 'write-uid-map':
    case 'write-gid-map':
      return `${op.op}("${op.inside} ${op.outside} ${op.count}")`;
    default: {
      const { op: name, ...rest } = op;
      return `${name}(${Object.values(rest).join(', ')})`;
    }
  }
}
