/**
 * public.ts as the published bundle has it: each export stands in for the call of the same name
 * and loads its chunk on first use (load.ts). The functions pass their arguments and `this`
 * through; `thread`, `caps`, `promises`, `fileCaps` and `capBound` are read-only views of the
 * real objects (their members are the real methods and namespaces).
 */
import { loadKernel, loadOperations, type KernelSurface, type OperationsSurface } from './load.js';
import { lazyFunction, lazyView } from '../../vocabulary/lazy-view.js';

type K = KernelSurface;
type O = OperationsSurface;

/** The stand-in for one function of a surface that `load` loads. */
const standIn = <S>(load: () => S) => <N extends keyof S>(name: N): S[N] =>
  lazyFunction(String(name), () => load()[name] as S[N] & ((...args: never[]) => unknown));
const fromKernel = standIn(loadKernel);
const fromOperations = standIn(loadOperations);

export const backendKind = fromKernel('backendKind');
export const useBackend = fromKernel('useBackend');
export const parseStatus = fromKernel('parseStatus');
export const readProcessStatus = fromKernel('readProcessStatus');
export const readThreadStatus = fromKernel('readThreadStatus');
export const readProcessThreads = fromKernel('readProcessThreads');
export const listProcesses = fromKernel('listProcesses');
export const parsePasswd = fromKernel('parsePasswd');
export const decodeFileCaps = fromKernel('decodeFileCaps');
export const encodeFileCaps = fromKernel('encodeFileCaps');
export const diff = fromKernel('diff');
export const getMode = fromKernel('getMode');
export const readProcessIAB = fromKernel('readProcessIAB');
export const containerProfile = fromKernel('containerProfile');
export const compareWithReference = fromKernel('compareWithReference');
export const explain = fromKernel('explain');
export const parseCaps = fromKernel('parseCaps');
export const formatCaps = fromKernel('formatCaps');
export const parseIAB = fromKernel('parseIAB');
export const formatIAB = fromKernel('formatIAB');
export const thread: K['thread'] = lazyView(() => loadKernel().thread);
export const caps: K['caps'] = lazyView(() => loadKernel().caps);
export const promises: K['promises'] = lazyView(() => loadKernel().promises);

export const launch = fromOperations('launch');
export const execInPlace = fromOperations('execInPlace');
export const dropPrivileges = fromOperations('dropPrivileges');
export const planDrop = fromOperations('planDrop');
export const toProfile = fromOperations('toProfile');
export const fileCaps: O['fileCaps'] = lazyView(() => loadOperations().fileCaps);
export const capBound: O['capBound'] = lazyView(() => loadOperations().capBound);
