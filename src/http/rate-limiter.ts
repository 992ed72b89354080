import { DomainError } from '../errors.js';

/**
 * Counts attempts per key (an account, a client address, a widget visitor) in a sliding
 * window and refuses further attempts once a key reaches its limit: failed sign-ins (so
 * passwords cannot be guessed at speed), reset requests, new chats, widget messages. Kept
 * in memory: each app instance limits on its own, which still bounds a key to instances × limit.
 */
export class SlidingWindowLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
    /** What a refused caller is told; other forms (contact, password reset) count every attempt with take(). */
    private readonly refusal = 'Too many failed sign-in attempts; wait a few minutes and try again',
  ) {}

  /** Throws rate_limited when the key has used up its attempts. */
  check(key: string): void {
    if (this.#recent(key, this.clock()).length >= this.limit) throw new DomainError('rate_limited', this.refusal);
  }

  /** Counts an attempt that is limited whether or not it succeeds, refusing it once the key has used up its allowance. */
  take(key: string): void {
    this.check(key);
    this.fail(key);
  }

  fail(key: string): void {
    const now = this.clock();
    this.#failures.set(key, [...this.#recent(key, now), now]);
    // Forget keys whose failures have all expired, so the map cannot grow without bound.
    if (this.#failures.size > 10_000) for (const key of [...this.#failures.keys()]) if (this.#recent(key, now).length === 0) this.#failures.delete(key);
  }

  succeed(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => now - at < this.windowMs);
  }
}
