/** What every CLI command shares: usage errors, exit codes, output. */
import { CapsError } from '../errors.js';

/** Exit codes: 0 ok, 1 the operation failed or a check said no, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** JSON with bigint masks as hex strings and CapSets as name lists. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2);
}

/** One line for stderr from any error: `linux-caps: EPERM: operation not permitted, …`. */
export function describeError(err: unknown): string {
  if (err instanceof UsageError) return err.message;
  if (err instanceof CapsError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAIL;
}

export type Command = (args: string[], io: Io) => number | Promise<number>;
