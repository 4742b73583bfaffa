/**
 * Test environment: what this machine has, and the rule that under CI=true nothing skips.
 * Outside CI a missing oracle or privilege skips with a printed reason, so a newcomer's
 * `npm test` passes; under CI the same condition fails the test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const isCI = process.env.CI === 'true' || process.env.CI === '1';
export const isLinux = process.platform === 'linux';
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
export const backendKind = process.env.LINUX_CAPS_BACKEND === 'model' || !isLinux ? 'model' : 'native';

export function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function hasFile(path: string): boolean {
  return existsSync(path);
}

/**
 * Returns a reason to skip, or undefined when everything needed is here.
 * Under CI a missing requirement throws, so the suite fails instead of skipping.
 */
export function missing(requirements: Record<string, boolean>): string | undefined {
  const lacking = Object.entries(requirements).filter(([, ok]) => !ok).map(([what]) => what);
  if (lacking.length === 0) return undefined;
  const reason = `needs ${lacking.join(', ')}`;
  if (isCI) throw new Error(`CI=true and this suite ${reason}: .ci/run must install it`);
  console.warn(`[skip] ${reason}`);
  return reason;
}
