// Seeded randomness, so two runs with the same --seed load the same inbox and any
// difference in the figures comes from the code or the machine, not the data.

export type Random = {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  /** Picks a key with probability proportional to its weight. */
  weighted<T extends string>(weights: Readonly<Record<T, number>>): T;
  /** Exponentially distributed with this mean: gaps between messages. */
  exponential(mean: number): number;
};

/** mulberry32: tiny, fast and good enough for test data (not for anything secret). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    chance: (p) => next() < p,
    weighted(weights) {
      const entries = Object.entries(weights) as [keyof typeof weights, number][];
      let r = next() * entries.reduce((sum, [, w]) => sum + w, 0);
      for (const [key, w] of entries) {
        r -= w;
        if (r < 0) return key;
      }
      return entries[entries.length - 1]![0];
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
  };
}

/**
 * Draws ranks 0..n-1 with P(k) ∝ 1/(k+1)^s, the shape of word frequencies in real
 * text: a few words everywhere, a long tail of words almost nowhere. A table of
 * cumulative weights and a binary search keep a draw at ~20 comparisons.
 */
export class Zipf {
  readonly #cdf: Float64Array;

  constructor(readonly size: number, readonly exponent: number) {
    this.#cdf = new Float64Array(size);
    let sum = 0;
    for (let k = 0; k < size; k++) this.#cdf[k] = sum += 1 / Math.pow(k + 1, exponent);
    for (let k = 0; k < size; k++) this.#cdf[k]! /= sum;
  }

  /** The probability of rank k: the expected share of all drawn words. */
  probability(k: number): number {
    return this.#cdf[k]! - (k > 0 ? this.#cdf[k - 1]! : 0);
  }

  draw(random: Random): number {
    const u = random.next();
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
