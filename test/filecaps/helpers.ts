/**
 * Shared by the file-caps tests: a scratch directory on a filesystem with security xattrs,
 * the oracles (setcap / getcap / getfattr) driven in batches, and a seeded PRNG.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, isLinux, isRoot } from '../helpers/env.js';

export const oracles = {
  linux: isLinux,
  root: isRoot,
  'setcap/getcap (apt libcap2-bin)': hasCommand('setcap') && hasCommand('getcap'),
  'getfattr/setfattr (apt attr)': hasCommand('getfattr') && hasCommand('setfattr'),
};

/** A fresh directory under the OS temp dir (ext4 here: security xattrs supported); rm with `dispose`. */
export function scratchDir(prefix = 'linux-caps-filecaps-'): { dir: string; file(name: string): string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name: string): string {
      const path = join(dir, name);
      writeFileSync(path, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      return path;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function run(cmd: string, args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `setcap [-n rootid] TEXT PATH` for each job in one shell; throws with setcap's stderr on failure. */
export function setcapBatch(jobs: Array<{ path: string; text: string; rootid?: number }>): void {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = jobs
    .map((j) => `setcap ${j.rootid === undefined ? '' : `-n ${j.rootid} `}${quote(j.text)} ${quote(j.path)}`)
    .join('\n');
  const r = run('sh', ['-e', '-s'], `${script}\n`);
  if (r.status !== 0) throw new Error(`setcap failed (${r.status}): ${r.stderr}`);
}

/** The raw security.capability bytes of each path as getfattr shows them (null: none). */
export function getfattrBatch(paths: string[]): Map<string, Uint8Array | null> {
  const r = run('getfattr', ['--absolute-names', '-n', 'security.capability', '-e', 'hex', ...paths]);
  const found = new Map<string, Uint8Array | null>(paths.map((p) => [p, null]));
  let current: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) current = line.slice(8);
    const m = /^security\.capability=0x([0-9a-f]*)$/.exec(line);
    if (m && current !== undefined) found.set(current, Uint8Array.from(Buffer.from(m[1]!, 'hex')));
  }
  return found;
}

/** What `getcap [-n]` prints after each path (text, plus ` [rootid=N]` with -n); null: no caps. */
export function getcapBatch(paths: string[], opts: { rootid?: boolean } = {}): Map<string, string | null> {
  const r = run('getcap', [...(opts.rootid ? ['-n'] : []), ...paths]);
  const found = new Map<string, string | null>(paths.map((p) => [p, null]));
  for (const line of r.stdout.split('\n')) {
    const path = paths.find((p) => line.startsWith(`${p} `));
    if (path !== undefined) found.set(path, line.slice(path.length + 1));
  }
  return found;
}

/** Writes raw bytes with setfattr (the kernel validates them); returns setfattr's exit status and stderr. */
export function setfattrRaw(path: string, bytes: Uint8Array): { status: number | null; stderr: string } {
  const r = run('setfattr', ['-n', 'security.capability', '-v', `0x${Buffer.from(bytes).toString('hex')}`, path]);
  return { status: r.status, stderr: r.stderr };
}

export { prng } from '../helpers/prng.js';

/** A random mask over caps 0..last, with a density chosen per call (sparse to dense). */
export function randomMask(rand: () => number, last: number): bigint {
  const density = [0, 0.05, 0.3, 0.7, 0.97][Math.floor(rand() * 5)]!;
  let mask = 0n;
  for (let c = 0; c <= last; c++) if (rand() < density) mask |= 1n << BigInt(c);
  return mask;
}

/** Capability numbers in a mask, ascending. */
export function bitsOf(mask: bigint): number[] {
  const out: number[] = [];
  for (let c = 0; c < 64; c++) if ((mask >> BigInt(c)) & 1n) out.push(c);
  return out;
}

/**
 * setcap text for a triple written with numbers only (independent of our own text code):
 * `= 0,5+p 5+i 0,5+e`. libcap accepts numbers below 64, also beyond the kernel's last cap.
 */
export function numericSetcapText(p: bigint, i: bigint, e: boolean): string {
  const clauses = ['='];
  if (p) clauses.push(`${bitsOf(p).join(',')}+p`);
  if (i) clauses.push(`${bitsOf(i).join(',')}+i`);
  if (e && (p | i)) clauses.push(`${bitsOf(p | i).join(',')}+e`);
  return clauses.join(' ');
}
