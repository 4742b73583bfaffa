/**
 * `linux-caps file get|set|rm`: file capabilities, printed as getcap prints them.
 *   file get [-n] PATH…         `PATH caps` (with -n, ` [rootid=N]` for v3), nothing for none
 *   file set [-n ROOTID] TEXT PATH…
 *   file rm PATH…
 */
import { lstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileCaps } from '../filecaps.js';
import { decimalArg, describeError, type Io, refuseRepeats, UsageError } from './common.js';

export function fileCommand(args: string[], io: Io): number {
  const [verb, ...rest] = args;
  const { values, positionals, tokens } = parseArgs({ tokens: true, args: rest, allowPositionals: true, strict: true, options: { n: { type: verb === 'set' ? 'string' : 'boolean', short: 'n' } } });
  refuseRepeats('file', tokens);
  let failed = 0;
  const each = (paths: string[], fn: (p: string) => void) => {
    if (paths.length === 0) throw new UsageError(`file ${verb}: give at least one path`);
    for (const p of paths) {
      try { fn(p); } catch (err) { io.err(`linux-caps: ${describeError(err)}`); failed++; }
    }
  };
  switch (verb) {
    case 'get':
      each(positionals, (p) => {
        // As getcap: symbolic links and anything but a regular file are skipped, not errors.
        const st = lstatSync(p, { throwIfNoEntry: false });
        if (st === undefined) throw new UsageError(`file get: ${p}: no such file`);
        if (!st.isFile()) return;
        const caps = fileCaps.get(p);
        if (caps) io.out(`${p} ${caps.text}${values.n && caps.rootid !== undefined ? ` [rootid=${caps.rootid}]` : ''}`);
      });
      break;
    case 'set': {
      const [text, ...paths] = positionals;
      if (text === undefined) throw new UsageError('file set: give the capabilities (setcap text) and then the paths');
      let rootid: number | undefined;
      if (values.n !== undefined) {
        rootid = decimalArg('file set: -n', String(values.n), 0xffffffff);
        if (rootid <= 0) throw new UsageError(`file set: -n needs a rootid > 0, not ${JSON.stringify(values.n)}`);
      }
      each(paths, (p) => { fileCaps.set(p, text, rootid === undefined ? {} : { rootid }); });
      break;
    }
    case 'rm':
      each(positionals, (p) => fileCaps.remove(p));
      break;
    default:
      throw new UsageError('file: use `file get PATH…`, `file set TEXT PATH…` or `file rm PATH…`');
  }
  return failed === 0 ? 0 : 1;
}
