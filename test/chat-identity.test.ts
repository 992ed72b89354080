import { describe, expect, it } from 'vitest';
import { checkIdentity, identityHash } from '../src/channels/chat/identity.js';
import { originAllowed, parseAllowedOrigins } from '../src/channels/chat/origins.js';

const SECRET = 'a-long-widget-identity-secret-for-tests';

describe('signed widget identity', () => {
  const claim = (hash?: string) => ({ userId: 'u-42', email: ' ana@example.com ', name: 'Ana', hash });

  it('a hash made with the secret verifies the claim', () => {
    const hash = identityHash(SECRET, 'u-42');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(checkIdentity({ secret: SECRET, required: true }, claim(hash))).toEqual({ kind: 'verified', userId: 'u-42', email: 'ana@example.com', name: 'Ana' });
    // Upper-case hex is the same hash.
    expect(checkIdentity({ secret: SECRET, required: true }, claim(hash.toUpperCase())).kind).toBe('verified');
  });

  it('a forged, missing or malformed hash is refused when verification is required', () => {
    const forged = identityHash('someone-elses-secret-of-enough-length', 'u-42');
    expect(checkIdentity({ secret: SECRET, required: true }, claim(forged))).toEqual({ kind: 'refused', reason: 'the identity hash does not match' });
    expect(checkIdentity({ secret: SECRET, required: true }, claim())).toEqual({ kind: 'refused', reason: 'the identity is not signed' });
    expect(checkIdentity({ secret: SECRET, required: true }, claim('zz'))).toMatchObject({ kind: 'refused' });
    // The hash of another user id does not carry over.
    expect(checkIdentity({ secret: SECRET, required: true }, { userId: 'u-43', hash: identityHash(SECRET, 'u-42') }).kind).toBe('refused');
    expect(checkIdentity({ secret: SECRET, required: true }, undefined).kind).toBe('refused');
  });

  it('when verification is optional an unverifiable claim leaves the visitor anonymous', () => {
    expect(checkIdentity({ secret: SECRET, required: false }, claim('00'.repeat(32)))).toEqual({ kind: 'unverified' });
    expect(checkIdentity({ secret: null, required: false }, claim(identityHash(SECRET, 'u-42')))).toEqual({ kind: 'unverified' });
    expect(checkIdentity({ secret: SECRET, required: false }, undefined)).toEqual({ kind: 'unverified' });
  });
});

describe('allowed widget origins', () => {
  it('unset allows any origin', () => {
    const policy = parseAllowedOrigins(undefined);
    expect(policy.allowed).toBe('any');
    expect(originAllowed(policy, 'https://anything.example')).toBe(true);
  });

  it('a list allows exactly its origins, compared as origins', () => {
    const policy = parseAllowedOrigins(' https://shop.example.com, http://localhost:8080/ ');
    expect(originAllowed(policy, 'https://shop.example.com')).toBe(true);
    expect(originAllowed(policy, 'http://localhost:8080')).toBe(true);
    expect(originAllowed(policy, 'https://SHOP.example.com')).toBe(true);
    expect(originAllowed(policy, 'https://shop.example.com:8443')).toBe(false);
    expect(originAllowed(policy, 'http://shop.example.com')).toBe(false);
    expect(originAllowed(policy, 'https://evil.example.com')).toBe(false);
    expect(originAllowed(policy, 'null')).toBe(false);
    expect(originAllowed(policy, undefined)).toBe(false);
  });

  it('refuses entries that are not origins', () => {
    expect(() => parseAllowedOrigins('shop.example.com')).toThrow(/not an origin/);
    expect(() => parseAllowedOrigins('https://shop.example.com/path')).toThrow(/only scheme, host and port/);
    expect(() => parseAllowedOrigins('ftp://shop.example.com')).toThrow(/http\(s\)/);
  });
});
