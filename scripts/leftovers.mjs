// Finds capability-carrying files the suite left behind (issue 11): under the temp directory,
// in directories named linux-caps-*, any file with a security.capability xattr or a setuid or
// setgid bit. On a shared machine such a file is a way up for any local user.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of privileged leftovers under `tmp` (only inside linux-caps-* directories). */
export async function privilegedLeftovers(tmp) {
  const { loadNative } = await import('../dist/internal.js');
  const addon = loadNative();
  const found = [];
  const walk = (dir) => {
    let names;
    try { names = readdirSync(dir); } catch { return; }
    for (const name of names) {
      const path = join(dir, name);
      let st;
      try { st = lstatSync(path); } catch { continue; }
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        const xattr = addon.xattrGetPath(path);
        if ((st.mode & 0o6000) !== 0) found.push(`${path} (mode ${(st.mode & 0o7777).toString(8)})`);
        else if (typeof xattr !== 'number') found.push(`${path} (security.capability)`);
      }
    }
  };
  for (const name of readdirSync(tmp)) if (name.startsWith('linux-caps-')) walk(join(tmp, name));
  return found;
}
