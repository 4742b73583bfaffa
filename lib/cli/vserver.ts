/**
 * `linux-caps vserver DIR [--era ERA] [--cap-bound N] [--json]`: read a util-vserver guest's
 * `bcapabilities` / `ccapabilities` (as `vserver NAME start` does) and show what the guest's
 * processes would hold under each masking policy of the Linux-VServer model (kernel-semantics §4):
 * 'upstream' (vs2.3.0.34: masked by the cap_bset snapshot of the host's cap-bound) and 'bcaps'
 * (the 2008 patch: masked by bcaps). `--cap-bound` sets the host's cap-bound first, as the seed's
 * host did (init holding SETPCAP and a full inheritable set, then `echo N > cap-bound`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CapSet } from '../vocabulary/capset.js';
import { citeRule } from '../model/citation.js';
import * as L from '../model/legacy/index.js';
import * as V from '../model/vserver/index.js';
import { type Io, refuseRepeats, toJson, UsageError } from './common.js';

const XID = 42;
const POLICIES: Array<{ policy: L.VserverMaskPolicy; title: string }> = [
  { policy: 'upstream', title: "policy 'upstream' (vs2.3.0.34: masked by cap_bset, the host's cap-bound when the guest started)" },
  { policy: 'bcaps', title: "policy 'bcaps' (the 2008 patch: masked by the guest's bcaps)" },
];

const ccapList = (mask: bigint) => Object.entries(V.VXC).filter(([, bit]) => (mask & bit) !== 0n).map(([n]) => n.toLowerCase());
const ccapNames = (mask: bigint) => ccapList(mask).join(',') || '(none)';
const capList = (mask: bigint) => CapSet.fromMask(mask & 0xffffffffn).names();
const capsText = (mask: bigint) => capList(mask).join(',') || '(none)';

function must<R>(t: L.LegacyTransition<R>, what: string): L.LegacyTransition<R> {
  if (t.errno !== undefined) throw Object.assign(new Error(`${what}: ${t.reason ?? `errno ${t.errno}`}`), { transition: t });
  return t;
}

/** One policy's outcome; sets are name lists, as \`print --json\` gives them. */
interface PolicyView {
  policy: string;
  started: boolean;
  refusal?: string;
  /** What getpcaps PID prints in the guest (the legacy format). */
  getpcaps?: string;
  effective?: string[];
  permitted?: string[];
  inheritable?: string[];
  /** E ∩ bcaps: what the guest can use. */
  usable?: string[];
}

function view(policy: L.VserverMaskPolicy, files: V.GuestCapabilityFiles, era: V.UtilVserverEra, capBound: string | undefined): PolicyView {
  let sys = L.bootLegacy({ kernel: '2.6.22', vserver: true, maskPolicy: policy });
  if (capBound !== undefined) {
    sys = must(L.capset(sys, 1, { effective: L.ALL32, permitted: L.ALL32, inheritable: L.NSP }), 'init capset').state;
    sys = must(L.writeCapBound(sys, 1, capBound), `echo ${capBound} > /proc/sys/kernel/cap-bound`).state;
  }
  const shell = must(L.forkTask(sys, 1, 'bash'), 'fork');
  sys = must(L.execve(shell.state, shell.result!, { name: 'bash' }), 'exec bash').state;
  const started = V.startGuest(sys, shell.result!, XID, { files, era, policy });
  if (started.errno !== undefined) return { policy, started: false, refusal: `${started.reason ?? `errno ${started.errno}`} [${citeRule(started.rule)}]` };
  const ran = V.execInGuest(started.state, shell.result!, XID, { name: 'getpcaps' }, { policy });
  if (ran.errno !== undefined) return { policy, started: true, refusal: `exec in the guest: ${ran.reason} [${citeRule(ran.rule)}]` };
  const caps = must(L.capget(ran.state, ran.result!), 'capget').result!;
  const ctx = V.findContext(ran.state, XID)!;
  const e = CapSet.from(caps.effective).toMask();
  return {
    policy, started: true,
    getpcaps: L.getpcapsLine(String(ran.result!), caps),
    effective: capList(e), permitted: capList(CapSet.from(caps.permitted).toMask()), inheritable: capList(CapSet.from(caps.inheritable).toMask()),
    usable: capList(e & ctx.bcaps),
  };
}

export function vserverCommand(args: string[], io: Io): number {
  const { values, positionals, tokens } = parseArgs({ tokens: true, args, allowPositionals: true, strict: true, options: { era: { type: 'string' }, 'cap-bound': { type: 'string' }, json: { type: 'boolean' } } });
  refuseRepeats('vserver', tokens);
  const dir = positionals[0];
  if (dir === undefined || positionals.length > 1) throw new UsageError('vserver: give one guest config directory, e.g. linux-caps vserver /etc/vservers/guest');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`vserver: ${dir} is not a directory`);
  const era = (values.era ?? '0.30.215') as V.UtilVserverEra;
  if (!V.UTIL_VSERVER_ERAS.includes(era)) throw new UsageError(`vserver: --era is one of ${V.UTIL_VSERVER_ERAS.join(', ')}`);
  const files: V.GuestCapabilityFiles = {};
  for (const name of ['bcapabilities', 'ccapabilities'] as const) {
    const path = join(dir, name);
    if (existsSync(path)) files[name] = readFileSync(path, 'utf8');
  }
  const guest = V.guestCapabilities(files, { era });
  const views = POLICIES.map(({ policy }) => view(policy, files, era, values['cap-bound']));
  if (values.json) {
    io.out(toJson({ dir, era, bcaps: capList(guest.bcaps), ccaps: ccapList(guest.ccaps), capBound: values['cap-bound'] ?? '-257', policies: views }));
    return 0;
  }
  io.out(`guest ${dir} (util-vserver ${era}${Object.keys(files).length ? `; ${Object.keys(files).join(', ')}` : '; no capability files: secure defaults'})`);
  io.out(`bcaps 0x${guest.bcaps.toString(16)}: ${capsText(guest.bcaps)}`);
  io.out(`ccaps 0x${guest.ccaps.toString(16)}: ${ccapNames(guest.ccaps)}`);
  io.out(`host cap-bound: ${values['cap-bound'] ?? '-257 (the default: all but cap_setpcap)'}`);
  POLICIES.forEach(({ title }, i) => {
    const v = views[i]!;
    io.out(`\n${title}`);
    if (v.refusal) { io.out(`  the guest cannot ${v.started ? 'run a command' : 'start'}: ${v.refusal}`); return; }
    io.out(`  ${v.getpcaps}`);
    io.out(`  usable in the guest (E ∩ bcaps): ${v.usable!.join(',') || '(none)'}`);
  });
  return 0;
}
