/**
 * linux-caps: Linux process capabilities for Node.js.
 */
export { CAP_NAMES, NAMED_COUNT, MAX_CAP, capFromName, tryCapFromName, capToName, lastCap } from './vocabulary/names.js';
export type { CapLike, CapName, LibcapCapName, ShortCapName } from './vocabulary/names.js';
export { CapSet } from './vocabulary/capset.js';
export type { CapSetInput, CapSetData } from './vocabulary/capset.js';
export { CapsError } from './vocabulary/errors.js';
export type { CapsErrorInit, CapsErrorCodeOrErrno, ErrnoCode } from './vocabulary/errors.js';
export { ERROR_CODES } from './vocabulary/error-codes.js';
export type { CapsErrorCode } from './vocabulary/error-codes.js';
export type {
  Ids, ThreadState, CapState, BackendKind, ProcessResult, OnPartial, ProcessCallOptions,
} from './vocabulary/types.js';
export { backendKind, useBackend } from './operations/backend.js';
export type { UserNamespaceView, IdExtent } from './accounts/id-checks.js';
export { parseStatus, readProcessStatus, readThreadStatus, readProcessThreads, listProcesses, parsePasswd } from './proc/read.js';
export type { ProcStatus, ProcPid, ProcessThreads, ProcessInfo, ProcessList, Unreadable, ProcReadOptions } from './proc/read.js';
export { promises } from './operations/promises.js';
export { fileCaps } from './operations/file-caps.js';
export type { FileCaps, FileCapsCommon, FileCapsInput, FileCapsSetOptions, FileTarget } from './operations/file-caps.js';
export { decodeFileCaps, encodeFileCaps } from './filecaps/codec.js';
export type { FileCapsXattr, FileCapsFields, FileCapsVersion, EncodeOptions as FileCapsEncodeOptions } from './filecaps/codec.js';
export { thread } from './operations/thread.js';
export { caps } from './operations/process.js';
export type { VerifyResult, CapsThenOptions } from './operations/process.js';
export { diff } from './operations/state.js';
export { getMode, readProcessIAB } from './operations/mode.js';
export type { CapMode, ModeInput } from './operations/mode.js';
export type { ThreadDifference, ComparableState } from './operations/state.js';
export { SECUREBITS, securebitNames, toSecurebits } from './operations/program.js';
export type { CapsStep, CapTriple, CapsInput, SecurebitsInput, SecurebitName } from './operations/program.js';
export { capBound } from './operations/capbound.js';
export type { CapBoundReading, CapBoundOptions, CapBoundLowerOptions } from './operations/capbound.js';
export { parseCaps, formatCaps, parseIAB, formatIAB } from './text/index.js';
export type { CapSetTriple, CapTripleInput, IAB, IABInput, TextOptions } from './text/index.js';
export { containerProfile, compareWithReference, DOCKER_DEFAULT_CAPS, PODMAN_DEFAULT_CAPS } from './operations/container.js';
export type { ContainerProfile, ReferenceComparison } from './operations/container.js';
export { model, legacyModel, vserverModel, formatExplanation } from './model/on-demand/public.js';
export { explain } from './operations/explanation.js';
export type { Explanation, ExplainedStep, ExplainOptions } from './model/explain.js';
export type { Cred as ModelCred, ModelStep, ModelFile, KernelConfig, KernelVersion } from './model/modern/types.js';
export type { SimulatedBackend, SimulatedOptions } from './model/simulated.js';
export type { ThreadTable, ThreadTarget } from './operations/backend.js';
export { launch, execInPlace, LaunchedProcess } from './operations/launch/launch.js';
export type { LaunchOptions, LaunchExit, LaunchStdio } from './operations/launch/launch.js';
export type { OciProcess } from './operations/launch/oci.js';
export type { UnreadableProcess } from './proc/read.js';
export { dropPrivileges, planDrop, LOCKED_SECUREBITS } from './operations/privileges.js';
export { toProfile } from './profiles/profile.js';
export { findNeededCaps } from './operations/need/entry.js';
export type { NeedOptions, NeedProgress, NeedResult } from './operations/need/entry.js';
export { PROFILE_FORMATS } from './profiles/types.js';
export type { ProfileFormat, ProfileInput, ProfileSource, NeedResultLike, StateLike } from './profiles/types.js';
export type { DropPrivilegesOptions, DropPrivilegesResult, DropPlan } from './operations/privileges.js';
export type { SignalMasks } from './proc/read.js';
