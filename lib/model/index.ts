/**
 * The public `model` namespace: the modern kernel's rules as pure functions, the simulated
 * process, and explain(). `import { model } from 'linux-caps'`.
 *
 * @example
 * ```ts
 * import { model } from 'linux-caps';
 * const root = model.createCred();   // uid 0 with every capability
 * model.setuid(root, 1000).state.permitted;   // 0n: the setuid fixup cleared P
 * ```
 *
 * @module
 */
export * from './modern/types.js';
export {
  createKernel, KERNEL_6_18, KERNEL_PRE_2025, createCred, isCred, applyStep, credOpToStep,
  capget, capset, capVersionWords,
  prctl, capbsetRead, capbsetDrop, setSecurebits, setKeepCaps, capAmbient, setNoNewPrivs,
  getDumpable, setDumpable, dumpableOf, procFileOwner, committed, procSelfWriteDenied,
  setuid, setreuid, setresuid, setfsuid, setgid, setregid, setresgid, setfsgid, setgroups,
  execve,
  INITIAL_USER_NS, capable, makeKuid, makeKgid, fromKuid, fromKgid, uidSeenFrom, gidSeenFrom, rootKuid,
  isSameOrAncestor, unshareUserNs, setnsUserNs, writeIdMap, writeSetgroups, setgroupsAllowed,
  decodeFileCaps, encodeFileCaps, fileCapsApply, convertFileCapsWrite, viewFileCaps,
} from './modern/kernel.js';
export type { KernelOptions, CredInit, StepEnvironment, CapgetData, CapHeader, ProcFileOwner } from './modern/kernel.js';
import { KERNEL_6_18 as K618, KERNEL_PRE_2025 as KPRE } from './modern/kernel.js';
/** The modelled kernels by name (more with createKernel()). */
export const kernels = Object.freeze({
  /** Linux 6.18, 41 capabilities (KERNEL_6_18). */
  '6.18': K618,
  /** The same with the exec rule before 2025 (KERNEL_PRE_2025). */
  'pre-2025': KPRE,
});
export { explain, explainExec, formatExplanation, describeSet, diffCred } from './explain.js';
export type { ExplainOptions, Explanation, ExplainedStep, Change, CredField } from './explain.js';
export type { DecodeResult, XattrTarget } from './modern/xattr-rules.js';
export { createSimulatedBackend } from './simulated.js';
export type { SimulatedBackend, SimulatedOptions, FileInit } from './simulated.js';
