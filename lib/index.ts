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
export { parseStatus, statusToThreadState, readProcessStatus, readThreadStatus, readProcessThreads, listProcesses, parsePasswd } from './proc.js';
export type { ProcStatus, ProcPid, ProcessThreads, ProcessInfo, ProcessList, Unreadable } from './proc.js';
