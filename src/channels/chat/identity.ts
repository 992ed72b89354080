import { createHmac, timingSafeEqual } from 'node:crypto';

// Signed identity for the host site's signed-in users. The host computes
// hash = HMAC-SHA256(secret, userId) on its server (the secret never reaches a browser)
// and hands userId, email, name and hash to the widget. A visitor who edits them in the
// page cannot produce a matching hash, so a verified identity is the host's word.

export type ClaimedIdentity = { userId: string; email?: string; name?: string; hash?: string };

export type IdentityCheck =
  | { kind: 'verified'; userId: string; email: string | null; name: string | null }
  | { kind: 'unverified' }
  | { kind: 'refused'; reason: string };

export type IdentityPolicy = {
  /** WIDGET_IDENTITY_SECRET; without it nothing can be verified. */
  secret: string | null;
  /** Refuse identities without a valid hash instead of treating the visitor as anonymous. */
  required: boolean;
};

export function identityHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

function hashMatches(secret: string, userId: string, hash: string): boolean {
  const expected = Buffer.from(identityHash(secret, userId), 'hex');
  const given = /^[0-9a-f]{64}$/i.test(hash) ? Buffer.from(hash, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * What a claimed identity is worth. Without a claim the visitor is anonymous; with a
 * valid hash it is verified; a claim whose hash is missing or wrong is refused when
 * verification is required and otherwise ignored (the visitor stays anonymous: an
 * unverifiable claim must never open someone else's history).
 */
export function checkIdentity(policy: IdentityPolicy, claim: ClaimedIdentity | undefined): IdentityCheck {
  if (!claim) return policy.required ? { kind: 'refused', reason: 'this site requires a signed identity' } : { kind: 'unverified' };
  const valid = policy.secret !== null && claim.hash !== undefined && hashMatches(policy.secret, claim.userId, claim.hash);
  if (valid) return { kind: 'verified', userId: claim.userId, email: claim.email?.trim() || null, name: claim.name?.trim() || null };
  if (policy.required) return { kind: 'refused', reason: claim.hash ? 'the identity hash does not match' : 'the identity is not signed' };
  return { kind: 'unverified' };
}
