/**
 * Seeded PRNG (sfc32 seeded through splitmix32), so that `--seed S` gives the same sequences
 * on every run and `--only I` can rebuild sequence I without generating the ones before it.
 */

function splitmix32(state) {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A random source with the few draws the generator needs. */
export class Rng {
  /** @param {number} seed run seed (uint32) @param {number} stream e.g. the sequence index */
  constructor(seed, stream = 0) {
    const mix = splitmix32((seed >>> 0) ^ Math.imul(stream + 1, 0x27d4eb2d));
    mix(); // decorrelate neighbouring streams
    this.a = mix(); this.b = mix(); this.c = mix(); this.d = mix() | 1;
    for (let k = 0; k < 12; k++) this.u32();
  }

  /** Uniform uint32. */
  u32() {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform integer in [0, n). */
  int(n) { return Math.floor((this.u32() / 4294967296) * n); }

  /** true with probability p. */
  chance(p) { return this.u32() / 4294967296 < p; }

  /** One element of a non-empty array. */
  pick(items) { return items[this.int(items.length)]; }

  /** A key of `weights` chosen in proportion to its weight. */
  weighted(weights) {
    const entries = Object.entries(weights).filter(([, w]) => w > 0);
    let total = 0;
    for (const [, w] of entries) total += w;
    let x = (this.u32() / 4294967296) * total;
    for (const [key, w] of entries) {
      x -= w;
      if (x < 0) return key;
    }
    return entries[entries.length - 1][0];
  }

  /** Uniform 64-bit mask as a bigint. */
  mask64() { return (BigInt(this.u32()) << 32n) | BigInt(this.u32()); }

  /** Each bit of `mask` kept with probability p. */
  subset(mask, p = 0.5) {
    let out = 0n;
    for (let bit = 0n, m = mask; m; bit++, m >>= 1n) if ((m & 1n) && this.chance(p)) out |= 1n << bit;
    return out;
  }

  /** One set bit of `mask` (its number), or -1 when empty. */
  bitOf(mask) {
    const bits = [];
    for (let bit = 0, m = mask; m; bit++, m >>= 1n) if (m & 1n) bits.push(bit);
    return bits.length ? this.pick(bits) : -1;
  }
}

/** A fresh random uint32 seed (for runs without --seed). */
export function randomSeed() {
  return (Math.floor(Math.random() * 4294967296) ^ (Date.now() & 0xffffffff)) >>> 0;
}
