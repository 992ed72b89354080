import type { Random } from '../src/demo/random.js';

/**
 * Draws ranks 0..n-1 with P(k) ∝ 1/(k+1)^s, the shape of word frequencies in real
 * text: a few words everywhere, a long tail of words almost nowhere. A table of
 * cumulative weights and a binary search keep a draw at ~20 comparisons.
 */
export class Zipf {
  readonly #cdf: Float64Array;

  constructor(
    readonly size: number,
    readonly exponent: number,
  ) {
    this.#cdf = new Float64Array(size);
    let sum = 0;
    for (let k = 0; k < size; k++) this.#cdf[k] = sum += 1 / (k + 1) ** exponent;
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
