import { sql } from 'kysely';
import type { AccountLinkPurpose, AccountTokenRow, ApiTokenRow, Role, SessionRow, UserRow } from './schema.js';
import type { Tx } from './transaction.js';

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
    .select(['api_tokens.id as tokenId', 'api_tokens.name as tokenName', 'api_tokens.createdAt as tokenCreatedAt', 'api_tokens.lastUsedAt as tokenLastUsedAt'])
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

export async function deleteUserApiTokens(tx: Tx, userId: number): Promise<void> {
  await tx.deleteFrom('api_tokens').where('userId', '=', userId).execute();
}

/** A session or API token that still exists, with what its user is now. Exactly one of sessionId and tokenId is set. */
export type CredentialState = {
  sessionId: string | null;
  tokenId: number | null;
  /** Sessions only. */
  expiresAt: number | null;
  userId: number;
  role: Role;
  name: string;
  email: string;
  deactivatedAt: number | null;
  emailVerifiedAt: number | null;
};

/** Keeps one statement's parameters well below SQLite's and PostgreSQL's limits. */
const CREDENTIAL_CHUNK = 500;

/**
 * Which of these sessions and API tokens still exist, with their users, for re-checking
 * every open live connection at once: one statement per 500 sessions and 500 tokens,
 * each walking primary keys. A missing id was signed out, revoked or expired and removed.
 */
export async function findCredentialStates(tx: Tx, sessionIds: readonly string[], tokenIds: readonly number[]): Promise<CredentialState[]> {
  const states: CredentialState[] = [];
  for (let at = 0; at < sessionIds.length || at < tokenIds.length; at += CREDENTIAL_CHUNK) {
    const sessions = sessionIds.slice(at, at + CREDENTIAL_CHUNK);
    const tokens = tokenIds.slice(at, at + CREDENTIAL_CHUNK);
    const query =
      sessions.length === 0
        ? tokenStates(tx, tokens)
        : tokens.length === 0
          ? sessionStates(tx, sessions)
          : sessionStates(tx, sessions).unionAll(tokenStates(tx, tokens));
    const rows = await query.execute();
    for (const row of rows) {
      states.push({
        sessionId: row.sessionId,
        tokenId: row.tokenId === null ? null : Number(row.tokenId),
        expiresAt: row.expiresAt === null ? null : Number(row.expiresAt),
        userId: Number(row.userId),
        role: row.role,
        name: row.name,
        email: row.email,
        deactivatedAt: row.deactivatedAt === null ? null : Number(row.deactivatedAt),
        emailVerifiedAt: row.emailVerifiedAt === null ? null : Number(row.emailVerifiedAt),
      });
    }
  }
  return states;
}

const userColumns = [
  'users.id as userId',
  'users.role as role',
  'users.name as name',
  'users.email as email',
  'users.deactivatedAt as deactivatedAt',
  'users.emailVerifiedAt as emailVerifiedAt',
] as const;

function sessionStates(tx: Tx, ids: readonly string[]) {
  return tx
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.userId')
    .select(['sessions.id as sessionId', sql<number | null>`null`.as('tokenId'), 'sessions.expiresAt as expiresAt', ...userColumns])
    .where('sessions.id', 'in', [...ids])
    .$castTo<CredentialState>();
}

function tokenStates(tx: Tx, ids: readonly number[]) {
  return tx
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.userId')
    .select([sql<string | null>`null`.as('sessionId'), 'api_tokens.id as tokenId', sql<number | null>`null`.as('expiresAt'), ...userColumns])
    .where('api_tokens.id', 'in', [...ids])
    .$castTo<CredentialState>();
}

export type NewAccountToken = { userId: number; purpose: AccountLinkPurpose; tokenHash: string; email: string; createdAt: number; expiresAt: number };

export async function insertAccountToken(tx: Tx, token: NewAccountToken): Promise<number> {
  const row = await tx
    .insertInto('account_tokens')
    .values({ ...token, usedAt: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/**
 * Marks a link used and returns it, if it exists for this purpose, is unused and has not
 * expired. Conditional on `usedAt` still being null, so of two racing uses one wins.
 */
export async function useAccountToken(tx: Tx, tokenHash: string, purpose: AccountLinkPurpose, now: number): Promise<AccountTokenRow | undefined> {
  const result = await tx
    .updateTable('account_tokens')
    .set({ usedAt: now })
    .where('tokenHash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return undefined;
  return tx.selectFrom('account_tokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
}

/** A link that would be accepted now, without spending it: to check what else it needs (a password) before its transaction. */
export function findUsableAccountToken(tx: Tx, tokenHash: string, purpose: AccountLinkPurpose, now: number): Promise<AccountTokenRow | undefined> {
  return tx
    .selectFrom('account_tokens')
    .selectAll()
    .where('tokenHash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
}

/** Ends a user's other links of one purpose: once a password is reset, older reset mails are worthless. */
export async function expireAccountTokens(tx: Tx, userId: number, purpose: AccountLinkPurpose, now: number): Promise<void> {
  await tx.updateTable('account_tokens').set({ usedAt: now }).where('userId', '=', userId).where('purpose', '=', purpose).where('usedAt', 'is', null).execute();
}
