import type { Tx } from './transaction.js';
import type { ApiTokenRow, SessionRow, UserRow } from './schema.js';

// Sessions and API tokens. Callers pass hashes, never raw tokens: the raw values exist
// only in the browser's cookie and in the integration's configuration.

/** "Last seen" is for display and cleanup; writing it on every request would make reads write. */
export const TOUCH_INTERVAL_MS = 60_000;

export async function insertSession(tx: Tx, session: SessionRow): Promise<void> {
  await tx.insertInto('sessions').values(session).execute();
}

export type SessionWithUser = { session: SessionRow; user: UserRow };

/** The session and its user in one round trip: this runs on every cookie-authenticated request. */
export async function findSessionWithUser(tx: Tx, id: string): Promise<SessionWithUser | undefined> {
  const row = await tx
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .selectAll('users')
    .select([
      'sessions.id as sessionId',
      'sessions.csrfToken as sessionCsrfToken',
      'sessions.createdAt as sessionCreatedAt',
      'sessions.expiresAt as sessionExpiresAt',
      'sessions.lastSeenAt as sessionLastSeenAt',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { sessionId, sessionCsrfToken, sessionCreatedAt, sessionExpiresAt, sessionLastSeenAt, ...user } = row;
  const session: SessionRow = {
    id: sessionId,
    userId: user.id,
    csrfToken: sessionCsrfToken,
    createdAt: sessionCreatedAt,
    expiresAt: sessionExpiresAt,
    lastSeenAt: sessionLastSeenAt,
  };
  return { session, user };
}

/** Moves lastSeenAt to `now` unless it moved within the interval; the condition makes racing requests write once. */
export async function touchSession(tx: Tx, id: string, now: number): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ lastSeenAt: now })
    .where('id', '=', id)
    .where('lastSeenAt', '<=', now - TOUCH_INTERVAL_MS)
    .execute();
}

export async function deleteSession(tx: Tx, id: string): Promise<void> {
  await tx.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteUserSessions(tx: Tx, userId: number): Promise<void> {
  await tx.deleteFrom('sessions').where('userId', '=', userId).execute();
}

/** Expired sessions are unusable anyway; dropping a user's old ones at sign-in keeps the table small. */
export async function deleteExpiredSessions(tx: Tx, userId: number, now: number): Promise<void> {
  await tx.deleteFrom('sessions').where('userId', '=', userId).where('expiresAt', '<=', now).execute();
}

export type NewApiToken = { userId: number; name: string; tokenHash: string; createdAt: number };

export function insertApiToken(tx: Tx, token: NewApiToken): Promise<ApiTokenRow> {
  return tx
    .insertInto('api_tokens')
    .values({ ...token, lastUsedAt: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type ApiTokenWithUser = { token: ApiTokenRow; user: UserRow };

export async function findApiTokenWithUser(tx: Tx, tokenHash: string): Promise<ApiTokenWithUser | undefined> {
  const row = await tx
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.userId')
    .selectAll('users')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.name as tokenName',
      'api_tokens.createdAt as tokenCreatedAt',
      'api_tokens.lastUsedAt as tokenLastUsedAt',
    ])
    .where('api_tokens.tokenHash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { tokenId, tokenName, tokenCreatedAt, tokenLastUsedAt, ...user } = row;
  const token: ApiTokenRow = { id: tokenId, userId: user.id, name: tokenName, tokenHash, createdAt: tokenCreatedAt, lastUsedAt: tokenLastUsedAt };
  return { token, user };
}

export async function touchApiToken(tx: Tx, id: number, now: number): Promise<void> {
  await tx
    .updateTable('api_tokens')
    .set({ lastUsedAt: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<=', now - TOUCH_INTERVAL_MS)]))
    .execute();
}

export function listApiTokens(tx: Tx, userId: number): Promise<ApiTokenRow[]> {
  return tx.selectFrom('api_tokens').selectAll().where('userId', '=', userId).orderBy('id').execute();
}

export async function deleteApiToken(tx: Tx, userId: number, id: number): Promise<boolean> {
  const result = await tx.deleteFrom('api_tokens').where('id', '=', id).where('userId', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
