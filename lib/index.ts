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
export type { UserNamespaceView, IdExtent } from './accounts/id-checks.js';
export type { ProcStatus, ProcPid, ProcessThreads, ProcessInfo, ProcessList, Unreadable, ProcReadOptions } from './proc/read.js';
export type { FileCaps, FileCapsCommon, FileCapsInput, FileCapsSetOptions, FileTarget } from './operations/file-caps.js';
export type { FileCapsXattr, FileCapsFields, FileCapsVersion, EncodeOptions as FileCapsEncodeOptions } from './filecaps/codec.js';
export type { VerifyResult, CapsThenOptions } from './operations/process.js';
export type { CapMode, ModeInput } from './operations/mode.js';
export type { ThreadDifference, ComparableState } from './operations/state.js';
export { SECUREBITS, LOCKED_SECUREBITS, securebitNames, toSecurebits } from './vocabulary/securebits.js';
export type { SecurebitsInput, SecurebitName } from './vocabulary/securebits.js';
export type { CapsStep, CapTriple, CapsInput } from './operations/program.js';
export type { CapBoundReading, CapBoundOptions, CapBoundLowerOptions } from './operations/capbound.js';
export type { CapSetTriple, CapTripleInput, IAB, IABInput, TextOptions } from './text/index.js';
export { DOCKER_DEFAULT_CAPS, PODMAN_DEFAULT_CAPS } from './profiles/defaults.js';
export type { ContainerProfile, ReferenceComparison } from './operations/container.js';
export { model, legacyModel, vserverModel, formatExplanation } from './model/on-demand/public.js';
export type { Explanation, ExplainedStep, ExplainOptions } from './model/explain.js';
export type { Cred as ModelCred, ModelStep, ModelFile, KernelConfig, KernelVersion } from './model/modern/types.js';
export type { SimulatedBackend, SimulatedOptions } from './model/simulated.js';
export type { ThreadTable, ThreadTarget } from './operations/backend.js';
// The calls load on first use in dist/ (lib/operations/on-demand/): importing the package compiles only
// the vocabulary, the constants and these stand-ins.
export {
  backendKind, useBackend, parseStatus, readProcessStatus, readThreadStatus, readProcessThreads, listProcesses, parsePasswd,
  promises, decodeFileCaps, encodeFileCaps, thread, caps, diff, getMode, readProcessIAB, containerProfile,
  compareWithReference, explain, parseCaps, formatCaps, parseIAB, formatIAB, launch, execInPlace, dropPrivileges, planDrop,
  fileCaps, capBound, toProfile,
} from './operations/on-demand/public.js';
export { LaunchedProcess } from './operations/launch/launched-process.js';
export type { LaunchOptions, LaunchStdio } from './operations/launch/launch.js';
export type { LaunchExit } from './operations/launch/launched-process.js';
export type { OciProcess } from './operations/launch/oci.js';
export type { UnreadableProcess } from './proc/read.js';
export { findNeededCaps } from './operations/need/entry.js';
export type { NeedOptions, NeedProgress, NeedResult } from './operations/need/entry.js';
export { PROFILE_FORMATS } from './profiles/types.js';
export type { ProfileFormat, ProfileInput, ProfileSource, NeedResultLike, StateLike } from './profiles/types.js';
export type { DropPrivilegesOptions, DropPrivilegesResult, DropPlan } from './operations/privileges.js';
export type { SignalMasks } from './proc/read.js';
