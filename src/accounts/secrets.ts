import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Session and API tokens carry 256 random bits, so a fast unsalted SHA-256 is enough to
// store them: there is nothing to brute-force, unlike a password.

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Compares two secrets in time independent of where they differ. */
export function secretsEqual(a: string, b: string): boolean {
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return left.length === right.length && timingSafeEqual(left, right);
}
