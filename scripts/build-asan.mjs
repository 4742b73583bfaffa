#!/usr/bin/env node
// Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/, with
// cmake-js and CMakeLists.txt (which reads its sources out of binding.gyp).
//
//   node scripts/build-asan.mjs            build if missing or older than a source
//   node scripts/build-asan.mjs --force    rebuild from scratch
//   node scripts/build-asan.mjs --print-env   print the environment that loads it (sh syntax)
//
// Offline: cmake-js takes the Node headers from npm_config_nodedir (this Node's own prefix,
// e.g. /usr with /usr/include/node), never from a download.
// The result only runs inside a process that has the sanitizer runtime first in its library
// list: see asanEnv() (LD_PRELOAD of gcc's libasan), which scripts/test.mjs uses.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const asanOutDir = join(root, 'build-asan');
export const asanAddon = join(asanOutDir, 'Release', 'linux_caps.node');

/** Where gcc keeps a runtime library (e.g. libasan.so), or undefined when gcc does not know it. */
function gccLibrary(name) {
  const run = spawnSync('gcc', [`-print-file-name=${name}`], { encoding: 'utf8' });
  const path = run.status === 0 ? run.stdout.trim() : '';
  return path.startsWith('/') && existsSync(path) ? path : undefined;
}

/**
 * The environment under which a plain `node` loads the sanitized addon: libasan preloaded
 * (GCC's libasan also carries the UBSan runtime for -fsanitize=address,undefined), the first
 * error ends the process with a non-zero status (86 for ASan, 87 for UBSan), and
 * LINUX_CAPS_NATIVE_PATH points the loader at build-asan/. Leak detection is off: V8 and Node
 * keep allocations alive until exit. LINUX_CAPS_SANITIZER marks the run for tests (ASan's
 * allocator keeps freed memory, so RSS growth is no leak signal under it).
 */
export function asanEnv() {
  const libasan = gccLibrary('libasan.so');
  if (!libasan) throw new Error('gcc -print-file-name=libasan.so found no libasan (apt-get install gcc / libasan8)');
  return {
    LD_PRELOAD: libasan,
    ASAN_OPTIONS: 'detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=86:allow_user_segv_handler=1',
    UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1:exitcode=87',
    LINUX_CAPS_NATIVE_PATH: asanAddon,
    // Tells tests that allocator-level measurements (RSS growth) mean nothing in this run.
    LINUX_CAPS_SANITIZER: 'address,undefined',
  };
}

/** Every file in the folders of binding.gyp's sources (headers included), and the build descriptions. */
function buildInputs() {
  const list = spawnSync(process.execPath, [join(root, 'scripts', 'gyp-target.mjs'), 'sources', 'linux_caps'], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error(list.stderr.trim());
  const folders = new Set(list.stdout.split(';').filter(Boolean).map((s) => dirname(join(root, s))));
  const files = [...folders].flatMap((dir) => readdirSync(dir).map((f) => join(dir, f)));
  return [...files, join(root, 'binding.gyp'), join(root, 'CMakeLists.txt'), join(root, 'scripts', 'gyp-target.mjs')];
}

/** True when build-asan/ holds an addon newer than every input. */
export function asanBuildIsFresh() {
  if (!existsSync(asanAddon)) return false;
  const built = statSync(asanAddon).mtimeMs;
  return buildInputs().every((f) => !existsSync(f) || statSync(f).mtimeMs <= built);
}

/** Builds build-asan/Release/linux_caps.node; throws with cmake-js's exit status on failure. */
export function buildAsan({ force = false, quiet = false } = {}) {
  if (!force && asanBuildIsFresh()) {
    if (!quiet) console.log(`build-asan: ${asanAddon} is up to date`);
    return asanAddon;
  }
  if (force) rmSync(asanOutDir, { recursive: true, force: true });
  const cmakeJs = createRequire(join(root, 'package.json')).resolve('cmake-js/bin/cmake-js');
  const env = { ...process.env };
  if (!env.npm_config_nodedir) {
    const prefix = resolve(dirname(process.execPath), '..');
    if (!existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
      throw new Error(`no Node headers under ${prefix}/include/node; set npm_config_nodedir to a Node source or headers dir`);
    }
    env.npm_config_nodedir = prefix;
  }
  const args = [cmakeJs, 'build', '--directory', root, '--out', asanOutDir, '--config', 'Release',
    '--CDLINUX_CAPS_SANITIZE=ON', '--CDCMAKE_EXPORT_COMPILE_COMMANDS=ON', '--parallel', '2'];
  if (quiet) args.push('--log-level', 'warn');
  const started = Date.now();
  console.log(`build-asan: cmake-js build (headers: ${env.npm_config_nodedir}/include/node)…`);
  const run = spawnSync(process.execPath, args, { cwd: root, env, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
  if (run.status !== 0 || !existsSync(asanAddon)) {
    throw new Error(`cmake-js failed (exit ${run.status ?? run.signal}); ${asanAddon} not built`);
  }
  const needed = spawnSync('readelf', ['-d', asanAddon], { encoding: 'utf8' }).stdout ?? '';
  if (!/libasan\.so/.test(needed)) throw new Error(`${asanAddon} does not link libasan: the sanitizer flags did not apply`);
  console.log(`build-asan: built ${asanAddon} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return asanAddon;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  try {
    if (argv.includes('--print-env')) {
      for (const [k, v] of Object.entries(asanEnv())) console.log(`export ${k}='${v}'`);
    } else {
      buildAsan({ force: argv.includes('--force') });
    }
  } catch (err) {
    console.error(`build-asan: ${err.message}`);
    process.exit(1);
  }
}
