// A consumer's file (issue 24 §3): every line marked @ts-expect-error compiled before and threw
// at run time; now the types refuse it. The unmarked lines must keep compiling.
// Type-checked by test/package/strict-types.test.ts with TypeScript 6 and 7, `linux-caps`
// resolved through the package's own exports.
import {
  CapSet, caps, capBound, fileCaps, formatCaps, launch, thread, type CapBoundReading, type CapsErrorCode, type FileCaps,
} from 'linux-caps';

// A lone string is not a set: it would iterate its characters.
// @ts-expect-error
CapSet.from('cap_chown');
// @ts-expect-error
formatCaps({ effective: 'cap_chown' });
// Options go last.
// @ts-expect-error
caps.bounding.drop({ onPartial: 'throw' }, 'cap_sys_module');
// A misspelt capability or securebit.
// @ts-expect-error
CapSet.of('cap_not_a_cap');
// @ts-expect-error
caps.ambient.raise('cap_net_rwa');
// @ts-expect-error
thread.securebits.set({ norot: true });
// @ts-expect-error
caps.securebits.set(['noroot', 'keep_cap']);
// @ts-expect-error
launch('/bin/true', [], { securebits: 'noroo' });
// An error code that does not exist.
// @ts-expect-error
export const missingCode: CapsErrorCode = 'ERR_CAPS_NOPE';
// Results are readonly.
// @ts-expect-error
thread.get().effective = CapSet.EMPTY;
// @ts-expect-error
caps.threads()[0]!.groups.push(0);
// Fields that exist in one variant only.
// @ts-expect-error
export const rootidOfV2 = (f: FileCaps): number => (f.version === 2 ? f.rootid : 0);
// @ts-expect-error
export const textOfPrctl = (r: CapBoundReading): string => (r.source === 'prctl' ? r.text : '');

// set() is absolute: an omitted set would be emptied (issue 24 §4).
// @ts-expect-error
caps.set({ effective: [] });

// What stays allowed.
export const named = CapSet.of('cap_chown', 'CAP_KILL', 'net_raw', 'NET_ADMIN', 13, '21');
export const fromArray = CapSet.from(['cap_chown', 'cap_kill']);
export const fromSet = CapSet.from(new Set(['cap_chown'] as const));
export const cloned = CapSet.from(structuredClone(named));
export const text: string = formatCaps({ effective: ['cap_chown'], permitted: named, inheritable: 0n });
export function dropWithOptions(): void {
  caps.bounding.drop('cap_sys_admin', 'cap_net_raw', { onPartial: 'throw' });
  caps.bounding.drop(['cap_sys_admin']);
  caps.effective.lower('cap_net_raw', { onPartial: 'throw' });
  thread.inheritable.raise('cap_net_raw');
  thread.securebits.set({ noroot: true, noroot_locked: true });
  caps.securebits.set(['noroot', 'SECBIT_NOROOT_LOCKED']);
  launch('/bin/true', [], { securebits: ['noroot', 'noroot_locked'], mode: 'PURE1E' });
}
export const rootidOfV3 = (f: FileCaps): number => (f.version === 3 ? f.rootid : 0);
export const textOfFile = (r: CapBoundReading): string => (r.source === 'file' ? r.text : '');
export const code = (e: unknown): string | undefined => (e instanceof Error && 'code' in e ? String(e.code) : undefined);
export { capBound, fileCaps };
