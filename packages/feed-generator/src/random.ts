/**
 * The feed's one source of randomness: a seeded 32-bit PRNG (mulberry32) and the draws the
 * generator makes from it. The order of draws is the feed: every module draws from the same
 * `Random`, so moving a draw changes the output.
 */

type Rng = () => number;

/** mulberry32: a tiny 32-bit PRNG, uniform in [0, 1) (also the bench's and the soak's). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private readonly next: Rng;
  /** `salt` (default 0) gives a second, independent stream for the same seed. */
  constructor(seed: number, salt = 0) {
    // Fold the high bits of a 53-bit seed into 32 bits, then scramble.
    const folded = (seed % 4294967296) ^ Math.floor(seed / 4294967296) ^ salt;
    this.next = mulberry32(Math.imul(folded ^ 0x9e3779b9, 0x85ebca6b) ^ 0x2c1b3c6d);
  }
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  /** Picks by weight; `weights` parallel to `items`. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i] as T;
    }
    return items[items.length - 1] as T;
  }
  /** `x` rounded down or up at random so that the mean is `x`. */
  round(x: number): number {
    const f = Math.floor(x);
    return f + (this.next() < x - f ? 1 : 0);
  }
  /** `k` distinct items, in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      const tmp = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = tmp;
    }
    return copy.slice(0, n);
  }
}
