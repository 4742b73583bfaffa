/**
 * Random operation sequences that reach the interesting cases. A sequence is a prologue (a
 * recipe that puts the process where the next operations tend to succeed: keepcaps before
 * setuid, I raised before ambient raises, a user namespace with maps, a file with caps) followed
 * by random steps. Arguments are chosen from the predicted current state most of the time
 * (caps in P, ids the process holds) and at random otherwise (invalid caps, unknown bits, -1).
 */
import { Rng } from './prng.mjs';

const V1 = 0x19980330, V2 = 0x20071026, V3 = 0x20080522;
const AMBIENT = 47;
const ID_POOL = [0, 0, 1000, 1000, 2000, 3000, 65534];

const STEP_WEIGHTS = {
  capset: 13, capget: 1,
  ambientRaise: 9, ambientOther: 4, keepcaps: 5, securebits: 7, bsetDrop: 5, bsetRead: 2,
  nnp: 2, getters: 3, oddPrctl: 2,
  setuid: 5, setreuid: 4, setresuid: 7, setfsuid: 4,
  setgid: 2, setregid: 2, setresgid: 3, setfsgid: 2, setgroups: 2,
  execve: 14, unshare: 4, uidMap: 3, gidMap: 3, setgroupsFile: 2, shareFs: 1, traceme: 0.5, thread: 1,
};

const PROLOGUES = { none: 20, ambient: 20, keepcaps: 17, userns: 17, filecaps: 18, unsafe: 8, traced: 6, nsroot: 6, nesting: 3 };

/**
 * Generates sequence `index` of run `seed`, one step at a time: `next(view)` gets the state the
 * model predicts now (or undefined) and returns the next operation, or undefined at the end.
 */
export class SequenceGenerator {
  /**
   * @param {number} seed
   * @param {number} index
   * @param {{ catalog: {s: object[], n: object[]}, lastCap: number }} ctx
   */
  constructor(seed, index, ctx) {
    this.rng = new Rng(seed, index);
    this.ctx = ctx;
    this.valid = (1n << BigInt(ctx.lastCap + 1)) - 1n;
    this.prologue = this.rng.weighted(PROLOGUES);
    this.queue = this.prologueSteps(this.prologue);
    this.remaining = 1 + this.rng.int(10);
  }

  /** @param {object|undefined} view predicted state ({e,p,i,b,a,sb,nnp,uid,gid,nsLevel,uidMapped,gidMapped}) */
  next(view) {
    const v = view ?? this.ctx.initialView;
    if (this.queue.length) return this.queue.shift()(v);
    if (this.remaining-- <= 0) return undefined;
    return this.randomStep(v);
  }

  prologueSteps(kind) {
    const r = this.rng;
    const steps = [];
    switch (kind) {
      case 'ambient': {
        steps.push((v) => ({ op: 'capset', version: V3, pid: 0, effective: v.p, permitted: v.p, inheritable: r.subset(v.p & v.b, 0.6) | v.i }));
        const raises = 1 + r.int(3);
        for (let k = 0; k < raises; k++) steps.push((v) => this.ambient(2, r.bitOf(v.p & v.i)));
        if (r.chance(0.5)) steps.push(() => ({ op: 'prctl', option: 8, arg2: 1, arg3: 0, arg4: 0, arg5: 0 }));
        if (r.chance(0.6)) steps.push((v) => this.setidStep(v, r.pick(['setuid', 'setresuid', 'setreuid'])));
        if (r.chance(0.6)) steps.push(() => this.execStep(true));
        break;
      }
      case 'keepcaps': {
        if (r.chance(0.8)) steps.push(() => ({ op: 'prctl', option: 8, arg2: 1, arg3: 0, arg4: 0, arg5: 0 }));
        else steps.push((v) => ({ op: 'prctl', option: 28, arg2: v.sb | r.pick([0x10, 0x14, 0x30, 0x4]), arg3: 0, arg4: 0, arg5: 0 }));
        steps.push((v) => this.setidStep(v, r.pick(['setuid', 'setresuid', 'setreuid', 'setresuid'])));
        if (r.chance(0.5)) steps.push((v) => this.setidStep(v, r.pick(['setresuid', 'setfsuid', 'setreuid'])));
        break;
      }
      case 'userns': {
        if (r.chance(0.35)) {
          steps.push(() => ({ op: 'prctl', option: 8, arg2: 1, arg3: 0, arg4: 0, arg5: 0 }));
          steps.push(() => ({ op: 'setresuid', ruid: 1000, euid: 1000, suid: 1000 }));
        }
        if (r.chance(0.25)) steps.push((v) => ({ op: 'capset', version: V3, pid: 0, effective: r.subset(v.p, 0.7), permitted: v.p, inheritable: r.subset(v.p & v.b, 0.3) }));
        steps.push(() => ({ op: 'unshare-user' }));
        if (r.chance(0.8)) steps.push((v) => this.mapStep(v, 'uid'));
        if (r.chance(0.7)) {
          if (r.chance(0.85)) steps.push(() => ({ op: 'write-setgroups', value: 'deny' }));
          steps.push((v) => this.mapStep(v, 'gid'));
        }
        if (r.chance(0.6)) steps.push(() => this.execStep(true));
        break;
      }
      case 'filecaps': {
        if (r.chance(0.3)) steps.push((v) => ({ op: 'capset', version: V3, pid: 0, effective: v.e, permitted: v.p, inheritable: r.subset(v.p & v.b, 0.5) }));
        if (r.chance(0.3)) steps.push((v) => this.setidStep(v, r.pick(['setresuid', 'setuid'])));
        steps.push(() => this.execStep(true));
        if (r.chance(0.4)) steps.push(() => this.execStep(true));
        break;
      }
      case 'unsafe': {
        // An exec while another process shares our fs_struct (kernel-semantics §2.6 step 4).
        steps.push(() => ({ op: 'share-fs' }));
        if (r.chance(0.3)) steps.push(() => ({ op: 'prctl', option: 38, arg2: 1, arg3: 0, arg4: 0, arg5: 0 }));
        if (r.chance(0.6)) steps.push((v) => this.setidStep(v, r.pick(['setresuid', 'setuid', 'setreuid'])));
        steps.push(() => this.execStep(true));
        break;
      }
      case 'nsroot': {
        // A namespace whose root is uid 1000, then a v3 file: its rootid decides whether the file
        // caps apply (kernel-semantics §2.7, §2.8).
        steps.push(() => ({ op: 'prctl', option: 8, arg2: 1, arg3: 0, arg4: 0, arg5: 0 }));
        steps.push(() => ({ op: 'setresuid', ruid: 1000, euid: 1000, suid: 1000 }));
        steps.push(() => ({ op: 'unshare-user' }));
        steps.push(() => ({ op: 'write-uid-map', inside: 0, outside: 'self', count: 1 }));
        if (r.chance(0.7)) {
          steps.push(() => ({ op: 'write-setgroups', value: 'deny' }));
          steps.push(() => ({ op: 'write-gid-map', inside: 0, outside: 'self', count: 1 }));
        }
        if (r.chance(0.3)) steps.push((v) => ({ op: 'capset', version: V3, pid: 0, effective: v.e, permitted: v.p, inheritable: r.subset(v.p, 0.5) }));
        steps.push(() => this.execV3Step());
        if (r.chance(0.4)) steps.push(() => this.execStep(true));
        break;
      }
      case 'nesting': {
        // 30 to 35 nested user namespaces, each mapping uid and gid 0 to the parent's: the kernel
        // allows 33 below the initial one and refuses the 34th with ENOSPC (create_user_ns).
        const levels = 30 + r.int(6);
        for (let k = 0; k < levels; k++) {
          steps.push(() => ({ op: 'unshare-user' }));
          steps.push(() => ({ op: 'write-uid-map', inside: 0, outside: 'self', count: 1 }));
          steps.push(() => ({ op: 'write-setgroups', value: 'deny' }));
          steps.push(() => ({ op: 'write-gid-map', inside: 0, outside: 'self', count: 1 }));
        }
        if (r.chance(0.5)) steps.push(() => this.execStep(true));
        break;
      }
      case 'traced': {
        // An exec under ptrace, the tracer holding our credentials of the moment (with or
        // without cap_sys_ptrace) — kernel-semantics §2.6 step 4.
        if (r.chance(0.5)) steps.push((v) => ({ op: 'capset', version: V3, pid: 0, effective: v.e & ~(1n << 19n), permitted: v.p, inheritable: v.i }));
        if (r.chance(0.3)) steps.push((v) => this.setidStep(v, r.pick(['setresuid', 'setuid'])));
        steps.push(() => ({ op: 'traceme' }));
        if (r.chance(0.5)) steps.push((v) => this.setidStep(v, r.pick(['setresuid', 'setuid', 'setreuid'])));
        steps.push(() => this.execStep(true));
        break;
      }
      default:
        break;
    }
    return steps;
  }

  randomStep(v) {
    const r = this.rng;
    const kind = r.weighted(STEP_WEIGHTS);
    switch (kind) {
      case 'capset': return this.capsetStep(v);
      case 'capget': return { op: 'capget', version: r.pick([V3, V3, V1, V2, 0x12345678]), pid: r.pick([0, 0, 0, 1, -1, 2 ** 30, 'self']), probe: r.chance(0.2) };
      case 'ambientRaise': return this.ambient(2, r.chance(0.8) ? r.bitOf(r.chance(0.7) ? v.p & v.i : v.p) : this.anyCap());
      case 'ambientOther': {
        const op = r.pick([1, 3, 3, 4, 0, 5]);
        const cap = r.chance(0.7) ? r.bitOf(v.a | v.p) : this.anyCap();
        if (op === 4) return { op: 'prctl', option: AMBIENT, arg2: 4, arg3: r.chance(0.8) ? 0 : cap, arg4: 0, arg5: r.chance(0.9) ? 0 : 1 };
        return this.ambient(op, cap, r.chance(0.08) ? 1 : 0, r.chance(0.05) ? 1 : 0);
      }
      case 'keepcaps': return { op: 'prctl', option: 8, arg2: r.pick([0, 1, 1, 2, -1]), arg3: 0, arg4: 0, arg5: 0 };
      case 'securebits': return { op: 'prctl', option: 28, arg2: this.securebitsValue(v), arg3: 0, arg4: 0, arg5: 0 };
      case 'bsetDrop': return { op: 'prctl', option: 24, arg2: r.chance(0.8) ? r.bitOf(v.b) : this.anyCap(), arg3: 0, arg4: 0, arg5: 0 };
      case 'bsetRead': return { op: 'prctl', option: 23, arg2: this.anyCap(), arg3: 0, arg4: 0, arg5: 0 };
      case 'nnp': return { op: 'prctl', option: 38, arg2: r.pick([1, 1, 1, 0, 2]), arg3: r.chance(0.9) ? 0 : 1, arg4: 0, arg5: 0 };
      case 'getters': {
        const option = r.pick([7, 27, 39]);
        return { op: 'prctl', option, arg2: r.chance(0.85) ? 0 : 1, arg3: 0, arg4: 0, arg5: 0 };
      }
      case 'oddPrctl': return { op: 'prctl', option: AMBIENT, arg2: r.pick([0, 5, 99]), arg3: r.bitOf(v.p), arg4: 0, arg5: 0 };
      case 'setuid': case 'setreuid': case 'setresuid': case 'setfsuid':
      case 'setgid': case 'setregid': case 'setresgid': case 'setfsgid':
        return this.setidStep(v, kind);
      case 'setgroups': return { op: 'setgroups', groups: r.pick([[], [0], [1000], [1000, 3000], [v.gid[1]]]) };
      case 'execve': return this.execStep(r.chance(0.92));
      case 'unshare': return { op: 'unshare-user' };
      case 'uidMap': return this.mapStep(v, 'uid');
      case 'gidMap': return this.mapStep(v, 'gid');
      case 'shareFs': return { op: 'share-fs' };
      case 'traceme': return { op: 'traceme' };
      case 'thread': return { op: 'spawn-thread' };
      case 'setgroupsFile': return { op: 'write-setgroups', value: r.chance(0.8) ? 'deny' : 'allow' };
      default: throw new Error(`generator: no step ${kind}`);
    }
  }

  /** A capability number: usually valid, sometimes just past LAST, sometimes absurd. */
  anyCap() {
    const r = this.rng;
    const last = this.ctx.lastCap;
    return r.weighted({ valid: 8, edge: 2, wild: 1 }) === 'valid' ? r.int(last + 1)
      : r.chance(0.7) ? last + 1 + r.int(3) : r.pick([63, 64, 100, -1, 2 ** 31]);
  }

  ambient(op, cap, arg4 = 0, arg5 = 0) {
    return { op: 'prctl', option: AMBIENT, arg2: op, arg3: cap < 0 && cap !== -1 ? this.anyCap() : cap, arg4, arg5 };
  }

  capsetStep(v) {
    const r = this.rng;
    const version = r.weighted({ [V3]: 85, [V1]: 8, [V2]: 4, 0x11111111: 3 });
    const pid = r.chance(0.93) ? 0 : r.pick([1, -1, 'self', 'self']);
    if (r.chance(0.75)) {
      const permitted = r.chance(0.2) ? v.p : r.subset(v.p, 0.85);
      const effective = r.subset(permitted, 0.8);
      const inheritable = r.weighted({ keep: 3, fromP: 4, anyB: 2, any: 1 }) === 'keep' ? v.i
        : r.chance(0.6) ? r.subset(v.p | v.i, 0.5) : r.subset(r.chance(0.7) ? v.b : this.valid, 0.4);
      return { op: 'capset', version: Number(version), pid, effective, permitted, inheritable };
    }
    const noise = () => (r.chance(0.3) ? r.mask64() : r.subset(this.valid | (1n << BigInt(this.ctx.lastCap + 1)), 0.3));
    return { op: 'capset', version: Number(version), pid, effective: noise(), permitted: r.chance(0.5) ? v.p : noise(), inheritable: noise() };
  }

  securebitsValue(v) {
    const r = this.rng;
    const flip = r.pick([0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x14, 0x55, 0x500]);
    switch (r.weighted({ toggle: 6, same: 1, random: 2, unknown: 1 })) {
      case 'toggle': return v.sb ^ flip;
      case 'same': return v.sb;
      case 'random': return r.int(0x1000);
      default: return v.sb | r.pick([0x1000, 0x2000, 0x80000000]);
    }
  }

  /** An id for set*id: one the process holds, a common one, or -1 (unchanged). */
  id(held) {
    const r = this.rng;
    const x = r.weighted({ held: 4, pool: 5, keep: 2 });
    return x === 'held' ? r.pick(held) : x === 'pool' ? r.pick(ID_POOL) : -1;
  }

  setidStep(v, kind) {
    const u = (held) => this.id(held);
    switch (kind) {
      case 'setuid': return { op: 'setuid', uid: this.nonKeep(u(v.uid)) };
      case 'setreuid': return { op: 'setreuid', ruid: u(v.uid), euid: u(v.uid) };
      case 'setresuid': return { op: 'setresuid', ruid: u(v.uid), euid: u(v.uid), suid: u(v.uid) };
      case 'setfsuid': return { op: 'setfsuid', fsuid: u(v.uid) };
      case 'setgid': return { op: 'setgid', gid: this.nonKeep(u(v.gid)) };
      case 'setregid': return { op: 'setregid', rgid: u(v.gid), egid: u(v.gid) };
      case 'setresgid': return { op: 'setresgid', rgid: u(v.gid), egid: u(v.gid), sgid: u(v.gid) };
      case 'setfsgid': return { op: 'setfsgid', fsgid: u(v.gid) };
      default: throw new Error(`generator: no set*id ${kind}`);
    }
  }

  nonKeep(id) { return id === -1 && this.rng.chance(0.8) ? this.rng.pick([0, 1000]) : id; }

  execStep(suidMount) {
    const r = this.rng;
    const { s, n, r: raw = [] } = this.ctx.catalog;
    if (!suidMount && n.length) return { op: 'execve', file: r.int(n.length), nosuid: true };
    // v1 and malformed xattrs (the read-only ext4 image) now and then.
    if (raw.length && r.chance(0.1)) return { op: 'execve', file: r.pick(raw).index, nosuid: false, raw: true };
    // Files with caps twice as often as the others.
    const withCaps = s.filter((f) => f.xattr);
    const f = withCaps.length && r.chance(0.6) ? r.pick(withCaps) : r.pick(s);
    return { op: 'execve', file: f.index, nosuid: false };
  }

  /** An exec of a v3 (rootid-carrying) file on the suid mount, if the catalog has one. */
  execV3Step() {
    const v3 = this.ctx.catalog.s.filter((f) => f.xattr && f.xattr.slice(6, 8) === '03');
    return v3.length ? { op: 'execve', file: this.rng.pick(v3).index, nosuid: false } : this.execStep(true);
  }

  mapStep(v, which) {
    const r = this.rng;
    const inside = r.pick([0, 0, 0, 1000, 5]);
    if (r.chance(0.9)) return { op: `write-${which}-map`, inside, outside: 'self', count: 1 };
    return { op: `write-${which}-map`, inside, outside: r.pick([0, 1000, 2000]), count: r.pick([1, 1, 2]) };
  }
}
