/**
 * A small, fast, seeded pseudo-random generator (sfc32, seeded through
 * splitmix32) and seed derivation. Every random choice the simulator makes
 * comes from here, so a run is a pure function of its seed.
 */

/** Largest seed accepted: seeds are unsigned 32-bit integers. */
export const MAX_SEED = 0xffffffff;

/** splitmix32: a bijective mixer, used to spread seeds and derive new ones. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A seed derived from `seed` and a list of salts (for example a shard number
 * and a run number). Deterministic; different salts give unrelated seeds.
 */
export function deriveSeed(seed: number, ...salts: number[]): number {
  let h = mix32(seed >>> 0);
  for (const s of salts) h = mix32((h ^ mix32((s >>> 0) ^ 0x5bd1e995)) >>> 0);
  return h >>> 0;
}

/** sfc32 (Chris Doty-Humphrey's small fast counter generator): 128 bits of state, period at least 2^32. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x6a09e667);
    this.c = mix32(this.b ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The next unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [0, n), for 1 <= n <= 2^32. */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }
}
