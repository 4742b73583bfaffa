/**
 * `/proc/sys/kernel/cap-bound` on legacy kernels (kernel-semantics §3.2; VServer guests §4.5):
 * the global bound X, printed as a signed 32-bit decimal, lowered by CAP_SYS_MODULE holders and
 * set freely by the global init.
 */
import { invalidArg } from '../../vocabulary/errors.js';
import { capableAnswer } from './capable.js';
import { done, hex32, refuse, taskOf } from './system.js';
import {
  CAP_SYS_MODULE, SPEC,
  type LegacySystem, type LegacyTask, type LegacyTransition,
} from './types.js';
import { EACCES, EINVAL, EPERM } from '../../vocabulary/abi.js';
import { formatCapBound } from '../../text/capbound.js';

const RULE = `${SPEC} §3.2`;

/** What a read returns: the text `cat` prints (without the newline) and the mask. */
export interface CapBoundReading {
  /** Signed 32-bit decimal, e.g. '-257' for NSP, '128' for {CAP_SETUID}. */
  readonly text: string;
  /** The unsigned 32-bit mask. */
  readonly mask: bigint;
}

export { formatCapBound };

/**
 * Parses what is written to cap-bound the way the kernel's integer sysctl handler does:
 * leading blanks skipped, an optional `-`, then an unsigned C literal (decimal, `0x` hex,
 * leading-0 octal) that must be followed by a blank or the end; later values are ignored.
 * Returns the low 32 bits of ±value, or undefined where the kernel answers EINVAL.
 */
export function parseCapBoundWrite(text: string): bigint | undefined {
  if (typeof text !== 'string') throw invalidArg('cap-bound text', text, 'a string');
  return scanCapBoundWrite(text)?.value;
}

/** Up to 20 characters of a number are looked at (the handler's 21-byte buffer). */
const NUMBER_WINDOW = 20;

/**
 * `__do_proc_dointvec` for one int: the value and how many bytes write(2) reports consumed
 * (the number plus trailing blanks; a short count makes tools like `echo` write the rest as a
 * second value). undefined = EINVAL (nothing parsed).
 */
function scanCapBoundWrite(text: string): { value: bigint; consumed: number } | undefined {
  const isSpace = (c: string | undefined): boolean => c !== undefined && ' \t\n\v\f\r'.includes(c);
  let s = 0;
  while (s < text.length && isSpace(text[s])) s++;
  if (s === text.length) return undefined;
  const left = text.length - s;
  const buf = text.slice(s, s + NUMBER_WINDOW);
  let p = 0;
  let negative = false;
  if (buf[p] === '-' && left > 1) { negative = true; p++; }
  if (!/[0-9]/.test(buf[p] ?? '')) return undefined;
  let base = 10n;
  if (buf[p] === '0') {
    base = 8n;
    p++;
    if ((buf[p] === 'x' || buf[p] === 'X') && /[0-9a-fA-F]/.test(buf[p + 1] ?? '')) { base = 16n; p++; }
  }
  let value = 0n;
  for (; p < buf.length; p++) {
    const d = parseInt(buf[p]!, 16);
    if (Number.isNaN(d) || BigInt(d) >= base) break;
    value = BigInt.asUintN(64, value * base + BigInt(d)); // simple_strtoul wraps (x86_64 unsigned long)
  }
  if (p < left && p < buf.length && buf[p] !== '\0' && !isSpace(buf[p])) return undefined;
  let end = s + p;
  while (end < text.length && isSpace(text[end])) end++;
  return { value: BigInt.asUintN(32, negative ? -value : value), consumed: end };
}

/** sysctl's open check: euid 0 gets the owner bits (rw), anyone else the 0 bits of mode 0600. */
function openRefusal(task: LegacyTask, write: boolean): string | undefined {
  if (task.euid === 0) return undefined;
  return `cap-bound is mode 0600 and sysctl grants the owner bits only to euid 0 (pid ${task.pid} has euid ${task.euid}; capabilities do not help) — ${write ? 'write' : 'read'} denied`;
}

/**
 * `cat /proc/sys/kernel/cap-bound` by task `pid`: the global X as signed decimal. EACCES for
 * euid ≠ 0 (mode 0600); on kernels ≤ 2.6.20 also EPERM without CAP_SYS_MODULE. A VServer guest
 * reads the global X too (§4.5).
 */
export function readCapBound(system: LegacySystem, pid: number): LegacyTransition<CapBoundReading> {
  const task = taskOf(system, pid);
  const denied = openRefusal(task, false);
  if (denied) return refuse(system, EACCES, RULE, denied);
  if (system.kernel === '2.2' || system.kernel === '2.4' || system.kernel === '2.6.20') {
    const cap = capableAnswer(system, task, CAP_SYS_MODULE);
    if (!cap.ok) return refuse(system, EPERM, RULE, `kernels up to 2.6.20 need cap_sys_module to read cap-bound: ${cap.reason}`);
  }
  const reading = { text: formatCapBound(system.capBound), mask: system.capBound };
  const where = task.xid !== 0 ? ` (guest context ${task.xid} reads the global value, §4.5)` : '';
  return done(system, task.xid !== 0 ? `${SPEC} §4.5` : RULE, reading, `X = ${hex32(system.capBound)} prints as ${reading.text}${where}`);
}

/**
 * `echo TEXT > /proc/sys/kernel/cap-bound` by task `pid`. Needs euid 0 (EACCES) and
 * CAP_SYS_MODULE (EPERM; inside a VServer guest in E ∩ bcaps). The global init (pid 1) sets
 * `X := v`; anyone else can only lower: `X := X & v`. A guest's write lowers the *global* X and
 * leaves its context's cap_bset alone (§4.5). `result` is what write(2) returns: the bytes
 * consumed (one number and the blanks after it; a tool that retries a short write sends the
 * rest as another value).
 */
export function writeCapBound(system: LegacySystem, pid: number, text: string): LegacyTransition<number> {
  const task = taskOf(system, pid);
  if (typeof text !== 'string') throw invalidArg('cap-bound text', text, 'a string such as "-257" or "0x80"');
  const denied = openRefusal(task, true);
  if (denied) return refuse(system, EACCES, RULE, denied);
  const cap = capableAnswer(system, task, CAP_SYS_MODULE);
  if (!cap.ok) return refuse(system, EPERM, cap.rule === `${SPEC} §4.3` ? `${SPEC} §4.5` : RULE, `writing cap-bound needs cap_sys_module: ${cap.reason}`);
  const scanned = scanCapBoundWrite(text);
  if (scanned === undefined) return refuse(system, EINVAL, RULE, `${JSON.stringify(text)} holds no integer the sysctl handler accepts`);
  const value = scanned.value;
  const isInit = task.pid === 1;
  const next = isInit ? value : system.capBound & value;
  const reason = isInit
    ? `the global init sets X := ${formatCapBound(value)} (may raise)`
    : `pid ${task.pid} is not the global init: X := X & v = ${formatCapBound(system.capBound)} & ${formatCapBound(value)} = ${formatCapBound(next)}`;
  return done({ ...system, capBound: next }, task.xid !== 0 ? `${SPEC} §4.5` : RULE, scanned.consumed, reason);
}
