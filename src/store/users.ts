import { runCompiled } from './compiled.js';
import type { Dialect } from './database.js';
import type { AvailabilityChoice, Role, UserRow } from './schema.js';
import type { Tx } from './transaction.js';

// Compiled once (compiled.ts): every message's sender is looked up.
export async function findUserById(tx: Tx, id: number): Promise<UserRow | undefined> {
  const [row] = await runCompiled(tx, 'findUserById', [{ id }], ([by]) => tx.selectFrom('users').selectAll().where('id', '=', by!.id));
  return row;
}

export async function findUserByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  const [row] = await runCompiled(tx, 'findUserByEmail', [{ email: email.toLowerCase() }], ([by]) =>
    tx.selectFrom('users').selectAll().where('email', '=', by!.email),
  );
  return row;
}

/** The signature a team member's mailed replies end with; null for none. */
export async function findSignature(tx: Tx, userId: number): Promise<string | null> {
  const row = await tx.selectFrom('users').select('signature').where('id', '=', userId).where('role', '!=', 'customer').executeTakeFirst();
  return row?.signature ?? null;
}

export type NewUser = { name: string; email: string; role: Role; passwordHash?: string | null; emailVerified?: boolean; now: number };

const userValues = (user: NewUser) => ({
  name: user.name,
  email: user.email.toLowerCase(),
  role: user.role,
  passwordHash: user.passwordHash ?? null,
  emailVerifiedAt: user.emailVerified ? user.now : null,
  createdAt: user.now,
  updatedAt: user.now,
});

export function insertUser(tx: Tx, user: NewUser): Promise<UserRow> {
  return tx.insertInto('users').values(userValues(user)).returningAll().executeTakeFirstOrThrow();
}

/** Inserts the user unless the address exists; returns the stored row either way. */
export async function findOrInsertUserByEmail(tx: Tx, user: NewUser): Promise<UserRow> {
  // Most senders write again: look before inserting.
  const existing = await findUserByEmail(tx, user.email);
  if (existing) return existing;
  await tx
    .insertInto('users')
    .values(userValues(user))
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  const row = await findUserByEmail(tx, user.email);
  if (!row) throw new Error(`user ${user.email} vanished after insert`);
  return row;
}

/** An active admin, if any: whether the first-admin bootstrap has anything to do. */
export function findActiveAdmin(tx: Tx): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('role', '=', 'admin').where('deactivatedAt', 'is', null).orderBy('id').limit(1).executeTakeFirst();
}

/**
 * Gives a password-less customer (created by an email or the contact form) a name and
 * password. Conditional on the hash still being null, so of two racing claims one wins.
 */
export async function claimPasswordlessCustomer(tx: Tx, id: number, name: string, passwordHash: string, now: number): Promise<boolean> {
  const result = await tx
    .updateTable('users')
    .set({ name, passwordHash, updatedAt: now })
    .where('id', '=', id)
    .where('role', '=', 'customer')
    .where('passwordHash', 'is', null)
    .where('deactivatedAt', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Replaces the password only if it is still `expectedHash`: a concurrent change is not silently overwritten. */
export async function replacePasswordHash(tx: Tx, id: number, expectedHash: string, passwordHash: string, now: number): Promise<boolean> {
  const result = await tx
    .updateTable('users')
    .set({ passwordHash, updatedAt: now })
    .where('id', '=', id)
    .where('passwordHash', '=', expectedHash)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The columns an admin changes on a team member, or a user on their own profile; the password has its own functions. */
export type UserPatch = {
  name?: string;
  role?: Role;
  deactivatedAt?: number | null;
  signature?: string | null;
  availabilityChoice?: AvailabilityChoice | null;
};

export async function updateUserRow(tx: Tx, id: number, patch: UserPatch, now: number): Promise<void> {
  await tx
    .updateTable('users')
    .set({ ...patch, updatedAt: now })
    .where('id', '=', id)
    .execute();
}

/**
 * The ids of the active admins, locked on PostgreSQL (in id order, so two callers cannot
 * deadlock): of two admins demoting each other at once, the second then sees the first
 * already gone. SQLite needs no lock, its writers already take turns.
 */
export async function lockActiveAdminIds(tx: Tx, dialect: Dialect): Promise<number[]> {
  let query = tx.selectFrom('users').select('id').where('role', '=', 'admin').where('deactivatedAt', 'is', null).orderBy('id');
  if (dialect === 'postgres') query = query.forUpdate();
  return (await query.execute()).map((row) => Number(row.id));
}

/** Records that the user read a link mailed to `email`; a changed address since is not proven by it. */
export async function markEmailVerified(tx: Tx, id: number, email: string, now: number): Promise<boolean> {
  const result = await tx
    .updateTable('users')
    .set({ emailVerifiedAt: now, updatedAt: now })
    .where('id', '=', id)
    .where('email', '=', email.toLowerCase())
    .where('emailVerifiedAt', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setPasswordHash(tx: Tx, id: number, passwordHash: string, now: number): Promise<void> {
  await tx.updateTable('users').set({ passwordHash, updatedAt: now }).where('id', '=', id).execute();
}

/** Users with one of these roles, by name; the team list is small, customers are never listed this way. */
export function listUsersByRole(tx: Tx, roles: readonly Role[], includeDeactivated: boolean): Promise<UserRow[]> {
  let query = tx
    .selectFrom('users')
    .selectAll()
    .where('role', 'in', [...roles]);
  if (!includeDeactivated) query = query.where('deactivatedAt', 'is', null);
  return query.orderBy('name').orderBy('id').limit(1000).execute();
}

export async function renameUser(tx: Tx, id: number, name: string, now: number): Promise<void> {
  await tx.updateTable('users').set({ name, updatedAt: now }).where('id', '=', id).execute();
}

/**
 * These team members had an inbox socket open at `at`; one statement for all of an
 * instance's. Never backwards: a closing recorded late must not undo a newer sighting.
 */
export async function markSeen(tx: Tx, ids: readonly number[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable('users')
    .set({ lastSeenAt: at })
    .where('id', 'in', [...ids])
    .where('role', '!=', 'customer')
    .where((eb) => eb.or([eb('lastSeenAt', 'is', null), eb('lastSeenAt', '<', at)]))
    .execute();
}

/** Whether an active team member with no manual choice was seen at or after `since` (the partial index users_last_seen). */
export async function anyTeamMemberSeenSince(tx: Tx, since: number): Promise<boolean> {
  const row = await tx
    .selectFrom('users')
    .select('id')
    .where('lastSeenAt', '>=', since)
    .where('availabilityChoice', 'is', null)
    .where('role', '!=', 'customer')
    .where('deactivatedAt', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
