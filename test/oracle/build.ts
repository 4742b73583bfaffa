/**
 * Builds the libcap oracles for the text-format tests: `libcap-oracle` (linked with -lcap)
 * and the `fake-kernel-bits.so` LD_PRELOAD shim. Output goes to
 * node_modules/.cache/linux-caps-oracle/<hash of the sources>/, so a rebuild happens only when
 * a source changes, and concurrent test files reuse one build.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand, hasFile } from '../helpers/env.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const ORACLE_SOURCE = join(here, 'libcap-oracle.c');
const SHIM_SOURCE = join(here, 'fake-kernel-bits.c');

export interface OracleBuild {
  /** The batch oracle executable. */
  oracle: string;
  /** The LD_PRELOAD shim faking the kernel's number of capabilities. */
  shim: string;
  /** The same shim hooking libc's prctl() only (not syscall()). */
  prctlOnlyShim: string;
}

/** What the oracle build needs, in the shape `missing()` from test/helpers/env.ts takes. */
export function oracleRequirements(): Record<string, boolean> {
  return {
    gcc: hasCommand('gcc'),
    'libcap-dev': hasFile('/usr/include/sys/capability.h'),
  };
}

let built: OracleBuild | undefined;

/** Compiles the oracle and the shim once (cached by source hash) and returns their paths. */
export function buildOracle(): OracleBuild {
  if (built) return built;
  const hash = createHash('sha256');
  for (const file of [ORACLE_SOURCE, SHIM_SOURCE]) hash.update(readFileSync(file));
  const dir = join(root, 'node_modules', '.cache', 'linux-caps-oracle', hash.digest('hex').slice(0, 16));
  mkdirSync(dir, { recursive: true });
  const oracle = join(dir, 'libcap-oracle');
  const shim = join(dir, 'fake-kernel-bits.so');
  const prctlOnlyShim = join(dir, 'fake-kernel-bits-prctl-only.so');
  compile(oracle, ['-O2', '-Wall', '-Werror', ORACLE_SOURCE, '-lcap']);
  compile(shim, ['-O2', '-Wall', '-Werror', '-shared', '-fPIC', SHIM_SOURCE, '-ldl']);
  compile(prctlOnlyShim, ['-O2', '-Wall', '-Werror', '-DHOOK_SYSCALL=0', '-shared', '-fPIC', SHIM_SOURCE, '-ldl']);
  built = { oracle, shim, prctlOnlyShim };
  return built;
}

/** gcc into a temporary name, then rename: parallel test files never see a half-written file. */
function compile(output: string, args: string[]): void {
  if (existsSync(output)) return;
  const tmp = `${output}.${process.pid}.tmp`;
  execFileSync('gcc', ['-o', tmp, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, output);
}
