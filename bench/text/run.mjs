#!/usr/bin/env node
// `npm run bench:text`: formatCaps and parseCaps beside libcap 2.66's cap_to_text and
// cap_from_text, on the same seeded input set, measured in one run. Prints ns/op and the
// ratio (JS / C; below 1.0 means faster than libcap in C). Needs gcc and libcap-dev, and a
// built dist/ (the npm script builds it first).
//   options: --seed=N  --count=N (inputs)  --rounds=N  --ms=N (minimum per round)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const seed = Number(args.seed ?? 2008) >>> 0;
const count = Number(args.count ?? 2000);
const rounds = Number(args.rounds ?? 5);
const minMs = Number(args.ms ?? 200);

const { formatCaps, parseCaps, CapSet, lastCap } = await import(join(root, 'dist', 'index.js'));

// --- the C side: build (cached by source hash) -------------------------------------------
const source = join(here, 'libcap-bench.c');
const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
const cacheDir = join(root, 'node_modules', '.cache', 'linux-caps-bench', hash);
const binary = join(cacheDir, 'libcap-bench');
if (!existsSync(binary)) {
  mkdirSync(cacheDir, { recursive: true });
  execFileSync('gcc', ['-O2', '-Wall', '-o', `${binary}.tmp`, source, '-lcap'], { stdio: 'inherit' });
  renameSync(`${binary}.tmp`, binary);
}

// --- the input set: what processes and files really hold, plus arbitrary sets ------------
let state = seed || 1;
const random = () => {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296;
};
const kernelBits = lastCap() + 1;
const full = (1n << BigInt(kernelBits)) - 1n;
const someBits = (n) => {
  let m = 0n;
  for (let k = 0; k < n; k++) m |= 1n << BigInt(Math.floor(random() * kernelBits));
  return m;
};
/** Mixed: sets like processes and files hold (a few caps, =ep minus a few) and arbitrary ones. */
function mixedTriples() {
  const triples = [];
  for (let k = 0; k < count; k++) {
    const kind = k % 4;
    let e, p, i;
    if (kind === 0) { p = someBits(1 + Math.floor(random() * 3)); e = random() < 0.7 ? p : 0n; i = random() < 0.3 ? p : 0n; }
    else if (kind === 1) { p = full & ~someBits(Math.floor(random() * 3)); e = p; i = random() < 0.5 ? someBits(2) : 0n; }
    else if (kind === 2) { e = someBits(Math.floor(random() * 12)); p = e | someBits(Math.floor(random() * 12)); i = someBits(Math.floor(random() * 6)); }
    else { e = full & BigInt(Math.floor(random() * 2 ** 32)) << 9n; p = e | (full & ~someBits(20)); i = someBits(Math.floor(random() * 8)); }
    triples.push({ effective: CapSet.fromMask(e), permitted: CapSet.fromMask(p), inheritable: CapSet.fromMask(i) });
  }
  return triples;
}

/** Typical: the short strings people write in unit files, setcap lines and capsh calls. */
const TYPICAL = [
  'cap_net_bind_service=ep', 'cap_net_raw+ep', '=ep', '=', 'cap_net_admin,cap_net_raw=eip', '=ep cap_setpcap-e',
  'cap_sys_admin+p', '= cap_setuid+eip', 'cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,'
  + 'cap_setpcap,cap_net_bind_service,cap_net_raw,cap_sys_chroot,cap_mknod,cap_audit_write,cap_setfcap=eip',
  'cap_ipc_lock=ep', 'cap_sys_nice,cap_sys_resource=ep', 'cap_dac_read_search=ei', '=ep cap_sys_resource-ep',
  'cap_net_bind_service,cap_setuid,cap_setgid=p', 'cap_bpf,cap_perfmon=ep', 'cap_sys_ptrace=eip',
];
function typicalTriples() {
  return Array.from({ length: count }, (_, k) => parseCaps(TYPICAL[k % TYPICAL.length]));
}

function writeInputs(name, triples) {
  // The parse inputs are the texts libcap prints for those sets (what getpcaps users feed
  // back), as flat strings, the way text read from a file, a pipe or a literal arrives.
  const texts = triples.map((t) => Buffer.from(formatCaps(t)).toString());
  const file = join(cacheDir, `inputs-${name}-${seed}-${count}.txt`);
  writeFileSync(file, [
    ...triples.map((t) => `F ${t.effective.toMask().toString(16)} ${t.permitted.toMask().toString(16)} ${t.inheritable.toMask().toString(16)}`),
    ...texts.map((t) => `P ${Buffer.from(t).toString('hex')}`),
  ].join('\n') + '\n');
  return { name, triples, texts, file, meanLength: texts.reduce((n, t) => n + t.length, 0) / texts.length };
}

const inputSets = [writeInputs('mixed', mixedTriples()), writeInputs('typical', typicalTriples())];

// --- alternate JS and C rounds, so both see the same machine load ------------------------
// CPU time of this process (user + system, all threads: GC and compiler threads count too),
// as the C side counts CLOCK_PROCESS_CPUTIME_ID: wall time would include waiting for a core.
const cpuNs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

function timeJs(run) {
  const start = cpuNs();
  let ops = 0;
  let elapsed;
  do {
    run();
    ops += count;
  } while ((elapsed = cpuNs() - start) < minMs * 1e6);
  return elapsed / ops;
}

function timeC(set, which) {
  const out = JSON.parse(execFileSync(binary, [set.file, which, String(minMs)], { encoding: 'utf8' }));
  if (out.sets !== count || out.texts !== count) throw new Error(`the C bench read ${out.sets}/${out.texts} inputs, not ${count}`);
  return out.ns;
}

let sink = 0;
const formatAll = ({ triples }) => () => {
  for (let k = 0; k < count; k++) {
    const out = formatCaps(triples[k]);
    sink += out.charCodeAt(out.length >> 1); // reading a char flattens V8's rope: the full cost
  }
};
const parseAll = ({ texts }) => () => {
  for (let k = 0; k < count; k++) sink += parseCaps(texts[k]).permitted.isEmpty ? 1 : 0;
};

const best = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const row = (name, cName, { js, c }) => {
  const ratios = js.map((x, k) => x / c[k]);
  return `  ${name.padEnd(11)} ${best(js).toFixed(1).padStart(8)} ns/op   ${cName.padEnd(14)} ${best(c).toFixed(1).padStart(8)} ns/op   `
    + `ratio ${(best(js) / best(c)).toFixed(2)} (best/best), ${median(ratios).toFixed(2)} (median of paired rounds)`;
};

console.log(`bench:text: ${count} inputs per set (seed ${seed}), kernel ${kernelBits} caps, ${rounds} alternating rounds of >=${minMs} ms CPU time each side, node ${process.version}`);
for (const set of inputSets) {
  const format = formatAll(set);
  const parse = parseAll(set);
  const results = { format: { js: [], c: [] }, parse: { js: [], c: [] } };
  timeJs(format); timeJs(parse); // warm-up round, untimed
  for (let r = 0; r < rounds; r++) {
    results.format.js.push(timeJs(format));
    results.format.c.push(timeC(set, 'format'));
    results.parse.js.push(timeJs(parse));
    results.parse.c.push(timeC(set, 'parse'));
  }
  console.log(`${set.name} set (texts of ${set.meanLength.toFixed(0)} chars on average):`);
  console.log(row('formatCaps', 'cap_to_text', results.format));
  console.log(row('parseCaps', 'cap_from_text', results.parse));
}
console.log(`ratio = JS / libcap 2.66 in C; <= 1.00 means as fast as libcap or faster${sink === -1 ? '!' : ''}`);
