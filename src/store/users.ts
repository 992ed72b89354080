import type { Tx } from './transaction.js';
import type { Role, UserRow } from './schema.js';

export function findUserById(tx: Tx, id: number): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

export type NewUser = { name: string; email: string; role: Role; passwordHash?: string | null; now: number };

const userValues = (user: NewUser) => ({
  name: user.name,
  email: user.email.toLowerCase(),
  role: user.role,
  passwordHash: user.passwordHash ?? null,
  createdAt: user.now,
  updatedAt: user.now,
});

export function insertUser(tx: Tx, user: NewUser): Promise<UserRow> {
  return tx
    .insertInto('users')
    .values(userValues(user))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Inserts the user unless the address exists; returns the stored row either way. */
export async function findOrInsertUserByEmail(tx: Tx, user: NewUser): Promise<UserRow> {
  await tx
    .insertInto('users')
    .values(userValues(user))
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  const row = await findUserByEmail(tx, user.email);
  if (!row) throw new Error(`user ${user.email} vanished after insert`);
  return row;
}
