/**
 * The public calls that read and change the kernel's state, and their pure helpers, which the
 * published bundle loads on the first call (issue 14, start-up): `import 'linux-caps'` compiles
 * only the vocabulary, the constants and the stand-ins. libcap's text formats are here too: every
 * kernel call prints or parses them, so they load together. The first call that needs any of these
 * loads them all (dist/chunks/kernel.js). In lib/ and the tests they load statically (load.ts,
 * public.ts).
 */
export { backendKind, useBackend } from '../backend.js';
export { parseStatus, readProcessStatus, readThreadStatus, readProcessThreads, listProcesses, parsePasswd } from '../../proc/read.js';
export { promises } from '../promises.js';
export { decodeFileCaps, encodeFileCaps } from '../../filecaps/codec.js';
export { thread } from '../thread.js';
export { caps } from '../process.js';
export { diff } from '../state.js';
export { getMode, readProcessIAB } from '../mode.js';
export { containerProfile, compareWithReference } from '../container.js';
export { explain } from '../explanation.js';
export { parseCaps, formatCaps, parseIAB, formatIAB } from '../../text/index.js';
