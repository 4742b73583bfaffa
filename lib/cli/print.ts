/**
 * `linux-caps print`: what `capsh --print` prints, for this process (or `--pid`), plus every
 * thread. `--json` for machines.
 */
import { parseArgs } from 'node:util';
import { getBackend } from '../backend.js';
import { CapSet } from '../capset.js';
import { formatCaps, formatIAB } from '../text.js';
import { readProcessThreads, statusToThreadState } from '../proc.js';
import { caps } from '../process.js';
import { readGroups, readUsers } from '../users.js';
import type { ThreadState } from '../types.js';
import { type Io, pidArg, refuseRepeats, toJson, UsageError } from './common.js';

/**
 * capsh's mode guess (libcap 2.66 cap_get_mode, checked against capsh): no securebits at all is
 * HYBRID; any other word without the basic secured bits, or with ambient caps, is UNCERTAIN.
 */
export function guessMode(t: ThreadState): string {
  const BASIC = 0x2f;
  const AMBIENT = 0xef;
  const bits = t.securebits;
  if (bits === undefined) return 'UNKNOWN';
  if (bits === 0) return 'HYBRID (4)';
  if ((bits & BASIC) !== BASIC) return 'UNCERTAIN (0)';
  if (!t.ambient.isEmpty || bits !== AMBIENT) return 'UNCERTAIN (0)';
  if (!t.inheritable.isEmpty) return 'PURE1E (3)';
  if (!t.permitted.isEmpty || !t.effective.isEmpty || !t.bounding.isEmpty) return 'PURE1E_INIT (2)';
  return 'NOPRIV (1)';
}

function securebitsLine(bits: number, nnp: boolean): string {
  const width = Math.max(1, bits.toString(2).length);
  return `Securebits: 0${bits.toString(8)}/0x${bits.toString(16)}/${width}'b${bits.toString(2)} (no-new-privs=${nnp ? 1 : 0})`;
}

function flag(bits: number, bit: number): string {
  return `${bits & bit ? 'yes' : 'no'} (${bits & (bit << 1) ? 'locked' : 'unlocked'})`;
}

/** The capsh --print lines for one thread's state. */
export function capshLines(t: ThreadState, lastCap: number): string[] {
  const users = new Map(readUsers().map((u) => [u.uid, u.name]));
  const groups = new Map(readGroups().map((g) => [g.gid, g.name]));
  const named = (id: number, names: Map<number, string>) => (names.has(id) ? `${id}(${names.get(id)})` : `${id}`);
  const kernelBits = lastCap + 1;
  const notBounding = CapSet.full(lastCap).minus(t.bounding);
  const lines = [
    `Current: ${formatCaps(t, { kernelBits })}`,
    `Bounding set =${t.bounding.toString()}`,
    `Ambient set =${t.ambient.toString()}`,
    `Current IAB: ${formatIAB({ inheritable: t.inheritable, ambient: t.ambient, notBounding }, { kernelBits })}`,
  ];
  if (t.securebits !== undefined) {
    const b = t.securebits;
    lines.push(securebitsLine(b, t.noNewPrivs), ` secure-noroot: ${flag(b, 0x1)}`, ` secure-no-suid-fixup: ${flag(b, 0x4)}`,
      ` secure-keep-caps: ${flag(b, 0x10)}`, ` secure-no-ambient-raise: ${flag(b, 0x40)}`);
  } else {
    lines.push(`Securebits: unknown for another process (no-new-privs=${t.noNewPrivs ? 1 : 0})`);
  }
  lines.push(`uid=${named(t.uid.real, users)} euid=${named(t.uid.effective, users)}`, `gid=${named(t.gid.real, groups)}`,
    `groups=${t.groups.map((g) => named(g, groups)).join(',')}`);
  if (t.securebits !== undefined) lines.push(`Guessed mode: ${guessMode(t)}`);
  return lines;
}

function threadLine(t: ThreadState, lastCap: number): string {
  return `  ${t.tid}: ${formatCaps(t, { kernelBits: lastCap + 1 })} bounding=${t.bounding.toHex()} ambient=${t.ambient.toHex()} uid=${t.uid.effective} nnp=${t.noNewPrivs ? 1 : 0}`;
}

export function printCommand(args: string[], io: Io): number {
  const { values, tokens } = parseArgs({ tokens: true, args, options: { pid: { type: 'string' }, json: { type: 'boolean' }, threads: { type: 'boolean' } }, strict: true });
  refuseRepeats('print', tokens);
  let main: ThreadState;
  let threads: ThreadState[];
  if (values.pid !== undefined) {
    const pid = pidArg('--pid', values.pid);
    let read;
    try {
      read = readProcessThreads(pid);
    } catch (err) {
      // In the words of getpcaps/ps, not of the /proc reader.
      if ((err as { code?: string }).code === 'ENOENT') throw new Error(`print: no process with pid ${pid}`);
      throw err;
    }
    threads = read.threads.map(statusToThreadState);
    if (threads.length === 0) throw new UsageError(`no readable threads for pid ${pid}`);
    main = threads.find((t) => t.tid === pid) ?? threads[0]!;
  } else {
    main = caps.get();
    threads = caps.threads();
  }
  const last = getBackend().lastCap();
  if (values.json) {
    io.out(toJson({
      pid: values.pid === undefined ? process.pid : pidArg('--pid', values.pid),
      current: formatCaps(main, { kernelBits: last + 1 }),
      main,
      uniform: threads.every((t) => sameCaps(t, main)),
      threads,
    }));
    return 0;
  }
  io.out(capshLines(main, last).join('\n'));
  const divergent = threads.filter((t) => !sameCaps(t, main));
  io.out(`Threads: ${threads.length}, ${divergent.length === 0 ? 'all equal' : `${divergent.length} differ from thread ${main.tid}`}`);
  if (values.threads || divergent.length > 0) for (const t of values.threads ? threads : divergent) io.out(threadLine(t, last));
  return 0;
}

function sameCaps(a: ThreadState, b: ThreadState): boolean {
  return (['effective', 'permitted', 'inheritable', 'bounding', 'ambient'] as const).every((k) => a[k].equals(b[k]))
    && a.noNewPrivs === b.noNewPrivs && a.uid.effective === b.uid.effective;
}
