/**
 * toHaveCapabilities: every thread of the subject holds exactly the expected sets.
 * Text (`'cap_net_bind_service=ep'`) is libcap's and fixes E, P and I exactly; an object fixes
 * only the sets it names, each exactly.
 */
import { CapSet, type CapSetInput } from '../vocabulary/capset.js';
import { CapsError, invalidArg } from '../vocabulary/errors.js';
import { formatCaps, parseCaps } from '../text/index.js';
import { type MatcherResult, labelGroup, resolveSubject, briefNames, briefSet, unreadableLines, type ResolvedSubject } from './subject.js';
import { EINVAL } from '../vocabulary/abi.js';

/**
 * The sets toHaveCapabilities can check, in the order it reports them.
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * SET_NAMES.includes('ambient');   // true
 */
export const SET_NAMES = ['effective', 'permitted', 'inheritable', 'ambient', 'bounding'] as const;
/**
 * One of SET_NAMES.
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * const set: SetName = 'bounding';
 * expect(process.pid).toHaveCapabilities({ [set]: CapSet.full(lastCap()) });
 */
export type SetName = (typeof SET_NAMES)[number];

/**
 * The expectation of toHaveCapabilities: libcap text, or the sets to check (others are not checked).
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * const expected: CapabilityExpectation = 'cap_net_bind_service=ep';
 * expect('self').toHaveCapabilities(expected);
 */
export type CapabilityExpectation = string | Partial<Record<SetName, CapSetInput>>;

interface Expected {
  /** For messages: the text as given, or `{ ambient: cap_net_raw }`. */
  shown: string;
  sets: Array<[SetName, CapSet]>;
  fromText: boolean;
}

function parseExpectation(expected: unknown): Expected {
  if (typeof expected === 'string') {
    const t = parseCaps(expected);
    return {
      shown: JSON.stringify(expected),
      sets: [['effective', t.effective], ['permitted', t.permitted], ['inheritable', t.inheritable]],
      fromText: true,
    };
  }
  if (expected == null || typeof expected !== 'object' || Array.isArray(expected) || expected instanceof CapSet) {
    throw invalidArg('toHaveCapabilities expectation', expected, 'libcap text such as "cap_net_raw=ep", or { effective?, permitted?, inheritable?, ambient?, bounding? }');
  }
  const sets: Array<[SetName, CapSet]> = [];
  for (const [key, value] of Object.entries(expected)) {
    if (!(SET_NAMES as readonly string[]).includes(key)) {
      throw invalidArg('toHaveCapabilities set name', key, SET_NAMES.join(', '));
    }
    if (value !== undefined) sets.push([key as SetName, CapSet.from(value as CapSetInput)]);
  }
  if (sets.length === 0) {
    throw invalidArg('toHaveCapabilities expectation', expected, 'at least one of effective, permitted, inheritable, ambient, bounding');
  }
  sets.sort((a, b) => SET_NAMES.indexOf(a[0]) - SET_NAMES.indexOf(b[0]));
  return { shown: `{ ${sets.map(([k, v]) => `${k}: ${briefSet(v)}`).join('; ')} }`, sets, fromText: false };
}

interface Mismatch {
  set: SetName;
  expected: CapSet;
  actual: CapSet | undefined;
}

/** What is missing and what is extra first, then both sets, kept short (40 names help nobody). */
function mismatchLine(m: Mismatch): string {
  if (m.actual === undefined) return `    ${m.set}: unknown in this state (expected ${briefSet(m.expected)})`;
  const missing = m.expected.minus(m.actual);
  const extra = m.actual.minus(m.expected);
  const diff = [missing.isEmpty ? '' : `missing ${briefNames(missing)}`, extra.isEmpty ? '' : `extra ${briefNames(extra)}`].filter(Boolean).join('; ');
  return `    ${m.set}: ${diff} (expected ${briefSet(m.expected)}, is ${briefSet(m.actual)})`;
}

/**
 * The matcher, written against vitest's matcher protocol (`this.isNot`, `{ pass, message }`).
 * @example
 * // type-check only: a matcher needs vitest's runner
 * import { expect } from 'vitest';
 * const child = launch('/bin/sleep', ['1'], { iab: '^cap_net_raw' });
 * expect(child.pid).toHaveCapabilities({ ambient: ['cap_net_raw'] });
 * expect(thread.get()).not.toHaveCapabilities('cap_sys_admin+e');
 */
export function toHaveCapabilities(this: { isNot?: boolean }, received: unknown, expectation: CapabilityExpectation): MatcherResult {
  const want = parseExpectation(expectation);
  const subject: ResolvedSubject | undefined = resolveSubject(received);
  if (!subject) {
    throw new CapsError({
      code: 'ERR_CAPS_INVALID_ARG',
      errno: -EINVAL,
      message: `toHaveCapabilities: expected a pid, 'self', a thread state or an array of them, got ${typeof received}`,
    });
  }
  // Group threads that fail the same way, so an 11-thread process reads as one paragraph.
  const groups = new Map<string, { labels: string[]; lines: string[]; text?: string }>();
  for (const { label, state } of subject.threads) {
    const mismatches: Mismatch[] = [];
    for (const [set, expected] of want.sets) {
      const actual = state[set];
      if (actual === undefined || !actual.equals(expected)) mismatches.push({ set, expected, actual });
    }
    if (mismatches.length === 0) continue;
    const lines = mismatches.map(mismatchLine);
    const key = lines.join('\n');
    const group = groups.get(key) ?? { labels: [], lines };
    if (want.fromText) group.text = formatCaps(state);
    group.labels.push(label);
    groups.set(key, group);
  }
  const pass = groups.size === 0 && subject.unreadable.length === 0 && subject.threads.length > 0;
  const count = subject.threads.length;
  const message = () => {
    if (pass) {
      return `expected ${subject.description} not to have capabilities ${want.shown}, but ${count === 1 ? 'it has' : `all ${count} threads have`} them`;
    }
    const out = [`expected ${subject.description} to have capabilities ${want.shown}`];
    if (count === 0) out.push('  no thread could be read');
    for (const g of groups.values()) {
      out.push(`  ${labelGroup(g.labels)}${g.text === undefined ? '' : ` (is "${g.text}")`}:`, ...g.lines);
    }
    out.push(...unreadableLines(subject));
    return out.join('\n');
  };
  return { pass, message };
}
