/**
 * The one door into lib/ beyond the public entry points, for the project's own tests, fixtures,
 * benchmarks and scripts: everything `index.ts` exports, the model flat, and the few internals
 * they exercise directly. Not in package.json's "exports": users cannot import it.
 */
export * from './index.js';
export * from './testing.js';
export * from './model/index.js';
export { explain, formatExplanation } from './model/explain.js';
export { compileCacheDirectory } from './cli/compile-cache.js';
// The stand-ins dist/ exports for the model's namespaces (the bundle loads the model on demand).
export { lazyNamespace, model as lazyModel, legacyModel as lazyLegacyModel, vserverModel as lazyVserverModel, formatExplanation as lazyFormatExplanation } from './model/on-demand/public-lazy.js';
// and for the calls it loads on demand (thread, caps, the /proc readers, launch, dropPrivileges, …).
export {
  backendKind as lazyBackendKind, useBackend as lazyUseBackend, parseStatus as lazyParseStatus,
  readProcessStatus as lazyReadProcessStatus, readThreadStatus as lazyReadThreadStatus,
  readProcessThreads as lazyReadProcessThreads, listProcesses as lazyListProcesses,
  parsePasswd as lazyParsePasswd, promises as lazyPromises, decodeFileCaps as lazyDecodeFileCaps,
  encodeFileCaps as lazyEncodeFileCaps, thread as lazyThread, caps as lazyCaps, diff as lazyDiff,
  getMode as lazyGetMode, readProcessIAB as lazyReadProcessIAB, containerProfile as lazyContainerProfile,
  compareWithReference as lazyCompareWithReference, explain as lazyExplain, parseCaps as lazyParseCaps,
  formatCaps as lazyFormatCaps, parseIAB as lazyParseIAB, formatIAB as lazyFormatIAB, launch as lazyLaunch,
  execInPlace as lazyExecInPlace, dropPrivileges as lazyDropPrivileges, planDrop as lazyPlanDrop,
  toProfile as lazyToProfile, fileCaps as lazyFileCaps, capBound as lazyCapBound,
} from './operations/on-demand/public-lazy.js';
export { lazyFunction, lazyView } from './vocabulary/lazy-view.js';
export type { Explanation, ExplainedStep, ExplainOptions } from './model/explain.js';
export type { SimulatedBackend, SimulatedOptions } from './model/simulated.js';
export { decodeFileCaps, encodeFileCaps } from './filecaps/codec.js';
export type { FileCaps } from './operations/file-caps.js';
export type { FileCaps as ModelFileCaps } from './model/modern/types.js';
export { decodeFileCaps as decodeFileCapsModel, encodeFileCaps as encodeFileCapsModel } from './model/modern/xattr-rules.js';
export type { LegacySystem, LegacyTransition, VserverMaskPolicy } from './model/legacy/types.js';
export { ELF_MACHINES, loadNative, runningLibc } from './backend/native/addon.js';
export { BROADCAST_SIGNAL } from './backend/native/broadcast-signal.js';
export type { NativeAddon, NativeSnapshot } from './backend/native/addon.js';
export { encodeProgram, encodeSteps, WIRE_OPS } from './backend/wire.js';
export { ERROR_CODES } from './vocabulary/error-codes.js';
export type { CapsErrorCode } from './vocabulary/error-codes.js';
export { formatCapBound, parseCapBound } from './operations/capbound.js';
export { predictSteps, refusalError } from './operations/explain-errno.js';
export type { CredState } from './operations/explain-errno.js';
export { ioUringTasks, readThreadTable, selfThreadStates, STATUS_KEYS, TASK, TASK_FLAG, TASK_MASKS } from './backend/native/tasks.js';
export { eliminate } from './operations/need/search.js';
