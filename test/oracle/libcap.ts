/**
 * Client of the libcap oracle (test/oracle/libcap-oracle.c): one process per batch, one line
 * per question. `kernelBits` runs the oracle under the fake-kernel-bits shim so that libcap
 * sizes itself as on a kernel with that many capabilities (text-formats §2.4); without it,
 * libcap probes the running kernel.
 */
import { spawnSync } from 'node:child_process';
import { buildOracle } from './build.js';

export type Masks = readonly [bigint, bigint, bigint];

export type OracleParse =
  | { ok: true; masks: Masks; text: string }
  | { ok: false; errno: number };

function hex64(mask: bigint): string {
  return mask.toString(16);
}

function run(requests: string[], kernelBits: number | undefined): string[] {
  const { oracle, shim } = buildOracle();
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (kernelBits !== undefined) {
    env.LD_PRELOAD = shim;
    env.LINUX_CAPS_FAKE_CAP_BITS = String(kernelBits);
  }
  const input = requests.length ? `${requests.join('\n')}\n` : '';
  const result = spawnSync(oracle, [], { input, env, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`libcap oracle failed (${result.status ?? result.signal}): ${result.stderr}`);
  }
  const lines = result.stdout.split('\n');
  lines.pop();
  if (lines.length !== requests.length) {
    throw new Error(`libcap oracle answered ${lines.length} lines for ${requests.length} requests`);
  }
  if (kernelBits !== undefined && requests[0] === 'M' && Number(lines[0]) !== kernelBits) {
    throw new Error(`the fake-kernel-bits shim did not take: libcap sees ${lines[0]} bits`);
  }
  return lines;
}

/** Runs the batch with an `M` question first, to prove which kernel size libcap used. */
function runSized(requests: string[], kernelBits: number | undefined): string[] {
  return run(['M', ...requests], kernelBits).slice(1);
}

function parseMasks(words: string[]): Masks {
  return [BigInt(`0x${words[0]}`), BigInt(`0x${words[1]}`), BigInt(`0x${words[2]}`)];
}

function parseAnswer(line: string): OracleParse {
  if (line.startsWith('ERR')) return { ok: false, errno: Number(line.slice(4)) };
  if (!line.startsWith('OK ')) throw new Error(`unexpected oracle answer: ${line}`);
  const words = line.slice(3).split(' ');
  return { ok: true, masks: parseMasks(words), text: words.slice(3).join(' ') };
}

function textArg(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/** cap_max_bits() as libcap sees it (under the shim when kernelBits is given). */
export function libcapMaxBits(kernelBits?: number): number {
  return Number(run(['M'], kernelBits)[0]);
}

/** cap_max_bits() under a shim that hooks libc's prctl() only: says which call libcap probes with. */
export function libcapMaxBitsPrctlOnly(kernelBits: number): number {
  const lines = spawnSync(buildOracle().oracle, [], {
    input: 'M\n', encoding: 'utf8',
    env: { ...process.env, LD_PRELOAD: buildOracle().prctlOnlyShim, LINUX_CAPS_FAKE_CAP_BITS: String(kernelBits) },
  }).stdout.split('\n');
  return Number(lines[0]);
}

/** cap_to_text for raw [E, P, I] masks. */
export function libcapFormatCaps(triples: readonly Masks[], kernelBits?: number): string[] {
  return runSized(triples.map(([e, p, i]) => `F ${hex64(e)} ${hex64(p)} ${hex64(i)}`), kernelBits);
}

/** cap_from_text: [E, P, I] masks and cap_to_text of the result, or the errno. */
export function libcapParseCaps(texts: readonly string[], kernelBits?: number): OracleParse[] {
  return runSized(texts.map((t) => `P ${textArg(t)}`), kernelBits).map(parseAnswer);
}

/** cap_iab_from_text: [I, A, NB] masks (bits below cap_max_bits only) and cap_iab_to_text. */
export function libcapParseIAB(texts: readonly string[], kernelBits?: number): OracleParse[] {
  return runSized(texts.map((t) => `I ${textArg(t)}`), kernelBits).map(parseAnswer);
}

/** cap_iab_to_text of an IAB built from raw [I, A, NB] masks with cap_iab_set_vector. */
export function libcapFormatIAB(iabs: readonly Masks[], kernelBits?: number): string[] {
  return runSized(iabs.map(([i, a, nb]) => `J ${hex64(i)} ${hex64(a)} ${hex64(nb)}`), kernelBits);
}
