/**
 * What the capability matchers accept as `received`, and how it becomes a list of thread states:
 * a pid (every thread, read from /proc), 'self', one state object, or an array of them.
 */
import { CapSet, isCapSetData } from '../vocabulary/capset.js';
import type { CapsError } from '../vocabulary/errors.js';
import { lastCap } from '../vocabulary/names.js';
import { readProcessThreads, type ProcPid } from '../proc/read.js';
import type { Ids } from '../vocabulary/types.js';

/**
 * A thread's state as ThreadState, ProcStatus or the model give it (only the sets are required).
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * const state: CapabilityStateLike = structuredClone(thread.get());   // a state sent by postMessage
 * expect(state).toHaveCapabilities('=');
 */
export interface CapabilityStateLike {
  /** E. */
  effective: CapSet;
  /** P. */
  permitted: CapSet;
  /** I. */
  inheritable: CapSet;
  /** The bounding set. */
  bounding?: CapSet;
  /** The ambient set. */
  ambient?: CapSet;
  /** The thread the state is of, for messages. */
  tid?: number;
  /** no_new_privs. */
  noNewPrivs?: boolean;
  /** Seccomp mode. */
  seccomp?: number | undefined;
  /** The securebits word. */
  securebits?: number;
  /** SECBIT_KEEP_CAPS. */
  keepCaps?: boolean;
  /** User ids. */
  uid?: Ids;
  /** Group ids. */
  gid?: Ids;
  /** Supplementary groups. */
  groups?: readonly number[];
}

/**
 * What `expect(…)` may hold for the capability matchers.
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * const subjects: CapabilitySubject[] = ['self', process.pid, thread.get(), caps.threads()];
 * for (const s of subjects) expect(s).toBeUniformAcrossThreads();
 */
export type CapabilitySubject = number | 'self' | CapabilityStateLike | readonly CapabilityStateLike[];

export interface ResolvedThread {
  /** `thread 1234`, or `state #2` for an object without an id. */
  label: string;
  state: CapabilityStateLike;
}

export interface ResolvedSubject {
  /** How messages name the subject: `pid 1234`, `this process (pid 1234)`, `the given state`. */
  description: string;
  threads: ResolvedThread[];
  unreadable: Array<{ tid: number; error: CapsError }>;
}

/** A set as a state holds it: a CapSet, or its structured clone `{ mask }` (a state sent by postMessage or IPC). */
const isSet = (v: unknown): boolean => v instanceof CapSet || isCapSetData(v);

function isState(x: unknown): x is CapabilityStateLike {
  const s = x as CapabilityStateLike;
  return s != null && typeof s === 'object' && isSet(s.effective) && isSet(s.permitted) && isSet(s.inheritable);
}

/** A state with its sets as CapSets again (a clone's `{ mask }` revived). */
function revived(s: CapabilityStateLike): CapabilityStateLike {
  const set = (v: CapSet | undefined) => (v === undefined ? v : CapSet.from(v));
  const out: CapabilityStateLike = { ...s, effective: CapSet.from(s.effective), permitted: CapSet.from(s.permitted), inheritable: CapSet.from(s.inheritable) };
  const bounding = set(s.bounding);
  const ambient = set(s.ambient);
  if (bounding) out.bounding = bounding;
  if (ambient) out.ambient = ambient;
  return out;
}

function labelOf(s: CapabilityStateLike, index: number): string {
  const id = s.tid;
  return id === undefined ? `state #${index + 1}` : `thread ${id}`;
}

/** Resolves the received value, or returns undefined when it is none of the accepted shapes. */
export function resolveSubject(received: unknown): ResolvedSubject | undefined {
  if (received === 'self' || (typeof received === 'number' && Number.isSafeInteger(received) && received > 0)) {
    const pid = received as ProcPid;
    const { threads, unreadable } = readProcessThreads(pid);
    return {
      description: pid === 'self' ? `this process (pid ${process.pid})` : `pid ${pid}`,
      threads: threads.map((t, i) => ({ label: labelOf(t, i), state: t })),
      unreadable,
    };
  }
  if (isState(received)) {
    return { description: received.tid ? `the state of ${labelOf(received, 0)}` : 'the given state', threads: [{ label: labelOf(received, 0), state: revived(received) }], unreadable: [] };
  }
  if (Array.isArray(received) && received.every(isState)) {
    return {
      description: `${received.length} given thread state${received.length === 1 ? '' : 's'}`,
      threads: received.map((s, i) => ({ label: labelOf(s, i), state: revived(s) })),
      unreadable: [],
    };
  }
  return undefined;
}

/** `thread 1234`, `threads 1234, 1235`, `threads 1234, 1235, 1236 and 8 more`. */
export function labelGroup(labels: string[]): string {
  const ids = labels.map((l) => l.replace(/^(thread|state) /, ''));
  const kind = labels[0]!.startsWith('state') ? 'state' : 'thread';
  if (ids.length === 1) return labels[0]!;
  const shown = ids.slice(0, 3).join(', ');
  return `${kind}s ${shown}${ids.length > 3 ? ` and ${ids.length - 3} more` : ''}`;
}

/** A set for messages: `cap_chown,cap_kill`, or `(none)`. */
export function showSet(s: CapSet): string {
  return s.isEmpty ? '(none)' : s.toString();
}

const BRIEF = 6;

/** Names for messages, at most six: `cap_a,cap_b,… and 12 more`. */
export function briefNames(s: CapSet): string {
  const names = s.names();
  return names.length <= BRIEF ? names.join(',') : `${names.slice(0, BRIEF).join(',')} and ${names.length - BRIEF} more`;
}

/**
 * A set for messages that stays short when it is large: `(none)`, a few names, `all`, or
 * `all but cap_x` against the kernel's full set, else `N caps (0x…)`.
 */
export function briefSet(s: CapSet): string {
  if (s.size <= BRIEF) return showSet(s);
  const full = CapSet.full(lastCap());
  const absent = full.minus(s);
  if (s.minus(full).isEmpty && absent.size <= BRIEF) return absent.isEmpty ? 'all' : `all but ${absent.names().join(',')}`;
  return `${s.size} caps (0x${s.toHex()})`;
}

/** Lines naming the threads that could not be read. */
export function unreadableLines(subject: ResolvedSubject): string[] {
  return subject.unreadable.map((u) => `  thread ${u.tid} could not be read: ${u.error.message}`);
}

/**
 * What a matcher returns to vitest.
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * const r: MatcherResult = toHaveCapabilities.call({ isNot: false }, 'self', '=');
 * r.pass;
 */
export interface MatcherResult {
  /** Whether the assertion holds. */
  pass: boolean;
  /** The failure message (for `.not`, the message when it unexpectedly holds). */
  message: () => string;
}
