import { DomainError, invalid, notFound } from '../errors.js';
import { normalizeEmail } from '../inbox/actors.js';
import { singleLine } from '../inbox/rules.js';
import { MAX_NAME } from '../limits.js';
import { deleteUserApiTokens, deleteUserSessions } from '../store/accounts.js';
import { ROLES, type Role, type UserRow } from '../store/schema.js';
import { isUniqueViolation, type Tx, transact } from '../store/transaction.js';
import {
  claimPasswordlessCustomer,
  findUserByEmail,
  findUserById,
  insertUser,
  listUsersByRole,
  lockActiveAdminIds,
  replacePasswordHash,
  setPasswordHash,
  type UserPatch,
  updateUserRow,
} from '../store/users.js';
import { queueAccountLink } from './account-links.js';
import { type AccountsContext, credentialsChanged } from './context.js';
import { DUMMY_HASH, hashPassword, validPassword, verifyPassword } from './passwords.js';
import { toUser, type User } from './records.js';

// The one write path for people and their passwords. Passwords are hashed before the
// transaction opens: scrypt takes tens of milliseconds, and SQLite's write lock is shared
// by every writer.

// limits.ts holds every size; accounts' callers read the name's here.
export { MAX_NAME };

/** `active: false` makes the account switched off from the start (an importer's agent). */
export type CreateUserInput = { name: string; email: string; role: Role; password?: string | null; active?: boolean };

// One line without invisible characters: a name is shown beside replies and in mail headers,
// where a bidi override or a zero-width space would make it read as someone else's.
export function validName(name: string): string {
  const clean = singleLine(typeof name === 'string' ? name : '');
  if (!clean) throw invalid('name', 'name must not be empty');
  if (clean.length > MAX_NAME) throw invalid('name', `name must be at most ${MAX_NAME} characters`);
  return clean;
}

function validRole(role: Role): Role {
  if (!ROLES.includes(role)) throw invalid('role', `role must be one of ${ROLES.join(', ')}`);
  return role;
}

const emailTaken = (email: string) => new DomainError('conflict', `an account for ${email} already exists`, 'email');

/** Creates a user of any role (admins, the command line). An existing address is a conflict. */
export async function createUser(ctx: AccountsContext, input: CreateUserInput): Promise<User> {
  const name = validName(input.name);
  const email = normalizeEmail(input.email);
  const role = validRole(input.role);
  const passwordHash = input.password == null ? null : await hashPassword(validPassword(input.password));
  try {
    return await transact(ctx.store, async (tx) => {
      if (await findUserByEmail(tx, email)) throw emailTaken(email);
      // An admin (or the command line) vouches for the address they type.
      const row = await insertUser(tx, { name, email, role, passwordHash, emailVerified: true, now: ctx.clock() });
      // Switched off in the same transaction: it never exists switched on, even for a moment.
      return input.active === false ? applyUserChange(ctx, tx, row, { active: false }) : toUser(row);
    });
  } catch (error) {
    // Two creators raced past the check; the unique address decided.
    if (isUniqueViolation(error)) throw emailTaken(email);
    throw error;
  }
}

export type RegisterCustomerInput = { name: string; email: string; password: string };

/**
 * Self-service sign-up. The caller learns nothing about whether the address had an
 * account, so the form cannot be used to find out who does:
 * - a new address gets an unconfirmed customer and a confirmation link, in one
 *   transaction. The account cannot sign in until the link is used with its password
 *   (confirmEmailVerification), since someone may have signed up with an address that is
 *   not theirs;
 * - an address that has an account (also a password-less one a customer got by writing
 *   in) is left as it is, and its owner is mailed a reset link instead: taking the account
 *   over would hand its conversations to whoever signs up first, while the reset link
 *   proves the mailbox. A deactivated account is mailed nothing.
 * The password is hashed either way, so both take about as long.
 */
export async function registerCustomer(ctx: AccountsContext, input: RegisterCustomerInput): Promise<void> {
  const name = validName(input.name);
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(validPassword(input.password));
  const signUp = () =>
    transact(ctx.store, async (tx) => {
      const existing = await findUserByEmail(tx, email);
      if (existing) {
        if (existing.deactivatedAt === null) await queueAccountLink(ctx, tx, existing, 'reset', 'signup_attempt');
        return;
      }
      const row = await insertUser(tx, { name, email, role: 'customer', passwordHash, now: ctx.clock() });
      await queueAccountLink(ctx, tx, row, 'verify');
    });
  try {
    await signUp();
  } catch (error) {
    // Two sign-ups raced for one new address: the other made the account, so this one is an attempt on an existing address.
    if (!isUniqueViolation(error)) throw error;
    await signUp();
  }
}

/**
 * Gives the password-less account of a customer who wrote in a name and password,
 * keeping its id and conversations. Only for an address proven by a confirmation link
 * (the email channel sends it); agents, admins and customers with a password are never claimed.
 */
export async function claimCustomerAccount(ctx: AccountsContext, input: RegisterCustomerInput): Promise<User> {
  const name = validName(input.name);
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(validPassword(input.password));
  return transact(ctx.store, async (tx) => {
    const existing = await findUserByEmail(tx, email);
    if (!existing) throw notFound('account');
    const id = Number(existing.id);
    if (!(await claimPasswordlessCustomer(tx, id, name, passwordHash, ctx.clock()))) throw emailTaken(email);
    return toUser((await findUserById(tx, id))!);
  });
}

/**
 * The user for a password sign-in, or null. An address nobody has confirmed signs nobody
 * in (only self-service sign-ups are unconfirmed: the team's addresses are vouched for by
 * an admin): the account may belong to a stranger who typed someone else's address, and
 * "wrong password" and "not confirmed yet" look the same, so a sign-up followed by a
 * sign-in does not tell whether the address had an account before.
 */
export async function authenticate(ctx: AccountsContext, email: string, password: string): Promise<User | null> {
  let address: string | null = null;
  try {
    address = normalizeEmail(email);
  } catch {
    // Not an address: fails like an unknown one.
  }
  const row = address ? await findUserByEmail(ctx.store.db, address) : undefined;
  const matches = await verifyPassword(typeof password === 'string' ? password : '', row?.passwordHash ?? DUMMY_HASH);
  if (!row || row.passwordHash === null || !matches || row.deactivatedAt !== null || row.emailVerifiedAt === null) return null;
  return toUser(row);
}

export async function getUser(ctx: AccountsContext, userId: number): Promise<User | null> {
  const row = await findUserById(ctx.store.db, userId);
  return row ? toUser(row) : null;
}

export async function getUserByEmail(ctx: AccountsContext, email: string): Promise<User | null> {
  const row = await findUserByEmail(ctx.store.db, normalizeEmail(email));
  return row ? toUser(row) : null;
}

/**
 * Changes the user's own password; every session and API token of theirs ends (the caller
 * signs the current browser in again): whoever knew the old password may have made them.
 */
export async function changePassword(ctx: AccountsContext, userId: number, oldPassword: string, newPassword: string): Promise<void> {
  const next = validPassword(newPassword, 'newPassword');
  const row = await findUserById(ctx.store.db, userId);
  if (!row || row.deactivatedAt !== null) throw notFound('user');
  const current = row.passwordHash;
  if (current === null || !(await verifyPassword(typeof oldPassword === 'string' ? oldPassword : '', current))) {
    throw new DomainError('forbidden', 'the current password is wrong', 'currentPassword');
  }
  const passwordHash = await hashPassword(next);
  await transact(ctx.store, async (tx) => {
    if (!(await replacePasswordHash(tx, userId, current, passwordHash, ctx.clock()))) {
      throw new DomainError('conflict', 'the password was changed meanwhile; try again');
    }
    await deleteUserSessions(tx, userId);
    await deleteUserApiTokens(tx, userId);
  });
  credentialsChanged(ctx);
}

/** An admin (the command line) sets someone's password without knowing the old one; their sessions and API tokens end. */
export async function resetPassword(ctx: AccountsContext, userId: number, newPassword: string): Promise<void> {
  const passwordHash = await hashPassword(validPassword(newPassword));
  await transact(ctx.store, async (tx) => {
    const row = await findUserById(tx, userId);
    if (!row) throw notFound('user');
    await setPasswordHash(tx, userId, passwordHash, ctx.clock());
    await deleteUserSessions(tx, userId);
    await deleteUserApiTokens(tx, userId);
  });
  credentialsChanged(ctx);
}

export type TeamRole = 'admin' | 'agent';
const TEAM_ROLES: readonly TeamRole[] = ['admin', 'agent'];

/** What an admin may change on a team member; omitted fields stay as they are. */
export type TeamMemberChange = { name?: string; role?: TeamRole; active?: boolean };

/**
 * Changes a team member's name, role and whether they can sign in, all in one
 * transaction. Customers are not team members: they answer not found here.
 */
export async function updateTeamMember(ctx: AccountsContext, userId: number, change: TeamMemberChange): Promise<User> {
  const name = change.name === undefined ? undefined : validName(change.name);
  if (change.role !== undefined && !TEAM_ROLES.includes(change.role)) throw invalid('role', `role must be one of ${TEAM_ROLES.join(', ')}`);
  const user = await transact(ctx.store, async (tx) => {
    const row = await findUserById(tx, userId);
    if (!row || row.role === 'customer') throw notFound('team member');
    return applyUserChange(ctx, tx, row, { ...change, name });
  });
  // A new role or a deactivation changes what open connections of this user may receive.
  credentialsChanged(ctx);
  return user;
}

/** Makes a team member an admin or an agent; the one way that column changes after creation. */
export function setUserRole(ctx: AccountsContext, userId: number, role: TeamRole): Promise<User> {
  return updateTeamMember(ctx, userId, { role });
}

/** Switches an account off: it keeps its history but can no longer sign in, and its sessions end at once. */
export async function setUserActive(ctx: AccountsContext, userId: number, active: boolean): Promise<User> {
  const user = await transact(ctx.store, async (tx) => {
    const row = await findUserById(tx, userId);
    if (!row) throw notFound('user');
    return applyUserChange(ctx, tx, row, { active });
  });
  credentialsChanged(ctx);
  return user;
}

/**
 * Writes a change to a user in the caller's transaction. A change that would leave no
 * active admin is refused: nobody could then administer the install without a database
 * console. Deactivation also ends the user's sessions; API tokens stop working on their own,
 * since they are looked up together with the user's deactivation.
 */
async function applyUserChange(ctx: AccountsContext, tx: Tx, row: UserRow, change: TeamMemberChange): Promise<User> {
  const id = Number(row.id);
  const now = ctx.clock();
  const role = change.role ?? row.role;
  const deactivatedAt = change.active === undefined ? row.deactivatedAt : change.active ? null : (row.deactivatedAt ?? now);
  const wasActiveAdmin = row.role === 'admin' && row.deactivatedAt === null;
  if (wasActiveAdmin && !(role === 'admin' && deactivatedAt === null)) {
    const admins = await lockActiveAdminIds(tx, ctx.store.dialect);
    if (!admins.some((adminId) => adminId !== id)) {
      const field = role !== 'admin' ? 'role' : 'active';
      throw new DomainError('conflict', `${row.name} is the last active admin; make another team member an admin first`, field);
    }
  }
  const patch: UserPatch = {};
  if (change.name !== undefined && change.name !== row.name) patch.name = change.name;
  if (role !== row.role) patch.role = role;
  if (deactivatedAt !== row.deactivatedAt) patch.deactivatedAt = deactivatedAt;
  if (Object.keys(patch).length > 0) await updateUserRow(tx, id, patch, now);
  if (change.active === false) await deleteUserSessions(tx, id);
  return toUser((await findUserById(tx, id))!);
}

/** The team (admins and agents), or one role of it: for the assignee picker and the team page. */
export async function getTeam(ctx: AccountsContext, options: { role?: 'admin' | 'agent'; includeDeactivated?: boolean } = {}): Promise<User[]> {
  const rows = await listUsersByRole(ctx.store.db, options.role ? [options.role] : ['admin', 'agent'], options.includeDeactivated ?? false);
  return rows.map(toUser);
}
