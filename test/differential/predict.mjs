/**
 * The model's side: turns a harness operation into the model's ModelStep, applies it with the
 * model's dispatcher (dist/internal.js), and shows the predicted credential the way the
 * executor observes one (ids as the thread's namespace sees them, AT_SECURE of the last exec).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './build.mjs';
import { execDir } from './ops.mjs';

/** Loads the compiled model; throws a clear error when dist/ is missing. */
export async function loadModel() {
  const path = join(projectRoot, 'dist', 'internal.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: build the model first (npx tsc -p tsconfig.json)`);
  const model = await import(pathToFileURL(path).href);
  for (const name of ['applyStep', 'createKernel', 'createCred', 'uidSeenFrom', 'gidSeenFrom', 'capable']) {
    if (typeof model[name] !== 'function') throw new Error(`dist/internal.js does not export ${name}()`);
  }
  return model;
}

/** A hex mask from the executor ("000001fffeffffff") as a bigint. */
export const maskOf = (hex) => BigInt(`0x${hex || '0'}`);

/** The observed state line of the executor in the comparable shape. */
export function observedSnapshot(line) {
  // capget and /proc/self/status must tell the same story, or the executor is not to be trusted.
  if (line.proc && (maskOf(line.proc[0]) !== maskOf(line.e) || maskOf(line.proc[1]) !== maskOf(line.p) || maskOf(line.proc[2]) !== maskOf(line.i))) {
    throw new Error(`capget (E=${line.e} P=${line.p} I=${line.i}) and /proc/self/status (${line.proc.join(' ')}) differ at step ${line.s}`);
  }
  return {
    e: maskOf(line.e), p: maskOf(line.p), i: maskOf(line.i), b: maskOf(line.b), a: maskOf(line.a),
    sb: line.sb, kc: line.kc, nnp: line.nnp, uid: line.uid, gid: line.gid,
    groups: [...line.groups].sort((x, y) => x - y), sec: line.sec,
  };
}

/** The tid the model is told is ours; the executor substitutes its real tid for `pid: 'self'`. */
const SELF_TID = 4_000_001;

export class Predictor {
  /**
   * @param {object} model the loaded dist/internal.js
   * @param {object} initialLine the executor's initial state line (root on this machine)
   * @param {number} lastCap
   * @param {Array<object>} files the files the supervisor reported (stored owner/mode/xattr)
   * @param {string} [version] the model's kernel version ('6.18' is the running kernel's rules)
   * @param {{effective: bigint, permitted: bigint, inheritable: bigint}} [pid1] pid 1's sets (for capget(1))
   */
  constructor(model, initialLine, lastCap, files, version = '6.18', pid1 = undefined) {
    this.model = model;
    this.kernel = model.createKernel({ lastCap, version });
    const o = observedSnapshot(initialLine);
    const [uid, euid, suid, fsuid] = o.uid;
    const [gid, egid, sgid, fsgid] = o.gid;
    this.initialCred = model.createCred(this.kernel, {
      uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups: o.groups,
      effective: o.e, permitted: o.p, inheritable: o.i, bounding: o.b, ambient: o.a,
      securebits: o.sb, noNewPrivs: o.nnp === 1,
    });
    this.files = { s: [], n: [], r: [] };
    for (const f of files) {
      this.files[f.dir][f.idx] = {
        path: `/${f.dir}/f${f.idx}`, uid: f.uid, gid: f.gid, mode: f.mode,
        ...(f.xattr ? { xattr: Uint8Array.from(Buffer.from(f.xattr, 'hex')) } : {}),
        mount: { nosuid: f.dir === 'n' },
      };
    }
    // capget/capset on "another task": pid 1 exists (capget reads its sets, capset is EPERM).
    const init = pid1 ? { ...this.initialCred, ...pid1 } : this.initialCred;
    this.env = { selfTid: SELF_TID, resolve: (pid) => (pid === 1 ? init : undefined) };
  }

  /** The state a sequence starts from. */
  start() {
    return { cred: this.initialCred, atSecure: false, preUnshare: { euid: -1, egid: -1 }, sharedFs: false, tracer: undefined, threaded: false };
  }

  /** The model's ModelStep for a harness operation in state `st`. */
  toStep(st, op) {
    switch (op.op) {
      case 'execve': {
        const context = { sharedFs: st.sharedFs };
        if (st.tracer) {
          // ptracer_capable(): CAP_SYS_PTRACE of the tracer's recorded cred over the exec'ing thread's ns.
          Object.assign(context, { traced: true, tracerCapable: this.model.capable(st.tracer, st.cred.ns, 19) });
        }
        return { op: 'execve', file: this.files[execDir(op)][op.file], context };
      }
      case 'write-uid-map':
      case 'write-gid-map': {
        const outside = op.outside === 'self' ? (op.op === 'write-uid-map' ? st.preUnshare.euid : st.preUnshare.egid) : op.outside;
        return { op: op.op, extents: [{ inside: op.inside, outside, count: op.count }] };
      }
      case 'capget':
      case 'capset':
        return op.pid === 'self' ? { ...op, pid: SELF_TID } : op;
      default: return op;
    }
  }

  /**
   * Applies one operation. Returns the model's transition plus the harness state after it.
   * A model exception is returned as `{ thrown }` (a disagreement of its own).
   */
  apply(st, op) {
    if (op.op === 'share-fs') {
      // Not a credential change: the environment of later execs (ExecContext.sharedFs).
      return { t: { state: st.cred, result: 0, rule: 'harness: fs_struct now shared (later execs are unsafe)' }, next: { ...st, sharedFs: true } };
    }
    if (op.op === 'spawn-thread') {
      return { t: { state: st.cred, result: 0, rule: 'harness: now multi-threaded' }, next: { ...st, threaded: true } };
    }
    if (op.op === 'traceme') {
      // PTRACE_TRACEME records the caller's own cred as the tracer's (kernel/ptrace.c ptrace_link).
      if (st.tracer) return { t: { state: st.cred, errno: -1, rule: 'harness: already traced' }, next: st };
      return { t: { state: st.cred, result: 0, rule: 'harness: now traced' }, next: { ...st, tracer: st.cred } };
    }
    let t;
    try {
      t = this.model.applyStep(this.kernel, st.cred, this.toStep(st, op), st.threaded ? { ...this.env, multithreaded: true } : this.env);
    } catch (error) {
      return { thrown: error, next: st };
    }
    const next = { ...st, cred: t.state };
    if (t.errno === undefined || t.errno === 0) {
      if (op.op === 'execve') {
        next.atSecure = Boolean(t.result?.atSecure);
        next.threaded = false; // execve leaves only the calling thread (de_thread)
      }
      if (op.op === 'unshare-user') {
        const { uidSeenFrom, gidSeenFrom } = this.model;
        next.preUnshare = { euid: uidSeenFrom(st.cred.ns, st.cred.euid), egid: gidSeenFrom(st.cred.ns, st.cred.egid) };
        // unshare(CLONE_NEWUSER) implies CLONE_FS: a shared fs_struct is copied (kernel/fork.c
        // ksys_unshare/unshare_fs), so execs are safe again — observed with the executor.
        next.sharedFs = false;
      }
    }
    return { t, next };
  }

  /** The predicted state in the executor's terms. */
  snapshot(st) {
    const { uidSeenFrom, gidSeenFrom } = this.model;
    const c = st.cred;
    const u = (k) => uidSeenFrom(c.ns, k);
    const g = (k) => gidSeenFrom(c.ns, k);
    return {
      e: c.effective, p: c.permitted, i: c.inheritable, b: c.bounding, a: c.ambient,
      sb: c.securebits, kc: (c.securebits & 0x10) ? 1 : 0, nnp: c.noNewPrivs ? 1 : 0,
      uid: [u(c.uid), u(c.euid), u(c.suid), u(c.fsuid)], gid: [g(c.gid), g(c.egid), g(c.sgid), g(c.fsgid)],
      groups: c.groups.map(g).sort((x, y) => x - y), sec: st.atSecure ? 1 : 0,
    };
  }

  /** What the generator looks at: the snapshot plus namespace facts. */
  view(st) {
    const s = this.snapshot(st);
    return { ...s, nsLevel: st.cred.ns.level, uidMapped: st.cred.ns.uidMap.length > 0, gidMapped: st.cred.ns.gidMap.length > 0 };
  }
}
