/**
 * The on-demand calls as the package exports them. In lib/ they are the calls themselves; the
 * published bundle swaps this module for public-lazy.ts, whose stand-ins load them on first use.
 */
export {
  backendKind, useBackend, parseStatus, readProcessStatus, readThreadStatus, readProcessThreads, listProcesses, parsePasswd,
  promises, decodeFileCaps, encodeFileCaps, thread, caps, diff, getMode, readProcessIAB, containerProfile,
  compareWithReference, explain, parseCaps, formatCaps, parseIAB, formatIAB,
} from './kernel.js';
export { launch, execInPlace, dropPrivileges, planDrop, fileCaps, capBound, toProfile } from './surface.js';
