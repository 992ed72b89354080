import { DomainError } from '../inbox/errors.js';
import { normalizeEmail } from '../inbox/actors.js';
import { deleteUserSessions, expireAccountTokens, insertAccountToken, useAccountToken } from '../store/accounts.js';
import { enqueueJobs } from '../store/outbox.js';
import type { AccountLinkPurpose, UserRow } from '../store/schema.js';
import { transact, type Tx } from '../store/transaction.js';
import { findUserByEmail, findUserById, markEmailVerified, setPasswordHash } from '../store/users.js';
import { credentialsChanged, type AccountsContext } from './context.js';
import { hashPassword, validPassword } from './passwords.js';
import { toUser, type User } from './records.js';
import { randomToken, sha256Hex } from './secrets.js';

// Links mailed to a user: "confirm your address" and "set a new password". Each carries
// 256 random bits, is stored only as its SHA-256, works once and expires. The mail itself
// is an outbox job written in the same transaction as the token, so a link exists exactly
// when its mail is queued; the email channel's handler for `email.account_link` sends it
// (without the channel the job waits in the outbox).

export const ACCOUNT_LINK_JOB = 'email.account_link';
export const VERIFY_TTL_MS = 48 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;

const PAGES: Record<AccountLinkPurpose, string> = { verify: '/portal/verify', reset: '/portal/reset' };
const TTL: Record<AccountLinkPurpose, number> = { verify: VERIFY_TTL_MS, reset: RESET_TTL_MS };
/** The configuration's default PUBLIC_URL. */
const DEFAULT_PUBLIC_URL = 'http://localhost:3000';

/** What the email channel's handler gets to write the mail. */
export type AccountLinkJob = { userId: number; email: string; name: string; purpose: AccountLinkPurpose; url: string };

/** Longer than any token we make, so junk is refused before hashing. */
const MAX_TOKEN_LENGTH = 256;

/** Mints a link for the user and queues its mail, in the caller's transaction. */
export async function queueAccountLink(ctx: AccountsContext, tx: Tx, user: UserRow, purpose: AccountLinkPurpose): Promise<void> {
  const token = randomToken();
  const now = ctx.clock();
  const id = await insertAccountToken(tx, { userId: Number(user.id), purpose, tokenHash: sha256Hex(token), email: user.email, createdAt: now, expiresAt: now + TTL[purpose] });
  const payload: AccountLinkJob = {
    userId: Number(user.id),
    email: user.email,
    name: user.name,
    purpose,
    url: `${(ctx.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, '')}${PAGES[purpose]}?token=${token}`,
  };
  // The link signs whoever holds it in: the outbox keeps it only until it is mailed.
  await enqueueJobs(tx, [{ kind: ACCOUNT_LINK_JOB, payload, idempotencyKey: `account_link:${id}`, runAt: now, secret: true }], now);
}

const badLink = (purpose: AccountLinkPurpose) =>
  new DomainError(
    'validation_failed',
    purpose === 'reset' ? 'This reset link is not valid any more (used, expired or mistyped); ask for a new one' : 'This confirmation link is not valid any more (used, expired or mistyped); ask for a new one',
    'token',
  );

async function useLink(ctx: AccountsContext, tx: Tx, token: string, purpose: AccountLinkPurpose): Promise<UserRow> {
  if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH) throw badLink(purpose);
  const link = await useAccountToken(tx, sha256Hex(token), purpose, ctx.clock());
  const user = link && (await findUserById(tx, Number(link.userId)));
  // A link for an address the account no longer has, or a switched-off account, proves nothing.
  if (!link || !user || user.deactivatedAt !== null || user.email !== link.email) throw badLink(purpose);
  return user;
}

/** Mails the signed-in user a new confirmation link, unless the address is already confirmed. */
export async function requestEmailVerification(ctx: AccountsContext, userId: number): Promise<void> {
  await transact(ctx.store, async (tx) => {
    const user = await findUserById(tx, userId);
    if (!user || user.deactivatedAt !== null || user.emailVerifiedAt !== null) return;
    await queueAccountLink(ctx, tx, user, 'verify');
  });
}

/** Confirms the address the link was mailed to: from now on its conversations from every channel are the user's to see. */
export async function confirmEmailVerification(ctx: AccountsContext, token: string): Promise<User> {
  const user = await transact(ctx.store, async (tx) => {
    const row = await useLink(ctx, tx, token, 'verify');
    await markEmailVerified(tx, Number(row.id), row.email, ctx.clock());
    return toUser((await findUserById(tx, Number(row.id)))!);
  });
  // Open live connections of this user reconnect, to receive what they may see now.
  credentialsChanged(ctx);
  return user;
}

/**
 * Mails a reset link to the address if an active account has it; says nothing either way,
 * so the form cannot be used to learn who has an account. A customer who only wrote in
 * (no password yet) sets their first password this way.
 */
export async function requestPasswordReset(ctx: AccountsContext, email: string): Promise<void> {
  let address: string;
  try {
    address = normalizeEmail(email);
  } catch {
    return;
  }
  await transact(ctx.store, async (tx) => {
    const user = await findUserByEmail(tx, address);
    if (!user || user.deactivatedAt !== null) return;
    await queueAccountLink(ctx, tx, user, 'reset');
  });
}

/**
 * Sets a new password from a reset link. The link proves the mailbox, so the address
 * counts as confirmed; every session of the user ends, and the user's other reset links
 * stop working. The caller signs the current browser in.
 */
export async function confirmPasswordReset(ctx: AccountsContext, token: string, password: string): Promise<User> {
  const passwordHash = await hashPassword(validPassword(password));
  const user = await transact(ctx.store, async (tx) => {
    const row = await useLink(ctx, tx, token, 'reset');
    const id = Number(row.id);
    const now = ctx.clock();
    await setPasswordHash(tx, id, passwordHash, now);
    await markEmailVerified(tx, id, row.email, now);
    await expireAccountTokens(tx, id, 'reset', now);
    await deleteUserSessions(tx, id);
    return toUser((await findUserById(tx, id))!);
  });
  credentialsChanged(ctx);
  return user;
}
