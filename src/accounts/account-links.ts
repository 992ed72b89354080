import { DomainError } from '../errors.js';
import { normalizeEmail } from '../inbox/actors.js';
import {
  deleteUserApiTokens,
  deleteUserSessions,
  expireAccountTokens,
  findUsableAccountToken,
  insertAccountToken,
  useAccountToken,
} from '../store/accounts.js';
import { enqueueJobs } from '../store/outbox.js';
import type { AccountLinkPurpose, UserRow } from '../store/schema.js';
import { type Tx, transact } from '../store/transaction.js';
import { findUserByEmail, findUserById, markEmailVerified, setPasswordHash } from '../store/users.js';
import { type AccountsContext, credentialsChanged } from './context.js';
import { DUMMY_HASH, hashPassword, validPassword, verifyPassword } from './passwords.js';
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

// Customers land in the portal, the team in the inbox app, each signed in where they work.
const PAGES: Record<'customer' | 'team', Record<AccountLinkPurpose, string>> = {
  customer: { verify: '/portal/verify', reset: '/portal/reset' },
  team: { verify: '/portal/verify', reset: '/reset-password' },
};
const TTL: Record<AccountLinkPurpose, number> = { verify: VERIFY_TTL_MS, reset: RESET_TTL_MS };
/** The configuration's default PUBLIC_URL. */
const DEFAULT_PUBLIC_URL = 'http://localhost:3000';

/**
 * Why a link is mailed when the purpose alone does not say: `signup_attempt` is the reset
 * link sent to the owner of an address someone tried to sign up with.
 */
export type AccountLinkReason = 'signup_attempt';

/**
 * What the email channel's handler gets to write the mail. Nothing in it was typed by
 * whoever asked for the mail (no name): the address may not be theirs, and a mail we send
 * to it must not carry their words.
 */
export type AccountLinkJob = { userId: number; email: string; purpose: AccountLinkPurpose; url: string; reason?: AccountLinkReason };

/** Longer than any token we make, so junk is refused before hashing. */
const MAX_TOKEN_LENGTH = 256;

/** Mints a link for the user and queues its mail, in the caller's transaction. */
export async function queueAccountLink(ctx: AccountsContext, tx: Tx, user: UserRow, purpose: AccountLinkPurpose, reason?: AccountLinkReason): Promise<void> {
  const token = randomToken();
  const now = ctx.clock();
  const id = await insertAccountToken(tx, {
    userId: Number(user.id),
    purpose,
    tokenHash: sha256Hex(token),
    email: user.email,
    createdAt: now,
    expiresAt: now + TTL[purpose],
  });
  const payload: AccountLinkJob = {
    userId: Number(user.id),
    email: user.email,
    purpose,
    url: `${(ctx.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, '')}${PAGES[user.role === 'customer' ? 'customer' : 'team'][purpose]}?token=${token}`,
    ...(reason ? { reason } : {}),
  };
  // The link signs whoever holds it in: the outbox keeps it only until it is mailed.
  await enqueueJobs(tx, [{ kind: ACCOUNT_LINK_JOB, payload, idempotencyKey: `account_link:${id}`, runAt: now, secret: true }], now);
}

const badLink = (purpose: AccountLinkPurpose) =>
  new DomainError(
    'validation_failed',
    purpose === 'reset'
      ? 'This reset link is not valid any more (used, expired or mistyped); ask for a new one'
      : 'This confirmation link is not valid any more (used, expired or mistyped); ask for a new one',
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

const wrongPassword = () =>
  new DomainError(
    'forbidden',
    'That is not the password of the account this link confirms. If you did not sign up yourself, or forgot the password, choose a new one with "Forgot your password?": that confirms the address too.',
    'password',
  );

/**
 * Confirms the address the link was mailed to: from now on its conversations from every
 * channel are the account's to see. The link proves the mailbox and the password proves
 * the account: someone may sign up with another person's address, and that person, who
 * only has the link, must not turn the stranger's account into one that sees their mail.
 * (They set a password of their own with a reset link instead, which also confirms.)
 * Every session and API token the account had ends, as they may have been made by
 * whoever signed up before the address was proven; the caller signs the confirming
 * browser in afresh. A wrong password leaves the link unspent.
 */
export async function confirmEmailVerification(ctx: AccountsContext, token: string, password: string): Promise<User> {
  if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH) throw badLink('verify');
  const pending = await findUsableAccountToken(ctx.store.db, sha256Hex(token), 'verify', ctx.clock());
  const owner = pending && (await findUserById(ctx.store.db, Number(pending.userId)));
  // scrypt runs before the transaction, as SQLite's write lock is shared by every writer.
  const matches = await verifyPassword(typeof password === 'string' ? password : '', owner?.passwordHash ?? DUMMY_HASH);
  if (!pending || !owner || owner.deactivatedAt !== null || owner.email !== pending.email) throw badLink('verify');
  if (!matches || owner.passwordHash === null) throw wrongPassword();
  const user = await transact(ctx.store, async (tx) => {
    const row = await useLink(ctx, tx, token, 'verify');
    // The password checked above must still be the account's (a reset may have come between).
    if (Number(row.id) !== Number(owner.id) || row.passwordHash !== owner.passwordHash) throw wrongPassword();
    const id = Number(row.id);
    await markEmailVerified(tx, id, row.email, ctx.clock());
    await deleteUserSessions(tx, id);
    await deleteUserApiTokens(tx, id);
    return toUser((await findUserById(tx, id))!);
  });
  // Open live connections of this user close: their sessions and tokens are gone.
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
 * counts as confirmed; every session and API token of the user ends (whoever knew the old
 * password may have made them), and the user's other reset and confirmation links stop working. The
 * caller signs the current browser in.
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
    // The address is proven now: older confirmation links have nothing left to do.
    await expireAccountTokens(tx, id, 'verify', now);
    await deleteUserSessions(tx, id);
    await deleteUserApiTokens(tx, id);
    return toUser((await findUserById(tx, id))!);
  });
  credentialsChanged(ctx);
  return user;
}
