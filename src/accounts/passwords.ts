import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { invalid } from '../errors.js';

// scrypt from node:crypto: memory-hard, no native dependency. The stored string names
// its parameters, so they can be raised later without breaking existing hashes.
const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash`, base64url. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS, KEY_LENGTH);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored?.split('$') ?? [];
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem }, expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * Verified against when there is no real hash to check (an unknown address, an account
 * without a password), so "no such account" takes as long as "wrong password". Its
 * password was random and discarded; it matches nothing.
 */
export const DUMMY_HASH = 'scrypt$32768$8$1$1ZB_Oyr1W6PJJBr2fHXN8w$0kSK00d6ksuYkCHP2BQSAFI0St_CIFYupJ0bTUemIW0';

export const MIN_PASSWORD = 8;
// scrypt pre-hashes the password, so length costs little; the cap only bounds request size.
export const MAX_PASSWORD = 1024;

/** The one password rule, for sign-up, changes and resets alike. */
export function validPassword(password: string, field = 'password'): string {
  const length = typeof password === 'string' ? [...password].length : 0;
  if (length < MIN_PASSWORD) throw invalid(field, `${field} must be at least ${MIN_PASSWORD} characters`);
  if (length > MAX_PASSWORD) throw invalid(field, `${field} must be at most ${MAX_PASSWORD} characters`);
  return password;
}
