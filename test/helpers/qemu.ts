/**
 * The suite under qemu-user (`npm run test:arm64`): what qemu cannot represent, named once.
 * A test that needs one of these skips with its reason under qemu; scripts/test-arm64.mjs
 * lets a skip pass under CI=true only when its file is listed for one of these limits.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

/** Set by scripts/test-arm64.mjs in every Node it starts (the wrapper that runs node under qemu). */
export const underQemu = process.env.LINUX_CAPS_QEMU_NODE !== undefined && process.arch === 'arm64';

export const QEMU_LIMITS = {
  /** Measured: /proc/self/task lists one thread more than the guest has, and its SigBlk blocks every signal. */
  wholeProcess: 'qemu-user: a host thread of qemu\'s own is in /proc/self/task and no guest signal reaches it, ' +
    'so a whole-process call fails closed with ERR_CAPS_PARTIAL (asserted by test/package/arm64-qemu.test.ts)',
} as const;

/** The reason to skip under qemu, or undefined elsewhere. */
export function qemuLimit(limit: keyof typeof QEMU_LIMITS): string | undefined {
  if (!underQemu) return undefined;
  console.warn(`[skip under qemu] ${QEMU_LIMITS[limit]}`);
  return QEMU_LIMITS[limit];
}

/** The program another process sees a Node child run (/proc/PID/exe): qemu itself under qemu-user. */
export function nodeChildExe(): string {
  if (!underQemu) return realpathSync(process.execPath);
  return realpathSync(execFileSync('sh', ['-c', 'command -v qemu-aarch64-static'], { encoding: 'utf8' }).trim());
}
