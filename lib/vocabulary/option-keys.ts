/**
 * Unknown option keys are refused (issue 23): in plain JavaScript a misspelled safety option
 * (`limitBoundng: true`) would otherwise be ignored and the call would succeed with less
 * protection than asked for. The error names the key and the closest valid one.
 */
import { CapsError } from './errors.js';
import { EINVAL } from './abi.js';

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The valid key closest to `key`, when it is close enough to be a likely misspelling. */
export function closestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) { best = candidate; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** Throws ERR_CAPS_INVALID_ARG for the first own key of `options` that is not in `valid`. */
export function refuseUnknownKeys(where: string, options: object | undefined, valid: readonly string[]): void {
  if (options === undefined || options === null || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    const near = closestKey(key, valid);
    throw new CapsError({
      code: 'ERR_CAPS_INVALID_ARG',
      errno: -EINVAL,
      message: `${where}: unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ''}; valid options: ${valid.join(', ')}`,
      expected: near ?? valid.join(', '),
    });
  }
}
