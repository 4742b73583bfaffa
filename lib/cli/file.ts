/**
 * `linux-caps file get|set|rm`: file capabilities, printed as getcap prints them.
 *   file get [-n] [-r] [--json] PATH…   `PATH caps` (with -n, ` [rootid=N]` for v3), nothing for none
 *   file set [-n ROOTID] [-v [-q]] TEXT PATH…   (-v: compare instead of writing, as setcap -v)
 *   file rm PATH…
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CapSet } from '../vocabulary/capset.js';
import { parseCaps } from '../text/index.js';
import { fileCaps, toFileCapsFields, type FileCaps } from '../operations/file-caps.js';
import { decimalArg, describeError, type Io, refuseRepeats, toJson, UsageError } from './common.js';

const OPTIONS = {
  get: { n: { type: 'boolean', short: 'n' }, r: { type: 'boolean', short: 'r' }, json: { type: 'boolean' } },
  set: { n: { type: 'string', short: 'n' }, v: { type: 'boolean', short: 'v' }, q: { type: 'boolean', short: 'q' } },
  rm: {},
} as const;

/** Every regular file at or under `path`, symbolic links not followed (as getcap -r walks). */
function* regularFiles(path: string, recurse: boolean, onError: (err: unknown) => void): Generator<string> {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) throw new UsageError(`file get: ${path}: no such file`);
  if (st.isFile()) { yield path; return; }
  if (!recurse || !st.isDirectory()) return; // as getcap: links and other non-regular files are skipped
  let entries: string[];
  try { entries = readdirSync(path).sort(); } catch (err) { onError(err); return; }
  for (const name of entries) {
    try { yield* regularFiles(join(path, name), true, onError); } catch (err) { onError(err); }
  }
}

/**
 * setcap -v's verdict: which of p, i, e differ (and the rootid), or undefined when equal. As
 * libcap, the file's E is P ∪ I when its fE flag is set, compared with the text's E as a set.
 */
function difference(have: FileCaps | null, text: string, rootid: number | undefined): string | undefined {
  const want = parseCaps(text);
  const p = have?.permitted ?? CapSet.EMPTY;
  const i = have?.inheritable ?? CapSet.EMPTY;
  const e = have?.effective ? p.union(i) : CapSet.EMPTY;
  const letters = `${p.equals(want.permitted) ? '' : 'p'}${i.equals(want.inheritable) ? '' : 'i'}${e.equals(want.effective) ? '' : 'e'}`;
  const haveRoot = have?.rootid ?? 0;
  const rootNote = haveRoot === (rootid ?? 0) ? '' : ` (rootid ${haveRoot}, wanted ${rootid ?? 0})`;
  return letters === '' && rootNote === '' ? undefined : `differs in [${letters}]${rootNote}`;
}

export function fileCommand(args: string[], io: Io): number {
  const [verb, ...rest] = args;
  if (verb !== 'get' && verb !== 'set' && verb !== 'rm') throw new UsageError('file: use `file get PATH…`, `file set TEXT PATH…` or `file rm PATH…`');
  const { values, positionals, tokens } = parseArgs({ tokens: true, args: rest, allowPositionals: true, strict: true, options: OPTIONS[verb] });
  refuseRepeats('file', tokens);
  const opt = values as { n?: boolean | string; r?: boolean; json?: boolean; v?: boolean; q?: boolean };
  let failed = 0;
  const report = (err: unknown) => { io.err(`linux-caps: ${describeError(err)}`); failed++; };
  const each = (paths: string[], fn: (p: string) => void) => {
    if (paths.length === 0) throw new UsageError(`file ${verb}: give at least one path`);
    for (const p of paths) {
      try { fn(p); } catch (err) { report(err); }
    }
  };
  switch (verb) {
    case 'get': {
      const found: Array<{ path: string } & FileCaps> = [];
      each(positionals, (p) => {
        for (const file of regularFiles(p, opt.r === true, report)) {
          let caps: FileCaps | null;
          try { caps = fileCaps.get(file); } catch (err) { report(err); continue; }
          if (caps === null) continue;
          if (opt.json) found.push({ path: file, ...caps });
          else io.out(`${file} ${caps.text}${opt.n && caps.rootid !== undefined ? ` [rootid=${caps.rootid}]` : ''}`);
        }
      });
      if (opt.json) io.out(toJson(found));
      break;
    }
    case 'set': {
      const [text, ...paths] = positionals;
      if (text === undefined) throw new UsageError('file set: give the capabilities (setcap text) and then the paths');
      if (opt.q && !opt.v) throw new UsageError('file set: -q quiets -v; give -v too');
      let rootid: number | undefined;
      if (opt.n !== undefined) {
        rootid = decimalArg('file set: -n', String(opt.n), 0xffffffff);
        if (rootid <= 0) throw new UsageError(`file set: -n needs a rootid > 0, not ${JSON.stringify(opt.n)}`);
      }
      try { if (opt.v) parseCaps(text); else toFileCapsFields(text); } catch (err) { throw new UsageError(`file set: ${describeError(err)}`); }
      each(paths, (p) => {
        if (!opt.v) { fileCaps.set(p, text, rootid === undefined ? {} : { rootid }); return; }
        const verdict = difference(fileCaps.get(p), text, rootid);
        if (verdict !== undefined) failed++;
        if (!opt.q) io.out(verdict === undefined ? `${p}: OK` : `${p} ${verdict}`);
      });
      break;
    }
    case 'rm':
      each(positionals, (p) => fileCaps.remove(p));
      break;
  }
  return failed === 0 ? 0 : 1;
}
