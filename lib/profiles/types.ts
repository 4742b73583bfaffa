/** The shapes of lib/profiles/: what a profile is made from, and the formats it is written in. */
import type { CapSetInput } from '../vocabulary/capset.js';

/**
 * The formats toProfile() writes.
 * @example
 * PROFILE_FORMATS.includes('k8s');   // true
 */
export const PROFILE_FORMATS = ['systemd', 'docker', 'podman', 'compose', 'k8s', 'oci', 'label', 'capsh'] as const;

/**
 * A format toProfile() writes.
 * @example const format: ProfileFormat = 'k8s';
 */
export type ProfileFormat = (typeof PROFILE_FORMATS)[number];

/**
 * What a profile is made from: the capabilities a program needs, and how it runs.
 * @example
 * const p: ProfileInput = { caps: ['cap_net_bind_service'], user: 'www-data', noNewPrivs: true };
 */
export interface ProfileInput {
  /** The capabilities the program needs (the whole set it may hold): a CapSet, a mask, or names (checked when used). */
  caps: CapSetInput | Iterable<string>;
  /** Run as this user (a name or a uid); absent, 0 or 'root': root, as a container runs by default. */
  user?: string | number;
  /** Set no_new_privs (NoNewPrivileges=, no-new-privileges, allowPrivilegeEscalation: false). Default true. */
  noNewPrivs?: boolean;
  /** A securebits word to set as well (systemd SecureBits=, capsh --secbits); default none. */
  securebits?: number;
}

/**
 * What `linux-caps need --json` prints (the fields a profile reads).
 * @example
 * const r: NeedResultLike = { needed: ['cap_chown'], mode: 'root' };
 */
export interface NeedResultLike {
  /** The capabilities found needed, as lower-case libcap names. */
  needed: string[];
  /** 'root': the candidate set was the child's bounding, permitted and effective set; 'user': its ambient set as `user`. */
  mode: 'root' | 'user';
  /** The user the command ran as in 'user' mode. */
  user?: string | number;
  /** Whether the runs had no_new_privs (default true). */
  noNewPrivs?: boolean;
}

/**
 * A capability state as a profile reads it: what it holds in P, its effective uid, no_new_privs
 * and securebits (caps.get(), thread.get() and readProcessStatus() all have these).
 * @example
 * const s: StateLike = { permitted: ['cap_chown'], noNewPrivs: true };
 */
export interface StateLike {
  /** The permitted set: what the program may use. */
  permitted: CapSetInput;
  /** no_new_privs. */
  noNewPrivs?: boolean;
  /** The securebits word, where known. */
  securebits?: number;
  /** The ids; the effective uid is the user the profile runs as. */
  uid?: {
    /** The effective uid. */
    effective: number;
  };
}

/**
 * Anything toProfile() takes.
 * @example const source: ProfileSource = { needed: ['cap_chown'], mode: 'root' };
 */
export type ProfileSource = ProfileInput | NeedResultLike | StateLike;
