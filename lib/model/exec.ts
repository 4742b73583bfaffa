/**
 * execve in the model (kernel-semantics §2.6): setuid/setgid bits, file capabilities,
 * root emulation, the unsafe-exec downgrade, ambient, AT_SECURE — with the kernel-version
 * switch of the §2.6 history note.
 */
import type { Cred, ExecContext, ExecResult, FileCaps, KernelConfig, ModelFile, Transition } from './types.js';
import { EACCES, EPERM, SECBIT_KEEP_CAPS, SECBIT_NOROOT } from './types.js';
import { INITIAL_USER_NS, capable, fromKgid, fromKuid, isSameOrAncestor, rootKuid } from './userns.js';
import { decodeFileCaps, fileCapsApply } from './xattr-rules.js';
import { capNamesVerb } from './masks.js';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_IXGRP = 0o010;
const CAP_SETUID = 7;
const CAP_DAC_OVERRIDE = 1;
const R = 'kernel-semantics §2.6';

/** The file caps exec would apply (has_fcap), undefined if none, or an error (malformed xattr). */
function fileCapsFor(kernel: KernelConfig, cred: Cred, file: ModelFile, context: ExecContext | undefined, suidMount: boolean): { caps?: FileCaps; errno?: number; reason?: string } {
  if (file.xattr === undefined || context?.fileCapsEnabled === false || !suidMount) return {};
  let caps: FileCaps;
  if (file.xattr instanceof Uint8Array) {
    const decoded = decodeFileCaps(file.xattr, kernel.lastCap);
    if (decoded.errno !== undefined) return { errno: decoded.errno, reason: decoded.reason };
    caps = decoded.caps;
  } else {
    const valid = (1n << BigInt(kernel.lastCap + 1)) - 1n;
    const v1 = file.xattr.version === 1 ? 0xffffffffn : valid;
    caps = { ...file.xattr, permitted: file.xattr.permitted & valid & v1, inheritable: file.xattr.inheritable & valid & v1 };
  }
  return fileCapsApply(caps, file.mount?.userns ?? INITIAL_USER_NS, cred.ns) ? { caps } : {};
}

/**
 * Exec permission (`generic_permission` for MAY_EXEC): the class is the owner's if fsuid owns
 * the file, else the group's if fsgid or a supplementary group matches, else other's; without
 * its x bit, CAP_DAC_OVERRIDE (in the thread's namespace, the file's uid and gid mapped there)
 * grants exec only when some x bit is set. Returns why exec is refused, or undefined.
 */
function mayExec(cred: Cred, file: ModelFile): string | undefined {
  const mode = file.mode;
  const cls = cred.fsuid === file.uid ? (mode >> 6) & 7 : cred.fsgid === file.gid || cred.groups.includes(file.gid) ? (mode >> 3) & 7 : mode & 7;
  if (cls & 1) return undefined;
  if ((mode & 0o111) !== 0 && capable(cred, cred.ns, CAP_DAC_OVERRIDE) && fromKuid(cred.ns, file.uid) >= 0 && fromKgid(cred.ns, file.gid) >= 0) return undefined;
  return (mode & 0o111) === 0
    ? `${file.path} has no execute bit at all (not even cap_dac_override helps)`
    : `${file.path} is not executable for this thread's class (mode ${mode.toString(8)}) and cap_dac_override is not in E`;
}

/**
 * execve(file) by a thread with credential `cred` (kernel-semantics §2.6 steps 0–11).
 * On success `result.atSecure` is AT_SECURE; the partial-caps rule and a malformed xattr fail
 * the exec (EPERM / EINVAL) and leave `state` unchanged.
 */
export function execve(kernel: KernelConfig, cred: Cred, file: ModelFile, context?: ExecContext): Transition<Cred, ExecResult> {
  const denied = mayExec(cred, file);
  if (denied !== undefined) return { state: cred, errno: -EACCES, rule: 'kernel-semantics §2.6 (may_exec)', reason: denied };
  const notes: string[] = [];
  const fsNs = file.mount?.userns ?? INITIAL_USER_NS;
  // mnt_may_suid: not nosuid, and the superblock's namespace is ours or an ancestor.
  const suidMount = !(file.mount?.nosuid ?? false) && isSameOrAncestor(fsNs, cred.ns);

  // Step 0: set-id bits (fs/exec.c bprm_fill_uid).
  let euid = cred.euid;
  let egid = cred.egid;
  const setuidBit = (file.mode & S_ISUID) !== 0;
  const setgidBit = (file.mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP);
  if ((setuidBit || setgidBit) && suidMount && !cred.noNewPrivs && fromKuid(cred.ns, file.uid) >= 0 && fromKgid(cred.ns, file.gid) >= 0) {
    if (setuidBit) euid = file.uid;
    if (setgidBit) egid = file.gid;
  } else if (setuidBit || setgidBit) {
    notes.push(cred.noNewPrivs ? 'no_new_privs: set-id bits ignored' : !suidMount ? 'nosuid mount: set-id bits ignored' : 'file owner unmapped: set-id bits ignored');
  }

  // Step 1: file capabilities.
  const fc = fileCapsFor(kernel, cred, file, context, suidMount);
  if (fc.errno !== undefined) return { state: cred, errno: fc.errno, rule: 'kernel-semantics §2.7', reason: fc.reason };
  const hasFcap = fc.caps !== undefined;
  let permitted = 0n;
  let fileEffective = false;
  if (fc.caps) {
    permitted = (cred.bounding & fc.caps.permitted) | (cred.inheritable & fc.caps.inheritable);
    fileEffective = fc.caps.effective;
    const missing = fc.caps.permitted & ~permitted;
    if (fileEffective && missing !== 0n) {
      return {
        state: cred, errno: -EPERM, rule: `${R} step 1 (partial caps)`,
        reason: `the file's effective bit needs all of fP, but ${capNamesVerb(missing)} outside B (and not granted through fI ∩ I)`,
      };
    }
  }

  // Step 2: root emulation (R of the new cred's namespace = the old one's; exec keeps the namespace).
  const root = rootKuid(cred.ns);
  const uid = cred.uid;
  if (!(cred.securebits & SECBIT_NOROOT)) {
    if (hasFcap && uid !== root && euid === root) {
      notes.push('setuid-root with file capabilities: root emulation skipped');
    } else {
      if (euid === root || uid === root) {
        permitted = cred.bounding | cred.inheritable;
        notes.push('root: P\' = B ∪ I');
      }
      if (euid === root) fileEffective = true;
    }
  }

  // Steps 3–4: unsafe exec downgrade.
  const gained = (permitted & ~cred.permitted) !== 0n;
  const idChanged = kernel.version === '6.18'
    ? euid !== cred.euid || (egid !== cred.fsgid && !cred.groups.includes(egid))
    : euid !== cred.uid || egid !== cred.gid;
  const unsafe = context?.sharedFs === true || cred.noNewPrivs || (context?.traced === true && context.tracerCapable !== true);
  if ((idChanged || gained) && unsafe) {
    if (!capable(cred, cred.ns, CAP_SETUID) || cred.noNewPrivs) {
      euid = cred.uid;
      egid = cred.gid;
    }
    permitted &= cred.permitted;
    notes.push('unsafe exec: ids and P limited to what the caller had');
  }

  // Steps 5–10.
  const ambient = hasFcap || idChanged ? 0n : cred.ambient;
  if (ambient !== cred.ambient) notes.push(hasFcap ? 'file capabilities clear the ambient set' : 'set-id exec clears the ambient set');
  permitted |= ambient;
  const effective = fileEffective ? permitted : ambient;
  const state: Cred = {
    ...cred,
    euid, suid: euid, fsuid: euid,
    egid, sgid: egid, fsgid: egid,
    permitted, effective, ambient,
    securebits: cred.securebits & ~SECBIT_KEEP_CAPS,
  };

  // Step 11: AT_SECURE.
  const grew = (permitted & ~ambient) !== 0n;
  const atSecure = kernel.version === '6.18'
    ? idChanged || euid !== cred.uid || egid !== cred.gid || (uid !== root && (fileEffective || grew))
    : idChanged || (uid !== root && (fileEffective || grew));
  const result: ExecResult = fc.caps ? { atSecure, fileCaps: fc.caps } : { atSecure };
  return notes.length ? { state, result, rule: R, reason: notes.join('; ') } : { state, result, rule: R };
}
