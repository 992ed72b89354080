import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../src/http/rate-limiter.js';

describe('login limiter', () => {
  it('refuses a key after its failures reach the limit, until the window has passed', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(2, 1000, () => now);
    limiter.fail('a');
    limiter.check('a');
    limiter.fail('a');
    expect(() => limiter.check('a')).toThrowError(expect.objectContaining({ code: 'rate_limited' }));
    limiter.check('b');
    now = 1000;
    limiter.check('a');
  });

  it('a success clears the key', () => {
    const limiter = new SlidingWindowLimiter(1, 1000, () => 0);
    limiter.fail('a');
    limiter.succeed('a');
    limiter.check('a');
  });
});
