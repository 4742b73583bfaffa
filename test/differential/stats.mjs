/**
 * Per-operation statistics (attempted / succeeded / failed by errno) and the reach counters
 * that prove the generator exercised the interesting rules.
 */
import { opLabel } from './ops.mjs';

const ERRNO_NAMES = { 1: 'EPERM', 3: 'ESRCH', 13: 'EACCES', 14: 'EFAULT', 22: 'EINVAL', 28: 'ENOSPC', 38: 'ENOSYS', 61: 'ENODATA', 75: 'EOVERFLOW', 87: 'EUSERS' };
export const errnoName = (n) => ERRNO_NAMES[n] ?? `errno ${n}`;

/** The reach goals: at least PER_2000 successes per 2,000 sequences each. */
export const REACH = {
  'exec with file caps': 'execve of a file carrying security.capability on a suid mount',
  'set*uid fixups': 'setuid/setreuid/setresuid/setfsuid that changed E, P or A',
  'ambient raises': 'PR_CAP_AMBIENT_RAISE',
  'user-namespace steps': 'unshare(CLONE_NEWUSER)',
};
export const PER_2000 = 100;
const UID_OPS = new Set(['setuid', 'setreuid', 'setresuid', 'setfsuid']);

export class Stats {
  constructor() {
    this.ops = new Map();
    this.reach = Object.fromEntries(Object.keys(REACH).map((k) => [k, 0]));
    this.rules = new Map();
  }

  /** Counts the spec rule the model applied at a step (which rules the sequences reached). */
  recordRule(rule) {
    if (rule && !rule.startsWith('harness:')) this.rules.set(rule, (this.rules.get(rule) ?? 0) + 1);
  }

  /**
   * @param {object} op the operation
   * @param {{ret:number, err:number}} result observed
   * @param {object} before observed snapshot before the step
   * @param {object} after observed snapshot after the step
   * @param {object|undefined} file the catalog file of an execve
   */
  record(op, result, before, after, file) {
    const label = opLabel(op);
    let s = this.ops.get(label);
    if (!s) this.ops.set(label, (s = { attempted: 0, ok: 0, errnos: new Map() }));
    s.attempted++;
    if (result.err === 0) s.ok++;
    else s.errnos.set(result.err, (s.errnos.get(result.err) ?? 0) + 1);
    if (result.err !== 0) return;
    if (op.op === 'execve' && !op.nosuid && file?.xattr) this.reach['exec with file caps']++;
    if (UID_OPS.has(op.op) && (before.e !== after.e || before.p !== after.p || before.a !== after.a)) this.reach['set*uid fixups']++;
    if (op.op === 'prctl' && op.option === 47 && op.arg2 === 2) this.reach['ambient raises']++;
    if (op.op === 'unshare-user') this.reach['user-namespace steps']++;
  }

  /** Reach goals missed for `sequences` sequences (scaled from 100 per 2,000). */
  missedReach(sequences) {
    const need = Math.ceil((PER_2000 * sequences) / 2000);
    return Object.entries(this.reach).filter(([, n]) => n < need).map(([k, n]) => ({ goal: k, got: n, need }));
  }

  /** The per-operation table, one line per label. */
  format() {
    const rows = [...this.ops.entries()].sort(([a], [b]) => a.localeCompare(b));
    const width = Math.max(...rows.map(([l]) => l.length), 10);
    const lines = [`${'operation'.padEnd(width)}  attempted  succeeded  failed`];
    for (const [label, s] of rows) {
      const failed = [...s.errnos.entries()].sort((x, y) => y[1] - x[1]).map(([e, n]) => `${errnoName(e)} ${n}`).join(', ');
      lines.push(`${label.padEnd(width)}  ${String(s.attempted).padStart(9)}  ${String(s.ok).padStart(9)}  ${failed || '-'}`);
    }
    if (this.rules.size) {
      const byRule = [...this.rules.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
      lines.push(`model rules applied: ${byRule.map(([r, n]) => `${r.replace('kernel-semantics ', '')} ${n}`).join(', ')}`);
    }
    lines.push('reach: ' + Object.entries(this.reach).map(([k, n]) => `${k} ${n}`).join(', '));
    return lines.join('\n');
  }
}
