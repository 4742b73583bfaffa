/**
 * launch()'s input checks (issue 22): strings reach execve as C strings, so a NUL byte would cut
 * them silently (child_process refuses them too); env keys cannot hold '='; a stdio fd must be
 * an open int32 fd. All refused before fork, naming the field.
 */
import { fstatSync } from 'node:fs';
import { invalidArg, syscallError } from '../../vocabulary/errors.js';

/** Throws ERR_CAPS_INVALID_ARG when `value` holds a NUL byte. */
export function refuseNul(field: string, value: string): void {
  if (value.includes('\0')) throw invalidArg(field, value, 'a string without NUL bytes');
}

/** The environment as execve takes it (`KEY=value`), refusing NUL anywhere and '=' or '' in keys. */
export function envEntries(env: Record<string, string | undefined>): string[] {
  if (env === null || typeof env !== 'object') throw invalidArg('env', env, 'an object of strings');
  const out: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (key === '' || key.includes('=')) throw invalidArg(`env key ${JSON.stringify(key)}`, key, "a name without '='");
    refuseNul(`env key ${JSON.stringify(key.replace(/\0.*/s, ''))}`, key);
    const text = String(value);
    refuseNul(`env.${key}`, text);
    out.push(`${key}=${text}`);
  }
  return out;
}

/** An fd given as stdio[i]: a non-negative int32 that is open now (EBADF otherwise). */
export function checkStdioFd(index: number, fd: number): number {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) throw invalidArg(`stdio[${index}]`, fd, "'pipe', 'inherit', 'ignore' or an open fd (0 to 2147483647)");
  try {
    fstatSync(fd);
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).errno ?? -9;
    throw syscallError({ errno, syscall: 'fstat', detail: `stdio[${index}] fd ${fd} (not an open file descriptor: nothing was started)` });
  }
  return fd;
}
