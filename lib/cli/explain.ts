/**
 * `linux-caps explain [--from current|root] [--caps TEXT] [--uid N] [--json] STEP…`: the model's
 * prediction of what the kernel does with a program of steps, step by step, each with its rule.
 * Steps: caps=TEXT (capset), drop=a,b (bounding), amb+=a,b / amb-=a,b / amb=clear, secbits=N,
 * keepcaps=0|1, nnp, setuid=N, setresuid=R,E,S, setgid=N, setgroups=a,b, userns, exec=PATH (the
 * real file: owner, mode, security.capability and its mount's nosuid).
 * Exit status: 0 when every step succeeds, 1 when the model predicts a refusal, 2 on usage errors.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getBackend } from '../operations/backend.js';
import { CapSet } from '../vocabulary/capset.js';
import { explain, formatExplanation } from '../model/explain.js';
import type { CredInit } from '../model/modern/kernel.js';
import type { ModelFile, ModelStep } from '../model/modern/types.js';
import { capFromName } from '../vocabulary/names.js';
import { toSecurebits } from '../vocabulary/securebits.js';
import { parseCaps } from '../text/index.js';
import { credInitOf } from '../operations/thread-cred.js';
import type { CredOp } from '../vocabulary/types.js';
import { resolveGid, resolveUid } from '../operations/users.js';
import { type Io, refuseRepeats, securebitsArg, toJson, UsageError } from './common.js';

/** Whether the mount holding `path` is nosuid (the longest mount point prefix in mountinfo). */
function mountIsNosuid(path: string): boolean {
  let best = '';
  let nosuid = false;
  let text = '';
  try { text = readFileSync('/proc/self/mountinfo', 'utf8'); } catch { return false; }
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const point = f[4]?.replace(/\\040/g, ' ');
    if (!point || !(path === point || path.startsWith(point.endsWith('/') ? point : `${point}/`))) continue;
    if (point.length >= best.length) { best = point; nosuid = (f[5] ?? '').split(',').includes('nosuid'); }
  }
  return nosuid;
}

/** A real file as the model sees it. */
export function modelFileOf(path: string): ModelFile {
  let real: string;
  try { real = realpathSync(path); } catch (err) { throw new UsageError(`explain: cannot read ${path}: ${(err as Error).message}`); }
  const st = statSync(real);
  const raw = getBackend().readFileCaps(real);
  return { path: real, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, ...(raw instanceof Uint8Array ? { xattr: raw } : {}), mount: { nosuid: mountIsNosuid(real) } };
}

const caps = (v: string) => v.split(',').filter(Boolean).map((c) => capFromName(c));
const ids = (v: string, n: number, what: string) => {
  const parts = v.split(',').map(Number);
  if (parts.length !== n || parts.some((x) => !Number.isInteger(x) || x < -1)) throw new UsageError(`explain: ${what} needs ${n} id(s), not ${JSON.stringify(v)}`);
  return parts;
};

/** One step word → model steps. */
export function stepsOf(word: string): Array<ModelStep | CredOp> {
  const eq = word.indexOf('=');
  const key = eq < 0 ? word : word.slice(0, eq);
  const value = eq < 0 ? '' : word.slice(eq + 1);
  switch (key) {
    case 'caps': {
      const t = parseCaps(value);
      return [{ op: 'capset', effective: t.effective, permitted: t.permitted, inheritable: t.inheritable }];
    }
    case 'drop': return caps(value).map((cap) => ({ op: 'bounding.drop' as const, cap }));
    case 'amb+': return caps(value).map((cap) => ({ op: 'ambient.raise' as const, cap }));
    case 'amb-': return caps(value).map((cap) => ({ op: 'ambient.lower' as const, cap }));
    case 'amb': if (value === 'clear') return [{ op: 'ambient.clear' }]; break;
    case 'secbits': return [{ op: 'securebits.set', bits: toSecurebits(securebitsArg(value)) }];
    case 'keepcaps': if (value === '0' || value === '1') return [{ op: 'keepCaps.set', on: value === '1' }]; break;
    case 'nnp': return [{ op: 'noNewPrivs.set' }];
    case 'setuid': return [{ op: 'setuid', uid: resolveUid(value) }];
    case 'setresuid': { const [r, e, s] = ids(value, 3, 'setresuid'); return [{ op: 'setresuid', ruid: r!, euid: e!, suid: s! }]; }
    case 'setgid': return [{ op: 'setgid', gid: resolveGid(value) }];
    case 'setgroups': return [{ op: 'setgroups', groups: value.split(',').filter(Boolean).map((g) => resolveGid(g)) }];
    case 'userns': return [{ op: 'unshare-user' }];
    case 'exec': return [{ op: 'execve', file: modelFileOf(value) }];
  }
  throw new UsageError(`explain: unknown step ${JSON.stringify(word)}; steps: caps=TEXT drop=a,b amb+=a amb-=a amb=clear secbits=N keepcaps=0|1 nnp setuid=N setresuid=R,E,S setgid=N setgroups=a,b userns exec=PATH`);
}

/** The start state: this process's calling thread (default) or a fresh root. */
function startState(from: string, capsText: string | undefined, uid: string | undefined): CredInit {
  let init: CredInit;
  if (from === 'current') {
    init = credInitOf(getBackend().threadState());
  } else if (from === 'root') {
    init = {};
  } else {
    throw new UsageError(`explain: --from is 'current' or 'root', not ${JSON.stringify(from)}`);
  }
  if (capsText !== undefined) {
    const t = parseCaps(capsText);
    init = { ...init, effective: t.effective, permitted: t.permitted, inheritable: t.inheritable, ambient: CapSet.EMPTY };
  }
  if (uid !== undefined) {
    const u = resolveUid(uid);
    init = { ...init, uid: u, euid: u, suid: u, fsuid: u };
  }
  return init;
}

export function explainCommand(args: string[], io: Io): number {
  const { values, positionals, tokens } = parseArgs({ tokens: true,
    args, allowPositionals: true, strict: true,
    options: { from: { type: 'string' }, caps: { type: 'string' }, uid: { type: 'string' }, json: { type: 'boolean' } },
  });
  refuseRepeats('explain', tokens);
  if (positionals.length === 0) throw new UsageError('explain: give steps, e.g. linux-caps explain --uid 1000 caps=cap_net_raw=pi amb+=cap_net_raw exec=/usr/bin/ping');
  const steps = positionals.flatMap(stepsOf);
  const start = startState(values.from ?? 'current', values.caps, values.uid);
  const x = explain(start, steps, { kernel: { lastCap: getBackend().lastCap() } });
  io.out(values.json ? toJson(x) : formatExplanation(x));
  return x.steps.some((s) => s.errno !== undefined) ? 1 : 0;
}
