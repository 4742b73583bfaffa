/**
 * `linux-caps print`: what `capsh --print` prints, for this process (or `--pid`), plus every
 * thread. `--json` for machines.
 */
import { parseArgs } from 'node:util';
import { getBackend } from '../operations/backend.js';
import { CapSet } from '../vocabulary/capset.js';
import { formatCaps, formatIAB } from '../text/index.js';
import { readProcessThreads, statusToThreadState } from '../proc/read.js';
import { caps } from '../operations/process.js';
import { systemAccounts } from '../operations/accounts.js';
import { CAP_MODE_NUMBERS, modeOf } from '../operations/mode.js';
import type { ThreadState } from '../vocabulary/types.js';
import { describeError, type Io, pidArg, refuseRepeats, toJson } from './common.js';
import { SECBIT_KEEP_CAPS, SECBIT_NOROOT, SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_SETUID_FIXUP } from '../vocabulary/abi.js';

/** capsh's "Guessed mode" line: libcap's mode name and number. */
function guessedMode(t: ThreadState): string {
  const mode = modeOf(t) ?? 'UNCERTAIN';
  return `${mode} (${CAP_MODE_NUMBERS[mode]})`;
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
  // Names as capsh finds them: getpwuid/getgrgid through NSS (the files on the model backend).
  const accounts = systemAccounts();
  const named = (id: number, lookup: (id: number) => { name: string } | undefined) => {
    const name = lookup(id)?.name;
    return name === undefined ? `${id}` : `${id}(${name})`;
  };
  const users = (id: number) => accounts.user(id);
  const groups = (id: number) => accounts.group(id);
  const notBounding = CapSet.full(lastCap).minus(t.bounding);
  const lines = [
    `Current: ${formatCaps(t, { lastCap })}`,
    `Bounding set =${t.bounding.toString()}`,
    `Ambient set =${t.ambient.toString()}`,
    `Current IAB: ${formatIAB({ inheritable: t.inheritable, ambient: t.ambient, notBounding }, { lastCap })}`,
  ];
  if (t.securebits !== undefined) {
    const b = t.securebits;
    lines.push(securebitsLine(b, t.noNewPrivs), ` secure-noroot: ${flag(b, SECBIT_NOROOT)}`, ` secure-no-suid-fixup: ${flag(b, SECBIT_NO_SETUID_FIXUP)}`,
      ` secure-keep-caps: ${flag(b, SECBIT_KEEP_CAPS)}`, ` secure-no-ambient-raise: ${flag(b, SECBIT_NO_CAP_AMBIENT_RAISE)}`);
  } else {
    lines.push(`Securebits: unknown for another process (no-new-privs=${t.noNewPrivs ? 1 : 0})`);
  }
  lines.push(`uid=${named(t.uid.real, users)} euid=${named(t.uid.effective, users)}`, `gid=${named(t.gid.real, groups)}`,
    `groups=${t.groups.map((g) => named(g, groups)).join(',')}`);
  if (t.securebits !== undefined) lines.push(`Guessed mode: ${guessedMode(t)}`);
  return lines;
}

function threadLine(t: ThreadState, lastCap: number): string {
  return `  ${t.tid}: ${formatCaps(t, { lastCap })} bounding=${t.bounding.toHex()} ambient=${t.ambient.toHex()} uid=${t.uid.effective} nnp=${t.noNewPrivs ? 1 : 0}`;
}

interface Seen { pid: number; main: ThreadState; threads: ThreadState[] }

function readPid(pid: number): Seen {
  let read;
  try {
    read = readProcessThreads(pid);
  } catch (err) {
    // In the words of getpcaps/ps, not of the /proc reader.
    if ((err as { code?: string }).code === 'ENOENT') throw new Error(`print: no process with pid ${pid}`);
    throw err;
  }
  const threads = read.threads.map(statusToThreadState);
  if (threads.length === 0) throw new Error(`print: no readable threads for pid ${pid}`);
  return { pid, main: threads.find((t) => t.tid === pid) ?? threads[0]!, threads };
}

function jsonOf({ pid, main, threads }: Seen, last: number) {
  return { pid, current: formatCaps(main, { lastCap: last }), main, uniform: threads.every((t) => sameCaps(t, main)), threads };
}

function printLines({ main, threads }: Seen, last: number, all: boolean, io: Io): void {
  io.out(capshLines(main, last).join('\n'));
  const divergent = threads.filter((t) => !sameCaps(t, main));
  io.out(`Threads: ${threads.length}, ${divergent.length === 0 ? 'all equal' : `${divergent.length} differ from thread ${main.tid}`}`);
  if (all || divergent.length > 0) for (const t of all ? threads : divergent) io.out(threadLine(t, last));
}

/** `print [--pid PID] [PID…]`: this process, or each PID in turn (as getpcaps takes several). */
export function printCommand(args: string[], io: Io): number {
  const { values, positionals, tokens } = parseArgs({ tokens: true, args, allowPositionals: true, options: { pid: { type: 'string' }, json: { type: 'boolean' }, threads: { type: 'boolean' } }, strict: true });
  refuseRepeats('print', tokens);
  const pids = [...(values.pid === undefined ? [] : [values.pid]), ...positionals].map((p) => pidArg(values.pid === p ? '--pid' : 'print: PID', p));
  const last = getBackend().lastCap();
  if (pids.length === 0) {
    // One read of every thread; the caller's is the main state (a thread that differs is listed).
    const threads = caps.threads();
    const self = getBackend().callingTid();
    const seen = { pid: process.pid, main: threads.find((t) => t.tid === self) ?? getBackend().threadState(), threads };
    if (values.json) io.out(toJson(jsonOf(seen, last)));
    else printLines(seen, last, values.threads === true, io);
    return 0;
  }
  let failed = 0;
  const json: unknown[] = [];
  pids.forEach((pid, i) => {
    let seen: Seen;
    try { seen = readPid(pid); } catch (err) { io.err(`linux-caps: ${describeError(err)}`); failed++; return; }
    if (values.json) { json.push(jsonOf(seen, last)); return; }
    if (pids.length > 1) io.out(`${i > 0 ? '\n' : ''}pid ${pid}:`);
    printLines(seen, last, values.threads === true, io);
  });
  if (values.json && (pids.length > 1 || json.length === 1)) io.out(toJson(pids.length === 1 ? json[0] : json));
  return failed === 0 ? 0 : 1;
}

function sameCaps(a: ThreadState, b: ThreadState): boolean {
  return (['effective', 'permitted', 'inheritable', 'bounding', 'ambient'] as const).every((k) => a[k].equals(b[k]))
    && a.noNewPrivs === b.noNewPrivs && a.uid.effective === b.uid.effective;
}
