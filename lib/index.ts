/**
 * linux-caps: Linux process capabilities for Node.js.
 */
export { CAP_NAMES, NAMED_COUNT, MAX_CAP, capFromName, tryCapFromName, capToName, lastCap } from './names.js';
export type { CapLike } from './names.js';
export { CapSet, toCapSet } from './capset.js';
export type { CapSetInput } from './capset.js';
export { CapsError } from './errors.js';
export type { CapsErrorInit } from './errors.js';
export type {
  Ids, ThreadState, CredOp, CredProgram, OpFailure, BackendKind, ProcessResult, OnPartial, ProcessCallOptions,
} from './types.js';
export { getBackend, useBackend } from './backend.js';
export type { Backend, BroadcastOutcome } from './backend.js';
export type { UserNamespaceView, IdExtent } from './id-checks.js';
export { parseStatus, statusToThreadState, readProcessStatus, readThreadStatus, readProcessThreads, listProcesses, parsePasswd } from './proc.js';
export type { ProcStatus, ProcPid, ProcessThreads, ProcessInfo, ProcessList, Unreadable } from './proc.js';
export { fileCaps } from './filecaps.js';
export type { FileCaps, FileCapsInput, FileCapsSetOptions, FileTarget } from './filecaps.js';
export { decodeFileCaps, encodeFileCaps } from './xattr-codec.js';
export type { FileCapsXattr, FileCapsFields, FileCapsVersion, EncodeOptions as FileCapsEncodeOptions } from './xattr-codec.js';
export { thread } from './thread.js';
export { caps } from './process.js';
export type { ThreadDifference, VerifyResult } from './process.js';
export { SECUREBITS, securebitNames, toSecurebits } from './program.js';
export type { CapsStep, CapTriple, CapsInput, SecurebitsInput } from './program.js';
export { capBound } from './capbound.js';
export type { CapBoundReading, CapBoundOptions, CapBoundLowerOptions } from './capbound.js';
export { parseCaps, formatCaps, parseIAB, formatIAB } from './text.js';
export type { CapSetTriple, CapTripleInput, IAB, IABInput, TextOptions } from './text.js';
export { containerProfile, compareWithReference, DOCKER_DEFAULT_CAPS, PODMAN_DEFAULT_CAPS } from './container.js';
export type { ContainerProfile, ReferenceComparison } from './container.js';
export * as model from './model/index.js';
export { explain, formatExplanation } from './model/explain.js';
export type { Explanation, ExplainedStep, ExplainOptions } from './model/explain.js';
export type { Cred as ModelCred, ModelStep, ModelFile, KernelConfig, KernelVersion } from './model/types.js';
export type { SimulatedBackend, SimulatedOptions } from './model/simulated.js';
export { launch, execInPlace, LaunchedProcess } from './launch.js';
export type { LaunchOptions, LaunchExit, LaunchStdio } from './launch.js';
export type { Launcher, SpawnRequest, SpawnResult } from './backend.js';
export * as legacyModel from './model/legacy.js';
export * as vserverModel from './model/vserver.js';
export type { UnreadableProcess } from './proc.js';
export { dropPrivileges, planDrop, LOCKED_SECUREBITS } from './privileges.js';
export type { DropPrivilegesOptions, DropPrivilegesResult, DropPlan } from './privileges.js';
export type { SignalMasks } from './proc.js';
