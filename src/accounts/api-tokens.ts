import { DomainError, invalid, notFound } from '../errors.js';
import { deleteApiToken, findApiTokenWithUser, insertApiToken, listApiTokens, TOUCH_INTERVAL_MS, touchApiToken } from '../store/accounts.js';
import { transact } from '../store/transaction.js';
import { findUserById } from '../store/users.js';
import { type AccountsContext, credentialsChanged } from './context.js';
import { type ApiToken, toApiToken, toUser, type User } from './records.js';
import { randomToken, sha256Hex } from './secrets.js';

// Bearer tokens for integrations, acting with their user's permissions. The prefix makes
// a leaked token recognisable (secret scanners, logs); only its SHA-256 is stored.

export const API_TOKEN_PREFIX = 'ot_';
const TOKEN_SHAPE = /^ot_[A-Za-z0-9_-]{43}$/;
const MAX_NAME = 100;

/** Creates a token; the returned `token` is the only time anyone sees it. */
export async function createApiToken(ctx: AccountsContext, userId: number, name: string): Promise<ApiToken & { token: string }> {
  const label = (typeof name === 'string' ? name : '').trim();
  if (!label) throw invalid('name', 'a token needs a name');
  if (label.length > MAX_NAME) throw invalid('name', `a token name must be at most ${MAX_NAME} characters`);
  const token = API_TOKEN_PREFIX + randomToken(32);
  return transact(ctx.store, async (tx) => {
    const user = await findUserById(tx, userId);
    if (!user) throw notFound('user');
    if (user.deactivatedAt !== null) throw new DomainError('forbidden', 'this account is deactivated');
    const row = await insertApiToken(tx, { userId, name: label, tokenHash: sha256Hex(token), createdAt: ctx.clock() });
    return { ...toApiToken(row), token };
  });
}

/** The active user a bearer token belongs to, or null. */
export async function findUserByApiToken(ctx: AccountsContext, token: string): Promise<User | null> {
  return (await findApiTokenUse(ctx, token))?.user ?? null;
}

/** The token's id with its active user, or null: for connections that must notice a later revocation. */
export async function findApiTokenUse(ctx: AccountsContext, token: string): Promise<{ tokenId: number; user: User } | null> {
  // Anything not shaped like our tokens cannot match; no need to ask the database.
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
  const found = await findApiTokenWithUser(ctx.store.db, sha256Hex(token));
  if (!found || found.user.deactivatedAt !== null) return null;
  const now = ctx.clock();
  const lastUsedAt = found.token.lastUsedAt === null ? null : Number(found.token.lastUsedAt);
  if (lastUsedAt === null || now - lastUsedAt >= TOUCH_INTERVAL_MS) await touchApiToken(ctx.store.db, Number(found.token.id), now);
  return { tokenId: Number(found.token.id), user: toUser(found.user) };
}

export async function getApiTokens(ctx: AccountsContext, userId: number): Promise<ApiToken[]> {
  return (await listApiTokens(ctx.store.db, userId)).map(toApiToken);
}

/** Revokes one of the user's tokens; another user's token id answers not found. */
export async function revokeApiToken(ctx: AccountsContext, userId: number, tokenId: number): Promise<void> {
  const deleted = await transact(ctx.store, (tx) => deleteApiToken(tx, userId, tokenId));
  if (!deleted) throw notFound('API token');
  credentialsChanged(ctx);
}
