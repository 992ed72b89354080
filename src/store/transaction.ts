import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from './database.js';
import type { Database } from './schema.js';

export type Tx = Kysely<Database> | Transaction<Database>;

// PostgreSQL may abort a transaction that lost a lock cycle; running it again is safe
// because nothing of it was committed.
const RETRYABLE_PG_CODES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/** Runs `work` in one transaction: everything it writes commits together or not at all. */
export async function transact<T>(store: Store, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.db.transaction().execute(work);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE_PG_CODES.has(pgCode(error) ?? '')) throw error;
      }
    }
  }
  // SQLite: take the write lock up front (BEGIN IMMEDIATE). A deferred transaction that
  // reads first and writes later can fail with SQLITE_BUSY when another process holds
  // the lock, and busy_timeout cannot help it.
  return store.db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** True when `error` is a unique-constraint violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = pgCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
