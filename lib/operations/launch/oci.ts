/**
 * launch({ oci }): an OCI runtime-spec `process` block (capabilities, noNewPrivileges, user)
 * applied as runc applies it (issue 17; runc 1.1.5 observed, ../shared/spec/oci-runc.md):
 * the bounding set first, then the user (keeping P), then capset of E, P and I, then the ambient
 * raises, then exec. What that order means, checked against runc in test/operations/oci.test.ts:
 * - effective ⊄ permitted, or inheritable ⊄ bounding: runc's capset fails ("unable to apply
 *   caps: operation not permitted"); refused here before the child starts (EPERM).
 * - an ambient capability outside permitted ∩ inheritable: runc skips its raise silently; so here.
 * - a capability name this kernel or libcap does not know (`CAP_FOO`): runc ignores it; so here.
 */
import { CapSet } from '../../vocabulary/capset.js';
import { lastCap, tryCapFromName } from '../../vocabulary/names.js';
import { invalidArg, syscallError } from '../../vocabulary/errors.js';

/**
 * The part of an OCI runtime-spec `process` (config.json) that launch({ oci }) applies.
 * @example
 * const oci: OciProcess = { capabilities: { bounding: ['CAP_NET_BIND_SERVICE'], permitted: ['CAP_NET_BIND_SERVICE'], effective: ['CAP_NET_BIND_SERVICE'] }, noNewPrivileges: true };
 */
export interface OciProcess {
  /** The five sets, as lists of `CAP_` names; an absent list is empty, as runc takes it. */
  capabilities?: {
    /** The bounding set. */
    bounding?: string[];
    /** The effective set. */
    effective?: string[];
    /** The inheritable set. */
    inheritable?: string[];
    /** The permitted set. */
    permitted?: string[];
    /** The ambient set. */
    ambient?: string[];
  };
  /** Set no_new_privs. */
  noNewPrivileges?: boolean;
  /** The ids the process runs as. */
  user?: {
    /** The uid. */
    uid: number;
    /** The gid. */
    gid: number;
    /** Supplementary gids (default none). */
    additionalGids?: number[];
  };
}

const SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

/** A list of CAP_ names as a set; names this kernel does not know are left out, as runc does. */
function setOf(list: unknown, which: string, last: number): CapSet {
  if (list === undefined) return CapSet.EMPTY;
  if (!Array.isArray(list) || list.some((n) => typeof n !== 'string')) throw invalidArg(`oci capabilities.${which}`, list, 'an array of capability names');
  const caps = (list as string[]).map((name) => tryCapFromName(name)).filter((cap): cap is number => cap !== undefined && cap <= last);
  return CapSet.of(...caps);
}

function id(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0xfffffffe) throw invalidArg(what, value, 'an id from 0 to 4294967294');
  return value as number;
}

/** The launch() options an OCI process block stands for. */
export interface OciLaunchOptions {
  iab: { inheritable: CapSet; ambient: CapSet; notBounding: CapSet };
  caps: { effective: CapSet; permitted: CapSet; inheritable: CapSet };
  noNewPrivs?: boolean;
  user?: number;
  group?: number;
  groups?: number[];
}

/** The launch options that give a child what runc gives the container's process for `oci`. */
export function ociLaunchOptions(oci: OciProcess, last: number = lastCap()): OciLaunchOptions {
  if (oci === null || typeof oci !== 'object' || Array.isArray(oci)) throw invalidArg('oci', oci, "an OCI runtime-spec 'process' object");
  const c = oci.capabilities ?? {};
  if (c === null || typeof c !== 'object') throw invalidArg('oci capabilities', c, 'an object of five lists');
  const [bounding, effective, inheritable, permitted, ambient] = SETS.map((s) => setOf((c as Record<string, unknown>)[s], s, last)) as [CapSet, CapSet, CapSet, CapSet, CapSet];
  const refuse = (why: string) => syscallError({ errno: 1, syscall: 'capset', detail: 'of the OCI process capabilities', reason: `${why}: runc fails the same way ("unable to apply caps: operation not permitted")` });
  if (!effective.isSubsetOf(permitted)) throw refuse(`effective has ${effective.minus(permitted).names().join(',')} outside permitted`);
  if (!inheritable.isSubsetOf(bounding)) throw refuse(`inheritable has ${inheritable.minus(bounding).names().join(',')} outside the bounding set, which runc reduces first`);
  const options: OciLaunchOptions = {
    iab: { inheritable, ambient: ambient.intersect(permitted).intersect(inheritable), notBounding: CapSet.full(last).minus(bounding) },
    caps: { effective, permitted, inheritable },
  };
  if (oci.noNewPrivileges !== undefined) {
    if (typeof oci.noNewPrivileges !== 'boolean') throw invalidArg('oci noNewPrivileges', oci.noNewPrivileges, 'true or false');
    if (oci.noNewPrivileges) options.noNewPrivs = true;
  }
  if (oci.user !== undefined) {
    const u = oci.user;
    if (u === null || typeof u !== 'object') throw invalidArg('oci user', u, '{ uid, gid, additionalGids? }');
    options.user = id(u.uid, 'oci user.uid');
    options.group = id(u.gid, 'oci user.gid');
    if (u.additionalGids !== undefined && !Array.isArray(u.additionalGids)) throw invalidArg('oci user.additionalGids', u.additionalGids, 'an array of gids');
    options.groups = (u.additionalGids ?? []).map((g, i) => id(g, `oci user.additionalGids[${i}]`));
  }
  return options;
}
