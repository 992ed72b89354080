import { DomainError, invalid, notFound } from '../errors.js';
import {
  deleteExpiredSessions,
  deleteSession,
  deleteUserSessions,
  findSessionWithUser,
  insertSession,
  TOUCH_INTERVAL_MS,
  touchSession,
} from '../store/accounts.js';
import { transact } from '../store/transaction.js';
import { findUserById } from '../store/users.js';
import { type AccountsContext, credentialsChanged } from './context.js';
import { type Session, toSession, toUser, type User } from './records.js';
import { randomToken, secretsEqual, sha256Hex } from './secrets.js';

// Browser sessions. The cookie holds a random token; the table holds its SHA-256, so
// reading the database (a backup, a leaked dump) yields no usable session.

export type NewSession = { token: string; csrfToken: string; expiresAt: number };

/** Longer than any real token, so junk from a client is refused before hashing. */
const MAX_TOKEN_LENGTH = 256;

export async function createSession(ctx: AccountsContext, userId: number, ttlMs: number): Promise<NewSession> {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw invalid('ttl', 'a session needs a positive lifetime in milliseconds');
  const token = randomToken();
  const csrfToken = randomToken();
  return transact(ctx.store, async (tx) => {
    const user = await findUserById(tx, userId);
    if (!user) throw notFound('user');
    if (user.deactivatedAt !== null) throw new DomainError('forbidden', 'this account is deactivated');
    const now = ctx.clock();
    await deleteExpiredSessions(tx, userId, now);
    const expiresAt = now + ttlMs;
    await insertSession(tx, { id: sha256Hex(token), userId, csrfToken, createdAt: now, expiresAt, lastSeenAt: now });
    return { token, csrfToken, expiresAt };
  });
}

/** The signed-in user behind a cookie's token, or null when it is unknown, expired or its user deactivated. */
export async function findSession(ctx: AccountsContext, token: string): Promise<{ user: User; session: Session } | null> {
  if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH) return null;
  const found = await findSessionWithUser(ctx.store.db, sha256Hex(token));
  const now = ctx.clock();
  if (!found || Number(found.session.expiresAt) <= now || found.user.deactivatedAt !== null) return null;
  const session = toSession(found.session);
  // A read-mostly path: write lastSeenAt at most once a minute per session.
  if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
    await touchSession(ctx.store.db, session.id, now);
    session.lastSeenAt = now;
  }
  return { user: toUser(found.user), session };
}

/** Signs one browser out. Unknown tokens are fine: signing out twice is not an error. */
export async function endSession(ctx: AccountsContext, token: string): Promise<void> {
  if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH) return;
  await transact(ctx.store, (tx) => deleteSession(tx, sha256Hex(token)));
  credentialsChanged(ctx);
}

/** Signs the user out everywhere (password change, "log out all devices", deactivation). */
export async function endAllSessions(ctx: AccountsContext, userId: number): Promise<void> {
  await transact(ctx.store, (tx) => deleteUserSessions(tx, userId));
  credentialsChanged(ctx);
}

/** Whether a request's CSRF header belongs to its session; compared in constant time. */
export function csrfTokenMatches(session: Session, candidate: string | undefined): boolean {
  return typeof candidate === 'string' && secretsEqual(session.csrfToken, candidate);
}
