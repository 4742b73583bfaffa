/**
 * findNeededCaps() as the package exports it: the search (find.ts, search.ts) loads on the first
 * call, not with `import 'linux-caps'` (issue 14: start-up); the call is asynchronous anyway.
 */
import type { NeedOptions, NeedResult } from './find.js';

export type { NeedOptions, NeedProgress, NeedResult } from './find.js';

/**
 * The minimal set of capabilities `command` needs to succeed (exit 0, and stdout matching
 * `expectStdout` where given), found by running it in fresh children: first with every
 * capability this process can give, then eliminating with group splitting, then once more with
 * the result to confirm. Throws ERR_CAPS_NEED_BASELINE when it fails even with every capability,
 * ERR_CAPS_NEED_FLAKY when repeated runs of one set disagree, ERR_CAPS_NEED_BUDGET when the time
 * budget runs out, and EPERM when this process cannot launch the states it would try.
 * @example
 * import { writeFileSync } from 'node:fs';
 * // As root: what `chown 1 FILE` needs (a daemon's own command line in practice).
 * writeFileSync('/tmp/linux-caps-need-example', '');
 * const r = await findNeededCaps('/bin/chown', ['1', '/tmp/linux-caps-need-example']);
 * r.needed;     // ['cap_chown']
 * r.evidence;   // [{ cap: 'cap_chown', without: "exit 1, stderr `/bin/chown: changing ownership of …: Operation not permitted`" }]
 */
export async function findNeededCaps(command: string, args: readonly string[] = [], options: NeedOptions = {}): Promise<NeedResult> {
  const { findNeededCaps: find } = await import('./find.js');
  return find(command, args, options);
}
