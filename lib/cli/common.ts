/** What every CLI command shares: usage errors, exit codes, output. */
import type { SecurebitName, SecurebitsInput } from '../vocabulary/securebits.js';
import { writeText } from './output.js';

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

/** A whole decimal number as typed (no `1e3`, `0x10`, spaces or signs), at most `max`; else a usage error. */
export function decimalArg(flag: string, text: string, max: number): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || Number(text) > max) {
    throw new UsageError(`${flag} needs a decimal number from 0 to ${max}, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** A process id: decimal, 1 to 4194304 (the kernel's largest pid_max). */
export function pidArg(flag: string, text: string): number {
  const pid = decimalArg(flag, text, 4194304);
  if (pid === 0) throw new UsageError(`${flag} needs a process id (1 or more), not "0"`);
  return pid;
}

/**
 * parseArgs keeps the last of a repeated option silently (`--user nobody --user root` ran as
 * root): every option here takes one value, so a repeat is a usage error.
 */
export function refuseRepeats(command: string, tokens: ReadonlyArray<{ kind: string; name?: string; rawName?: string }> | undefined): void {
  const seen = new Set<string>();
  for (const t of tokens ?? []) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    if (seen.has(t.name)) throw new UsageError(`${command}: ${t.rawName ?? `--${t.name}`} is given more than once`);
    seen.add(t.name);
  }
}

/** A securebits value as capsh takes it: a decimal or 0x-hex number, else names separated by commas. */
export function securebitsArg(text: string): SecurebitsInput {
  if (/^(0|[1-9][0-9]{0,3})$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]{1,4}$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (!/^[a-z_]+(,[a-z_]+)*$/.test(text)) {
    throw new UsageError(`--secbits needs a decimal or 0x-hex number, or names such as noroot,noroot_locked; not ${JSON.stringify(text)}`);
  }
  return text.split(',') as SecurebitName[]; // toSecurebits checks each name at run time
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Io = {
  out: (t) => writeText(1, t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => writeText(2, t.endsWith('\n') ? t : `${t}\n`),
};

/** JSON with bigint masks as hex strings and CapSets as name lists. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2);
}

/** One line for stderr from any error: `linux-caps: EPERM: operation not permitted, …`. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err); // a UsageError's or CapsError's own words
}

export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAIL;
}

export type Command = (args: string[], io: Io) => number | Promise<number>;
