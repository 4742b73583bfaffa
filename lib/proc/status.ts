/**
 * Parsing of `/proc/<pid>/status` and `/proc/<pid>/task/<tid>/status` text. Pure: no I/O.
 *
 * The kernel prints one `Key:\tvalue` per line (fs/proc/array.c). Capability sets are 16 hex
 * digits (CapInh, CapPrm, CapEff, CapBnd, CapAmb); ids are four tab-separated decimals
 * (real, effective, saved, fs). Fields this library relies on are required; fields newer
 * kernels added (CapAmb 4.3, NoNewPrivs 4.10, Seccomp 3.8, NSpid 4.1) are optional.
 */
import { CapSet } from '../vocabulary/capset.js';
import { CapsError } from '../vocabulary/errors.js';
import type { Building, Ids, ThreadState } from '../vocabulary/types.js';

/**
 * One task's credentials and identity, as its `/proc/…/status` file shows them: a
 * {@link ThreadState} (the one thread-state shape; `tid` is the status file's `Pid:` line) plus
 * what /proc adds. securebits and keepCaps are undefined: /proc does not show them.
  * @example
  * const status: ProcStatus = readProcessStatus('self');
  * const state: ThreadState = status;   // a ProcStatus is a ThreadState
  * state.tid === status.tgid;           // the main thread
 */
export interface ProcStatus extends ThreadState {
  /** The command name (comm, at most 15 bytes), with the kernel's escapes undone. */
  readonly name: string;
  /** The state letter and word, e.g. `S (sleeping)`; undefined if the line is absent. */
  readonly state?: string;
  /** Thread group id: the process id. */
  readonly tgid: number;
  /** This task's id, the thread id (the `Pid:` line; equals tgid for the main thread). */
  readonly tid: number;
  /** The parent's process id. */
  readonly ppid: number;
  /** The pid of the process tracing this one (0: none). */
  readonly tracerPid?: number;
  /** The task's pid in each pid namespace, outermost first (NSpid); undefined on kernels < 4.1. */
  readonly nspid?: number[];
  /** Threads in the process (the Threads: line). */
  readonly threadCount?: number;
  /** The file mode creation mask (Umask:, kernels ≥ 4.7). */
  readonly umask?: number;
  /** A kernel thread (Kthread: 1; on kernels without that line, a live task without VmSize). */
  readonly kernelThread: boolean;
  /** Empty where the kernel predates ambient capabilities (CapAmb absent, < 4.3). */
  readonly ambient: CapSet;
  /** False where the kernel does not print NoNewPrivs (< 4.10). */
  readonly noNewPrivs: boolean;
  /** 0 none, 1 strict, 2 filter; undefined where the kernel does not print it. */
  readonly seccomp: number | undefined;
  /** Number of seccomp filters attached (Seccomp_filters:, kernels ≥ 5.9). */
  readonly seccompFilters?: number;
  /**
   * Signal masks (bit n-1 = signal n): pending for this thread (SigPnd) and for the process
   * (ShdPnd), blocked (SigBlk), ignored (SigIgn), caught (SigCgt). What a broadcast needs to
   * know about a thread that did not answer (node-engineering §1.1, §3.5).
   */
  readonly signals?: SignalMasks;
}

/**
 * The signal masks of one task, from its status file.
 * @example
 * const masks: SignalMasks | undefined = readProcessStatus('self').signals;
 * masks && (masks.blocked & (1n << 32n)) !== 0n;   // is signal 33 blocked?
 */
export interface SignalMasks {
  /** SigPnd: pending for this thread. */
  pending: bigint;
  /** ShdPnd: pending for the whole process. */
  sharedPending: bigint;
  /** SigBlk: blocked by this thread. */
  blocked: bigint;
  /** SigIgn: ignored. */
  ignored: bigint;
  /** SigCgt: caught by a handler. */
  caught: bigint;
}

function parseError(message: string, field: string, line?: number, cause?: unknown): CapsError {
  return new CapsError({
    code: 'ERR_CAPS_PROC_PARSE',
    message: line === undefined ? `/proc status: ${message}` : `/proc status line ${line}: ${message}`,
    expected: field,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Undoes the kernel's escaping of comm. 6.x escapes only newline and backslash (`\n`, `\\`:
 * seq_escape_str with ESCAPE_SPACE|ESCAPE_SPECIAL limited to "\n\\"); other bytes, tabs
 * included, are printed raw. The other C escapes are undone too, for kernels that used them.
 */
function unescapeName(raw: string): string {
  const simple: Record<string, string> = {
    n: '\n', t: '\t', v: '\v', f: '\f', r: '\r', a: '\x07', e: '\x1b', '\\': '\\', '"': '"',
  };
  return raw.replace(/\\([0-7]{3}|.)/g, (whole, esc: string) => {
    if (esc.length === 3) return String.fromCharCode(parseInt(esc, 8));
    return simple[esc] ?? whole;
  });
}

interface Line {
  value: string;
  line: number;
}

/** The keys parseStatus reads; other lines (memory, context switches…) are only checked for shape. */
const WANTED = new Set(['Name', 'State', 'Tgid', 'Pid', 'PPid', 'TracerPid', 'Uid', 'Gid', 'Groups', 'NSpid', 'Threads',
  'Umask', 'Kthread', 'VmSize', 'SigPnd', 'ShdPnd', 'SigBlk', 'SigIgn', 'SigCgt', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd',
  'CapAmb', 'NoNewPrivs', 'Seccomp', 'Seccomp_filters']);

function splitFields(text: string): Map<string, Line> {
  if (typeof text !== 'string') throw parseError(`expected the text of a status file, got ${typeof text}`, 'text');
  const fields = new Map<string, Line>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw === '') continue;
    const colon = raw.indexOf(':');
    if (colon <= 0) throw parseError(`not a "Key: value" line: ${JSON.stringify(raw.slice(0, 60))}`, 'Key: value', i + 1);
    const key = raw.slice(0, colon);
    if (!WANTED.has(key)) continue;
    // The value follows a tab; Name keeps any leading spaces of the command name itself.
    const rest = raw.slice(colon + 1);
    const value = key === 'Name' ? rest.replace(/^\t/, '') : rest.trim();
    // The kernel prints each key once: a second one is not its status file (a forgery or a mix).
    const first = fields.get(key);
    if (first) throw parseError(`${key}: a second ${key}: line (the first is line ${first.line})`, key, i + 1);
    fields.set(key, { value, line: i + 1 });
  }
  return fields;
}

class FieldReader {
  constructor(private readonly fields: Map<string, Line>) {}

  private required(key: string): Line {
    const f = this.fields.get(key);
    if (!f) throw parseError(`missing the ${key}: line`, key);
    return f;
  }

  has(key: string): boolean {
    return this.fields.has(key);
  }

  text(key: string): string {
    return this.required(key).value;
  }

  optionalText(key: string): string | undefined {
    return this.fields.get(key)?.value;
  }

  private toInt(key: string, f: Line, token: string): number {
    if (!/^[0-9]+$/.test(token)) throw parseError(`${key}: ${JSON.stringify(token)} is not a decimal number`, key, f.line);
    const n = Number(token);
    if (!Number.isSafeInteger(n)) throw parseError(`${key}: ${token} is out of range`, key, f.line);
    return n;
  }

  int(key: string): number {
    const f = this.required(key);
    return this.toInt(key, f, f.value);
  }

  optionalInt(key: string): number | undefined {
    const f = this.fields.get(key);
    return f === undefined ? undefined : this.toInt(key, f, f.value);
  }

  intList(key: string): number[] {
    const f = this.required(key);
    return this.listOf(key, f);
  }

  optionalIntList(key: string): number[] | undefined {
    const f = this.fields.get(key);
    return f === undefined ? undefined : this.listOf(key, f);
  }

  private listOf(key: string, f: Line): number[] {
    return f.value === '' ? [] : f.value.split(/\s+/).map((t) => this.toInt(key, f, t));
  }

  /** A list of 32-bit ids (the Groups: line). */
  idList(key: string): number[] {
    const f = this.required(key);
    const list = this.listOf(key, f);
    const tooBig = list.find((id) => id > 0xffffffff);
    if (tooBig !== undefined) throw parseError(`${key}: ${tooBig} does not fit in 32 bits (ids are 0 to 4294967295)`, key, f.line);
    return list;
  }

  ids(key: string): Ids {
    const f = this.required(key);
    const parts = this.listOf(key, f);
    if (parts.length !== 4) throw parseError(`${key}: expected 4 ids (real, effective, saved, fs), got ${parts.length}`, key, f.line);
    const tooBig = parts.find((id) => id > 0xffffffff);
    if (tooBig !== undefined) throw parseError(`${key}: ${tooBig} does not fit in 32 bits (ids are 0 to 4294967295)`, key, f.line);
    const [real, effective, saved, fs] = parts as [number, number, number, number];
    return { real, effective, saved, fs };
  }

  private toCapSet(key: string, f: Line): CapSet {
    if (!/^[0-9a-fA-F]{16}$/.test(f.value)) {
      throw parseError(`${key}: ${JSON.stringify(f.value)} is not 16 hex digits`, key, f.line);
    }
    return CapSet.fromHex(f.value);
  }

  capSet(key: string): CapSet {
    return this.toCapSet(key, this.required(key));
  }

  optionalCapSet(key: string): CapSet | undefined {
    const f = this.fields.get(key);
    return f === undefined ? undefined : this.toCapSet(key, f);
  }

  optionalFlag(key: string): boolean | undefined {
    const f = this.fields.get(key);
    if (f === undefined) return undefined;
    if (f.value !== '0' && f.value !== '1') throw parseError(`${key}: expected 0 or 1, got ${JSON.stringify(f.value)}`, key, f.line);
    return f.value === '1';
  }

  optionalMask(key: string): bigint | undefined {
    const f = this.fields.get(key);
    if (f === undefined) return undefined;
    if (!/^[0-9a-fA-F]{16}$/.test(f.value)) throw parseError(`${key}: ${JSON.stringify(f.value)} is not 16 hex digits`, key, f.line);
    return BigInt(`0x${f.value}`);
  }

  octal(key: string): number | undefined {
    const f = this.fields.get(key);
    if (f === undefined) return undefined;
    if (!/^[0-7]+$/.test(f.value)) throw parseError(`${key}: ${JSON.stringify(f.value)} is not octal`, key, f.line);
    return parseInt(f.value, 8);
  }
}

/**
 * Parses the text of a `/proc/<pid>/status` (or `/proc/<pid>/task/<tid>/status`) file.
 * Throws CapsError `ERR_CAPS_PROC_PARSE` naming the field (in `expected`) and the line when a
 * required field is missing or malformed. Kernels without CapAmb or NoNewPrivs read as an
 * empty ambient set and `noNewPrivs: false`.
  * @example
  * import { readFileSync } from 'node:fs';
  * const status = parseStatus(readFileSync('/proc/self/status', 'utf8'));
  * status.permitted.toString();
 */
export function parseStatus(text: string): ProcStatus {
  const r = new FieldReader(splitFields(text));
  const status: Building<ProcStatus> = {
    name: unescapeName(r.text('Name')),
    tgid: r.int('Tgid'),
    tid: r.int('Pid'),
    ppid: r.int('PPid'),
    uid: r.ids('Uid'),
    gid: r.ids('Gid'),
    groups: r.idList('Groups'),
    // Older kernels lack Kthread:; a task without memory that is not a zombie is a kernel thread.
    kernelThread: r.optionalFlag('Kthread') ?? (!r.has('VmSize') && !(r.optionalText('State') ?? '').startsWith('Z')),
    inheritable: r.capSet('CapInh'),
    permitted: r.capSet('CapPrm'),
    effective: r.capSet('CapEff'),
    bounding: r.capSet('CapBnd'),
    ambient: r.optionalCapSet('CapAmb') ?? CapSet.EMPTY,
    noNewPrivs: r.optionalFlag('NoNewPrivs') ?? false,
    seccomp: r.optionalInt('Seccomp'),
  };
  const state = r.optionalText('State');
  if (state !== undefined) status.state = state;
  const optional: Array<[keyof ProcStatus, number | number[] | undefined]> = [
    ['tracerPid', r.optionalInt('TracerPid')],
    ['nspid', r.optionalIntList('NSpid')],
    ['threadCount', r.optionalInt('Threads')],
    ['umask', r.octal('Umask')],
    ['seccompFilters', r.optionalInt('Seccomp_filters')],
  ];
  for (const [key, value] of optional) {
    if (value !== undefined) (status as unknown as Record<string, unknown>)[key] = value;
  }
  const masks = {
    pending: r.optionalMask('SigPnd'), sharedPending: r.optionalMask('ShdPnd'), blocked: r.optionalMask('SigBlk'),
    ignored: r.optionalMask('SigIgn'), caught: r.optionalMask('SigCgt'),
  };
  if (Object.values(masks).every((m) => m !== undefined)) status.signals = masks as SignalMasks;
  return status;
}

/**
 * The ThreadState a status file describes: `tid` is its Pid field. securebits and keepCaps
 * are undefined because /proc does not show them.
 */
export function statusToThreadState(s: ProcStatus): ThreadState {
  const state: Building<ThreadState> = {
    tid: s.tid,
    effective: s.effective,
    permitted: s.permitted,
    inheritable: s.inheritable,
    bounding: s.bounding,
    ambient: s.ambient,
    noNewPrivs: s.noNewPrivs,
    uid: { ...s.uid },
    gid: { ...s.gid },
    groups: [...s.groups],
  };
  if (s.seccomp !== undefined) state.seccomp = s.seccomp;
  return state;
}
