/**
 * `linux-caps need [--json] [--user U] [--runs N] [--timeout S] [--budget S]
 * [--expect-stdout RE] [--no-nnp] -- CMD ARGS…`: the minimal capability set CMD succeeds with,
 * found by running it (lib/operations/need/find.ts). Progress goes to stderr on a terminal.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { findNeededCaps, type NeedOptions, type NeedProgress, type NeedResult } from '../operations/need/find.js';
import { type Io, decimalArg, refuseRepeats, toJson, UsageError } from './common.js';

/** Whether `command` names an executable file, as execvp would find it. */
function findable(command: string): boolean {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return executable(command);
  return (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).some((dir) => dir !== '' && executable(join(dir, command)));
}

function seconds(flag: string, text: string): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || Number(text) <= 0 || Number(text) > 86400) {
    throw new UsageError(`need: ${flag} takes seconds (more than 0, at most 86400), not ${JSON.stringify(text)}`);
  }
  return Math.round(Number(text) * 1000);
}

function report(r: NeedResult): string {
  const lines = [`needed: ${r.needed.length ? r.needed.join(',') : '(none)'}`];
  for (const e of r.evidence) lines.push(`  ${e.cap}: without it, ${e.without}`);
  const mode = r.mode === 'root' ? 'as root, these as the bounding, permitted and effective set' : `as ${r.user}, these ambient`;
  lines.push(`${r.note}`);
  lines.push(`${mode}${r.noNewPrivs ? ', no_new_privs' : ''}; ${r.runs} runs in ${(r.elapsedMs / 1000).toFixed(1)} s (of ${r.candidates.length} candidates)`);
  return `${lines.join('\n')}\n`;
}

export async function needCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals, tokens } = parseArgs({
    tokens: true, args, allowPositionals: true, strict: true,
    options: {
      json: { type: 'boolean' }, user: { type: 'string' }, runs: { type: 'string' }, timeout: { type: 'string' },
      budget: { type: 'string' }, 'expect-stdout': { type: 'string' }, 'no-nnp': { type: 'boolean' },
    },
  });
  refuseRepeats('need', tokens);
  const [command, ...rest] = positionals;
  if (command === undefined || command === '') throw new UsageError('need: name the command to run, e.g. linux-caps need -- /usr/sbin/nginx -t');
  if (!findable(command)) throw new UsageError(`need: ${JSON.stringify(command)} is not an executable file${command.includes('/') ? '' : ' on PATH'}`);
  const options: NeedOptions = {};
  if (values.user !== undefined) options.user = /^[0-9]+$/.test(values.user) ? decimalArg('--user', values.user, 2 ** 32 - 2) : values.user;
  if (values.runs !== undefined) options.runs = decimalArg('--runs', values.runs, 100);
  if (options.runs === 0) throw new UsageError('need: --runs takes 1 to 100, not "0"');
  if (values.timeout !== undefined) options.timeoutMs = seconds('--timeout', values.timeout);
  if (values.budget !== undefined) options.budgetMs = seconds('--budget', values.budget);
  if (values['expect-stdout'] !== undefined) {
    try {
      options.expectStdout = new RegExp(values['expect-stdout']);
    } catch (err) {
      throw new UsageError(`need: --expect-stdout: ${(err as Error).message}`);
    }
  }
  if (values['no-nnp']) options.noNewPrivs = false;
  if (process.stderr.isTTY) {
    options.onProgress = (p: NeedProgress) => {
      const tried = p.tried.length ? p.tried.join(',') : 'no capabilities';
      io.err(`need: run ${p.run} (at most ${p.runsLeft} left): ${tried.length > 90 ? `${p.tried.length} capabilities` : tried} → ${p.ok ? 'ok' : p.detail}`);
    };
  }
  const result = await findNeededCaps(command, rest, options);
  io.out(values.json ? toJson(result) : report(result));
  return 0;
}
