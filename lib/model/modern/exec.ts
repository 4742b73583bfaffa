/**
 * execve in the model (kernel-semantics §2.6): setuid/setgid bits, file capabilities,
 * root emulation, the unsafe-exec downgrade, ambient, AT_SECURE — with the kernel-version
 * switch of the §2.6 history note.
 */
import type { Cred, ExecContext, ExecResult, FileCaps, KernelConfig, ModelFile, Transition } from './types.js';
import { EACCES, EPERM, SECBIT_KEEP_CAPS, SECBIT_NOROOT } from './types.js';
import { INITIAL_USER_NS, capable, idsMappedIn, isSameOrAncestor, modeBitsFor, rootKuid } from './userns.js';
import { decodeFileCaps, fileCapsApply } from './xattr-rules.js';
import { afterExec } from './dumpable.js';
import { capNamesVerb, validMask } from '../masks.js';
import { CAP_DAC_OVERRIDE, CAP_SETUID } from '../../vocabulary/abi.js';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_IXGRP = 0o010;
const R = 'kernel-semantics §2.6';

/** The file caps exec would apply (has_fcap), undefined if none, or an error (malformed xattr). */
type FileCapsLookup = { caps?: FileCaps; errno?: number; reason?: string };
const NO_FILE_CAPS: FileCapsLookup = Object.freeze({});

function fileCapsFor(kernel: KernelConfig, cred: Cred, file: ModelFile, context: ExecContext | undefined, suidMount: boolean): FileCapsLookup {
  if (file.xattr === undefined || context?.fileCapsEnabled === false || !suidMount) return NO_FILE_CAPS;
  let caps: FileCaps;
  if (file.xattr instanceof Uint8Array) {
    const decoded = decodeFileCaps(file.xattr, kernel.lastCap);
    if (decoded.errno !== undefined) return { errno: decoded.errno, reason: decoded.reason };
    caps = decoded.caps;
  } else {
    const keep = file.xattr.version === 1 ? validMask(kernel.lastCap) & 0xffffffffn : validMask(kernel.lastCap);
    const x = file.xattr;
    caps = ((x.permitted | x.inheritable) & ~keep) === 0n ? x : { ...x, permitted: x.permitted & keep, inheritable: x.inheritable & keep };
  }
  return fileCapsApply(caps, file.mount?.userns ?? INITIAL_USER_NS, cred.ns) ? { caps } : NO_FILE_CAPS;
}

const N_NNP_SETID = 1, N_NOSUID = 2, N_UNMAPPED_OWNER = 4, N_MIXED = 8, N_ROOT = 16, N_UNSAFE = 32, N_FCAP_AMBIENT = 64, N_SETID_AMBIENT = 128;
const NOTE_TEXT: ReadonlyArray<[number, string]> = [
  [N_NNP_SETID, 'no_new_privs: set-id bits ignored'],
  [N_NOSUID, 'nosuid mount: set-id bits ignored'],
  [N_UNMAPPED_OWNER, 'file owner unmapped: set-id bits ignored'],
  [N_MIXED, 'setuid-root with file capabilities: root emulation skipped'],
  [N_ROOT, "root: P' = B ∪ I"],
  [N_UNSAFE, 'unsafe exec: ids and P limited to what the caller had'],
  [N_FCAP_AMBIENT, 'file capabilities clear the ambient set'],
  [N_SETID_AMBIENT, 'set-id exec clears the ambient set'],
];
function noteText(notes: number): string {
  return NOTE_TEXT.filter(([bit]) => notes & bit).map(([, text]) => text).join('; ');
}

/** A successful exec with notes; `reason` is put into words only when read (the hot path stays cheap). */
class ExecDone implements Transition<Cred, ExecResult> {
  readonly rule = R;
  #reason: string | undefined;
  constructor(readonly state: Cred, readonly result: ExecResult, private readonly notes: number) {}
  get reason(): string {
    return (this.#reason ??= noteText(this.notes));
  }
  toJSON(): object {
    return { state: this.state, result: this.result, rule: this.rule, reason: this.reason };
  }
}

/**
 * Exec permission (`generic_permission` for MAY_EXEC): the class is the owner's if fsuid owns
 * the file, else the group's if fsgid or a supplementary group matches, else other's; without
 * its x bit, CAP_DAC_OVERRIDE (in the thread's namespace, the file's uid and gid mapped there)
 * grants exec only when some x bit is set. Returns why exec is refused, or undefined.
 */
function mayExec(cred: Cred, file: ModelFile): string | undefined {
  const mode = file.mode;
  if (modeBitsFor(cred, file) & 1) return undefined;
  if ((mode & 0o111) !== 0 && capable(cred, cred.ns, CAP_DAC_OVERRIDE) && idsMappedIn(cred.ns, file.uid, file.gid)) return undefined;
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
  let notes = 0; // bits of NOTE_TEXT, turned into words only when `reason` is read
  const fsNs = file.mount?.userns ?? INITIAL_USER_NS;
  // mnt_may_suid: not nosuid, and the superblock's namespace is ours or an ancestor.
  const suidMount = !(file.mount?.nosuid ?? false) && isSameOrAncestor(fsNs, cred.ns);

  // Step 0: set-id bits (fs/exec.c bprm_fill_uid).
  let euid = cred.euid;
  let egid = cred.egid;
  const setuidBit = (file.mode & S_ISUID) !== 0;
  const setgidBit = (file.mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP);
  if ((setuidBit || setgidBit) && suidMount && !cred.noNewPrivs && idsMappedIn(cred.ns, file.uid, file.gid)) {
    if (setuidBit) euid = file.uid;
    if (setgidBit) egid = file.gid;
  } else if (setuidBit || setgidBit) {
    notes |= cred.noNewPrivs ? N_NNP_SETID : !suidMount ? N_NOSUID : N_UNMAPPED_OWNER;
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
      notes |= N_MIXED;
    } else {
      if (euid === root || uid === root) {
        permitted = cred.bounding | cred.inheritable;
        notes |= N_ROOT;
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
    notes |= N_UNSAFE;
  }

  // Steps 5–10.
  const ambient = hasFcap || idChanged ? 0n : cred.ambient;
  if (ambient !== cred.ambient) notes |= hasFcap ? N_FCAP_AMBIENT : N_SETID_AMBIENT;
  permitted |= ambient;
  const effective = fileEffective ? permitted : ambient;
  const execd: Cred = {
    ...cred,
    euid, suid: euid, fsuid: euid,
    egid, sgid: egid, fsgid: egid,
    permitted, effective, ambient,
    securebits: cred.securebits & ~SECBIT_KEEP_CAPS,
  };
  // The dumpable flag and the memory's namespace (kernel-semantics §2.9, lib/model/modern/dumpable.ts).
  const state: Cred = { ...execd, ...afterExec(kernel, cred, execd, file) };

  // Step 11: AT_SECURE.
  const grew = (permitted & ~ambient) !== 0n;
  const atSecure = kernel.version === '6.18'
    ? idChanged || euid !== cred.uid || egid !== cred.gid || (uid !== root && (fileEffective || grew))
    : idChanged || (uid !== root && (fileEffective || grew));
  const result: ExecResult = fc.caps ? { atSecure, fileCaps: fc.caps } : { atSecure };
  return notes === 0 ? { state, result, rule: R } : new ExecDone(state, result, notes);
}
