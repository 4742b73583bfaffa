/**
 * User names for uids, read from /etc/passwd (no NSS, no dependency): what pscap shows in
 * its `name` column. Entries beyond /etc/passwd (LDAP, systemd-homed) show as the number.
 */
import { readFileSync } from 'node:fs';

/** uid → first account name with that uid in a passwd-format text. Malformed lines are skipped. */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    if (fields.length < 3 || fields[0] === '' || !/^[0-9]+$/.test(fields[2]!)) continue;
    const uid = Number(fields[2]);
    if (!names.has(uid)) names.set(uid, fields[0]!);
  }
  return names;
}

/** A lookup over /etc/passwd as it is now (an empty one if the file cannot be read). */
export function readUserNames(path = '/etc/passwd'): (uid: number) => string | undefined {
  let names: Map<number, string>;
  try {
    names = parsePasswd(readFileSync(path, 'utf8'));
  } catch {
    names = new Map();
  }
  return (uid) => names.get(uid);
}
