/**
 * toBeUniformAcrossThreads: every thread of the subject holds the same credentials — the
 * library's whole-process promise (DESIGN: "after a whole-process call every thread is equal").
 */
import { CapsError } from '../vocabulary/errors.js';
import type { CapabilityStateLike } from './subject.js';
import { type MatcherResult, briefSet, labelGroup, resolveSubject, unreadableLines } from './subject.js';
import { EINVAL } from '../vocabulary/abi.js';

type Field = keyof CapabilityStateLike;

/** Fields compared, in message order; a field a state does not carry is not compared. */
const FIELDS: Field[] = [
  'effective', 'permitted', 'inheritable', 'ambient', 'bounding', 'noNewPrivs', 'securebits', 'keepCaps', 'seccomp', 'uid', 'gid', 'groups',
];

function show(field: Field, value: unknown): string {
  if (value === undefined) return 'unknown';
  if (field === 'uid' || field === 'gid') {
    const ids = value as { real: number; effective: number; saved: number; fs: number };
    return `${ids.real}/${ids.effective}/${ids.saved}/${ids.fs} (real/effective/saved/fs)`;
  }
  if (field === 'groups') return (value as number[]).length === 0 ? '(none)' : (value as number[]).join(',');
  if (field === 'securebits') return `0x${(value as number).toString(16)}`;
  if (typeof value === 'object' && value !== null && 'toMask' in value) return briefSet(value as never);
  return String(value);
}

/**
 * The matcher, written against vitest's matcher protocol.
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * caps.set({ effective: [], permitted: ['cap_net_raw'], inheritable: [] });
 * expect('self').toBeUniformAcrossThreads();
 */
export function toBeUniformAcrossThreads(this: { isNot?: boolean }, received: unknown): MatcherResult {
  const subject = resolveSubject(received);
  if (!subject) {
    throw new CapsError({
      code: 'ERR_CAPS_INVALID_ARG',
      errno: -EINVAL,
      message: `toBeUniformAcrossThreads: expected a pid, 'self' or an array of thread states, got ${typeof received}`,
    });
  }
  const lines: string[] = [];
  for (const field of FIELDS) {
    if (subject.threads.every(({ state }) => state[field] === undefined)) continue;
    const byValue = new Map<string, string[]>();
    for (const { label, state } of subject.threads) {
      const key = show(field, state[field]);
      byValue.set(key, [...(byValue.get(key) ?? []), label]);
    }
    if (byValue.size < 2) continue;
    // Most common value first: the odd threads out come after it.
    const ordered = [...byValue].sort((a, b) => b[1].length - a[1].length);
    lines.push(`  ${field} differs:`, ...ordered.map(([value, labels]) => `    ${labelGroup(labels)}: ${value}`));
  }
  const pass = lines.length === 0 && subject.unreadable.length === 0 && subject.threads.length > 0;
  const count = subject.threads.length;
  const message = () => pass
    ? `expected the threads of ${subject.description} not to be uniform, but all ${count} hold the same credentials`
    : [
      `expected the ${count} threads of ${subject.description} to hold the same credentials`,
      ...(count === 0 ? ['  no thread could be read'] : []),
      ...lines,
      ...unreadableLines(subject),
    ].join('\n');
  return { pass, message };
}
