/**
 * explain(): run a credential program (or an exec) through the model and record, for every
 * step, the rule applied, the state before and after, and the errno and reason of a refusal —
 * as data. formatExplanation() prints that for people.
 */
import type { CredOp } from '../vocabulary/types.js';
import { capToName } from '../vocabulary/names.js';
import { errnoName, invalidArg } from '../vocabulary/errors.js';
import type { Cred, ExecContext, KernelConfig, ModelFile, ModelStep } from './modern/types.js';
import {
  applyStep, createCred, credOpToStep, isCred, isCredOp, resolveKernel,
  type CredInit, type KernelOptions, type StepEnvironment,
} from './modern/kernel.js';
import { uidSeenFrom, gidSeenFrom } from './modern/userns.js';
import { validMask } from './masks.js';
import { decodeFileCaps } from './modern/xattr-rules.js';
import { citeRule } from './citation.js';
import { CAPABILITY_VERSION_3 } from '../vocabulary/abi.js';

/**
 * Options of explain().
 * @example
 * const options: ExplainOptions = { kernel: { version: 'pre-2025' }, stopOnError: true };
 * explain({ uid: 1000 }, [{ op: 'ambient.raise', caps: ['cap_net_raw'] }], options).firstError;   // 0
 */
export interface ExplainOptions {
  /** The kernel (a KernelConfig or createKernel() options). Default 6.18, lastCap 40. */
  kernel?: KernelConfig | KernelOptions;
  /** Stop at the first refused step (default false: like a program that ignores errors, later steps still run). */
  stopOnError?: boolean;
  /** What steps need from around the thread (its tid, other tasks, multithreaded). */
  env?: StepEnvironment;
}

/** The fields a step can change. */
export type CredField =
  | 'effective' | 'permitted' | 'inheritable' | 'bounding' | 'ambient'
  | 'uid' | 'euid' | 'suid' | 'fsuid' | 'gid' | 'egid' | 'sgid' | 'fsgid' | 'groups'
  | 'securebits' | 'noNewPrivs' | 'ns';

/** One field a step changed. For sets: the capabilities added and removed. */
export interface Change {
  /** The credential field that changed. */
  field: CredField;
  /** Its value before. */
  before: unknown;
  /** Its value after. */
  after: unknown;
  /** Capability sets: the capabilities added. */
  added?: number[];
  /** Capability sets: the capabilities removed. */
  removed?: number[];
}

/**
 * One step of an explanation.
 * @example
 * const step: ExplainedStep | undefined = explain({ uid: 1000 }, [{ op: 'bounding.drop', caps: ['cap_sys_admin'] }]).steps[0];
 * step?.reason;   // why the kernel says EPERM: cap_setpcap is not in the effective set
 */
export interface ExplainedStep {
  /** Short name: 'capset', 'prctl PR_CAPBSET_DROP', 'setresuid', 'execve', … */
  op: string;
  /** The step as given (caps.apply's steps compiled to one syscall each). */
  step: ModelStep;
  /** The spec section applied, e.g. 'kernel-semantics §2.3.3b'. */
  rule: string;
  /** Where people can read that rule: the man page and the kernel function (citeRule). */
  source: string;
  /** The credential before the step. */
  before: Cred;
  /** The credential after it (equal to before when it was refused). */
  after: Cred;
  /** The errno, negative, when the kernel refuses the step. */
  errno?: number;
  /** Why it was refused, or what notable happened, naming the capabilities. */
  reason?: string;
  /** The syscall's return value or data (exec: `{ atSecure, fileCaps? }`). */
  result?: unknown;
  /** What changed, field by field. */
  changes: Change[];
}

/**
 * What explain() returns.
 * @example
 * const x: Explanation = explain({ permitted: ['cap_net_raw'], inheritable: ['cap_net_raw'] }, [{ op: 'ambient.raise', caps: ['cap_net_raw'] }]);
 * x.result.ambient;   // 8192n
 */
export interface Explanation {
  /** The kernel the steps ran on. */
  kernel: KernelConfig;
  /** The credential the steps started from. */
  start: Cred;
  /** Every step, explained. */
  steps: ExplainedStep[];
  /** The final credential. */
  result: Cred;
  /** Index of the first refused step, if any. */
  firstError?: number;
}

const SET_FIELDS = ['effective', 'permitted', 'inheritable', 'bounding', 'ambient'] as const;
const ID_FIELDS = ['uid', 'euid', 'suid', 'fsuid', 'gid', 'egid', 'sgid', 'fsgid'] as const;

const PRCTL_NAMES: Record<number, string> = {
  7: 'PR_GET_KEEPCAPS', 8: 'PR_SET_KEEPCAPS', 23: 'PR_CAPBSET_READ', 24: 'PR_CAPBSET_DROP',
  27: 'PR_GET_SECUREBITS', 28: 'PR_SET_SECUREBITS', 38: 'PR_SET_NO_NEW_PRIVS', 39: 'PR_GET_NO_NEW_PRIVS', 47: 'PR_CAP_AMBIENT',
};
const AMBIENT_OPS: Record<number, string> = { 1: 'IS_SET', 2: 'RAISE', 3: 'LOWER', 4: 'CLEAR_ALL' };

function bits(mask: bigint): number[] {
  const out: number[] = [];
  for (let cap = 0; mask !== 0n; cap++, mask >>= 1n) if (mask & 1n) out.push(cap);
  return out;
}

/** The fields that differ between two credentials. */
export function diffCred(before: Cred, after: Cred): Change[] {
  if (before === after) return [];
  const changes: Change[] = [];
  for (const f of SET_FIELDS) {
    const a = before[f];
    const b = after[f];
    if (a !== b) changes.push({ field: f, before: a, after: b, added: bits(b & ~a), removed: bits(a & ~b) });
  }
  for (const f of ID_FIELDS) if (before[f] !== after[f]) changes.push({ field: f, before: before[f], after: after[f] });
  if (before.groups.join(',') !== after.groups.join(',')) changes.push({ field: 'groups', before: before.groups, after: after.groups });
  if (before.securebits !== after.securebits) changes.push({ field: 'securebits', before: before.securebits, after: after.securebits });
  if (before.noNewPrivs !== after.noNewPrivs) changes.push({ field: 'noNewPrivs', before: before.noNewPrivs, after: after.noNewPrivs });
  if (before.ns !== after.ns) changes.push({ field: 'ns', before: before.ns.id, after: after.ns.id });
  return changes;
}

function opName(step: ModelStep): string {
  if (step.op !== 'prctl') return step.op;
  const name = PRCTL_NAMES[step.option] ?? `option ${step.option}`;
  return step.option === 47 ? `prctl ${name}_${AMBIENT_OPS[step.arg2 ?? 0] ?? step.arg2}` : `prctl ${name}`;
}


/**
 * Runs `steps` from `start` through the model and explains every one.
 * `start` is a Cred or createCred() fields; steps are ModelSteps or the library's CredOps.
 * @example
 * explain({ uid: 1000, permitted: ['cap_net_raw'], inheritable: ['cap_net_raw'] },
 *         [{ op: 'ambient.raise', cap: 13 }, { op: 'execve', file: { path: '/bin/ping', uid: 0, gid: 0, mode: 0o755 } }])
 */
export function explain(start: Cred | CredInit, steps: ReadonlyArray<ModelStep | CredOp>, options: ExplainOptions = {}): Explanation {
  const kernel = resolveKernel(options.kernel);
  if (start === null || typeof start !== 'object') throw invalidArg('start state', start, 'a Cred or createCred() fields');
  if (!Array.isArray(steps)) throw invalidArg('steps', steps, 'an array of model steps or credential operations');
  const first = isCred(start) ? start : createCred(kernel, start);
  let cred = first;
  const out: ExplainedStep[] = [];
  let firstError: number | undefined;
  for (const raw of steps) {
    if (raw === null || typeof raw !== 'object' || typeof (raw as { op?: unknown }).op !== 'string') {
      throw invalidArg('step', raw, "an object with an 'op' (see lib/model/README.md)");
    }
    const step = isCredOp(raw) ? credOpToStep(raw) : (raw as ModelStep);
    const t = applyStep(kernel, cred, step, options.env);
    const entry: ExplainedStep = { op: opName(step), step, rule: t.rule, source: citeRule(t.rule), before: cred, after: t.state, changes: diffCred(cred, t.state) };
    if (t.errno !== undefined) entry.errno = t.errno;
    if (t.reason !== undefined) entry.reason = t.reason;
    if (t.result !== undefined) entry.result = t.result;
    out.push(entry);
    cred = t.state;
    if (t.errno !== undefined) {
      firstError ??= out.length - 1;
      if (options.stopOnError) break;
    }
  }
  return firstError === undefined ? { kernel, start: first, steps: out, result: cred } : { kernel, start: first, steps: out, result: cred, firstError };
}

/**
 * What exec of one file would give (kernel-semantics §2.6): `explain(start, [{ op: 'execve', file, context }])`.
 * @example formatExplanation(explainExec({ uid: 1000 }, { path: '/usr/bin/ping', uid: 0, gid: 0, mode: 0o755, xattr }))
 */
export function explainExec(start: Cred | CredInit, file: ModelFile, context?: ExecContext, options: ExplainOptions = {}): Explanation {
  if (file === null || typeof file !== 'object' || typeof file.path !== 'string' || !Number.isInteger(file.mode)) {
    throw invalidArg('file', file, '{ path, uid, gid, mode, xattr?, mount? }');
  }
  return explain(start, [context === undefined ? { op: 'execve', file } : { op: 'execve', file, context }], options);
}

// ---- formatting for people ----

/** A set in words: `{}`, `all`, `all but cap_sys_resource`, or the names. */
export function describeSet(mask: bigint, lastCap: number): string {
  if (mask === 0n) return '{}';
  const valid = validMask(lastCap);
  if (mask === valid) return 'all';
  const missing = valid & ~mask;
  const extra = mask & ~valid;
  if (extra === 0n && bits(missing).length <= 8 && bits(mask).length > 8) return `all but ${bits(missing).map(capToName).join(', ')}`;
  return bits(mask).map(capToName).join(', ');
}

function describeStep(step: ModelStep, last: number): string {
  switch (step.op) {
    case 'capset':
      return `capset(E=${describeSet(step.effective, last)}; P=${describeSet(step.permitted, last)}; I=${describeSet(step.inheritable, last)}${step.version !== undefined && step.version !== CAPABILITY_VERSION_3 ? `; version 0x${step.version.toString(16)}` : ''}${step.pid ? `; pid ${step.pid}` : ''})`;
    case 'capget': return `capget(${step.pid ?? 0})`;
    case 'prctl': {
      const name = PRCTL_NAMES[step.option] ?? String(step.option);
      const capArg = (n: number | undefined) => (n !== undefined && Number.isInteger(n) && n >= 0 && n <= 63 ? capToName(n) : String(n ?? 0));
      if (step.option === 23 || step.option === 24) return `prctl(${name}, ${capArg(step.arg2)})`;
      if (step.option === 47) {
        const sub = AMBIENT_OPS[step.arg2 ?? 0];
        return sub === 'CLEAR_ALL' ? `prctl(${name}, CLEAR_ALL)` : `prctl(${name}, ${sub ?? step.arg2}, ${capArg(step.arg3)})`;
      }
      if (step.option === 28) return `prctl(${name}, 0x${(step.arg2 ?? 0).toString(16)})`;
      const args = [step.arg2, step.arg3, step.arg4, step.arg5].filter((a) => a !== undefined);
      return `prctl(${[name, ...args].join(', ')})`;
    }
    case 'setuid': return `setuid(${step.uid})`;
    case 'setreuid': return `setreuid(${step.ruid}, ${step.euid})`;
    case 'setresuid': return `setresuid(${step.ruid}, ${step.euid}, ${step.suid})`;
    case 'setfsuid': return `setfsuid(${step.fsuid})`;
    case 'setgid': return `setgid(${step.gid})`;
    case 'setregid': return `setregid(${step.rgid}, ${step.egid})`;
    case 'setresgid': return `setresgid(${step.rgid}, ${step.egid}, ${step.sgid})`;
    case 'setfsgid': return `setfsgid(${step.fsgid})`;
    case 'setgroups': return `setgroups([${step.groups.join(', ')}])`;
    case 'execve': {
      const f = step.file;
      const parts = [`mode ${f.mode.toString(8).padStart(4, '0')}`, `owner ${f.uid}:${f.gid}`];
      if (f.xattr !== undefined) {
        const caps = f.xattr instanceof Uint8Array ? decodeFileCaps(f.xattr).caps : f.xattr;
        parts.push(caps
          ? `file caps v${caps.version} P=${describeSet(caps.permitted, last)} I=${describeSet(caps.inheritable, last)}${caps.effective ? ' +e' : ''}${caps.version === 3 ? ` rootid ${caps.rootid}` : ''}`
          : 'malformed security.capability');
      }
      if (f.mount?.nosuid) parts.push('nosuid mount');
      const ctx = step.context;
      if (ctx?.sharedFs) parts.push('shared fs');
      if (ctx?.traced) parts.push(ctx.tracerCapable ? 'traced (tracer has cap_sys_ptrace)' : 'traced');
      return `execve(${f.path}: ${parts.join(', ')})`;
    }
    case 'unshare-user': return 'unshare(CLONE_NEWUSER)';
    case 'setns-user': return `setns(user namespace ${step.ns.id}, level ${step.ns.level})`;
    case 'write-uid-map': return `write uid_map "${step.extents.map((e) => `${e.inside} ${e.outside} ${e.count}`).join('\\n')}"`;
    case 'write-gid-map': return `write gid_map "${step.extents.map((e) => `${e.inside} ${e.outside} ${e.count}`).join('\\n')}"`;
    case 'write-setgroups': return `write setgroups "${step.value}"`;
  }
}

function describeCred(c: Cred, last: number): string[] {
  const u = (k: number) => uidSeenFrom(c.ns, k);
  const g = (k: number) => gidSeenFrom(c.ns, k);
  return [
    `uid ${u(c.uid)}/${u(c.euid)}/${u(c.suid)}/${u(c.fsuid)}  gid ${g(c.gid)}/${g(c.egid)}/${g(c.sgid)}/${g(c.fsgid)}${c.groups.length ? `  groups ${c.groups.map(g).join(',')}` : ''}${c.ns.level ? `  (user namespace level ${c.ns.level})` : ''}`,
    `effective:   ${describeSet(c.effective, last)}`,
    `permitted:   ${describeSet(c.permitted, last)}`,
    `inheritable: ${describeSet(c.inheritable, last)}`,
    `bounding:    ${describeSet(c.bounding, last)}`,
    `ambient:     ${describeSet(c.ambient, last)}`,
    `securebits 0x${c.securebits.toString(16)}  no_new_privs ${c.noNewPrivs ? 1 : 0}`,
  ];
}

function describeChange(ch: Change, c: Cred, last: number): string {
  if (ch.added !== undefined) {
    const words = (caps: number[]) => describeSet(caps.reduce((m, cap) => m | (1n << BigInt(cap)), 0n), last);
    const plus = ch.added.length ? `+ ${words(ch.added)}` : '';
    const minus = ch.removed!.length ? `− ${words(ch.removed!)}` : '';
    return `${ch.field}: ${[plus, minus].filter(Boolean).join('  ')}`;
  }
  if (ch.field === 'securebits') return `securebits: 0x${(ch.before as number).toString(16)} → 0x${(ch.after as number).toString(16)}`;
  if (ch.field === 'ns') return `user namespace: ${ch.before} → ${ch.after}`;
  if (ch.field === 'groups') return `groups: [${(ch.before as number[]).join(',')}] → [${(ch.after as number[]).join(',')}]`;
  if ((ID_FIELDS as readonly string[]).includes(ch.field)) {
    const seen = ch.field.includes('g') ? gidSeenFrom : uidSeenFrom;
    return `${ch.field}: ${seen(c.ns, ch.before as number)} → ${seen(c.ns, ch.after as number)}`;
  }
  return `${ch.field}: ${String(ch.before)} → ${String(ch.after)}`;
}

function describeResult(s: ExplainedStep): string {
  if (s.errno !== undefined) return `${errnoName(s.errno)[0]} (${s.errno})`;
  const r = s.result;
  if (r !== null && typeof r === 'object' && 'atSecure' in (r as object)) return `0, AT_SECURE=${(r as { atSecure: boolean }).atSecure ? 1 : 0}`;
  if (r !== null && typeof r === 'object' && 'effective' in (r as object)) return '0';
  return r === undefined ? '0' : typeof r === 'object' ? '0' : String(r);
}

/**
 * An explanation for people: the start state, each step with its outcome, rule and reason,
 * what changed in which set (capability names), and the final state.
  * @example
  * console.log(formatExplanation(explain({ uid: 1000 }, [{ op: 'setuid', uid: 0 }])));   // one line per step, with the rule and errno
 */
export function formatExplanation(x: Explanation): string {
  const last = x.kernel.lastCap;
  const lines = [`kernel ${x.kernel.version} (last cap ${last})`, 'start:', ...describeCred(x.start, last).map((l) => `  ${l}`)];
  x.steps.forEach((s, i) => {
    lines.push(`${i + 1}. ${describeStep(s.step, last)} → ${describeResult(s)}   [${s.source}]`);
    if (s.reason) lines.push(`     ${s.reason}`);
    for (const ch of s.changes) lines.push(`     ${describeChange(ch, s.after, last)}`);
  });
  lines.push('result:', ...describeCred(x.result, last).map((l) => `  ${l}`));
  return lines.join('\n');
}
