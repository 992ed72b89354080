import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from './database.js';
import type { Database } from './schema.js';

export type Tx = Kysely<Database> | Transaction<Database>;

// Group commit. Every unit of work is atomic on its own, but units that queue up while a
// transaction runs commit together in the next one, each inside its own savepoint: one
// that fails rolls back to its savepoint alone and the others still commit. A commit is
// the expensive part of a small write (SQLite writes the WAL and may checkpoint;
// PostgreSQL waits for its WAL flush, and commands there are serialized anyway by the
// event-order lock, see events.ts), so under load many commands share it. Nobody learns
// an outcome before that commit: results, errors and therefore the bus publish all
// come after it. An idle store runs each unit alone, without savepoints.

// PostgreSQL may abort a transaction (or savepoint) that lost a lock cycle; running it
// again is safe because nothing of it was committed.
const RETRYABLE_PG_CODES = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;
/** Bounds how long the last unit of a batch waits for the commit it shares. */
const MAX_BATCH = 64;

type Unit = { work: (tx: Tx) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
type Writer = { queue: Unit[]; draining: boolean };

const writers = new WeakMap<Store, Writer>();

/** Runs `work` in a transaction: everything it writes commits together or not at all. Never nest it. */
export function transact<T>(store: Store, work: (tx: Tx) => Promise<T>): Promise<T> {
  let writer = writers.get(store);
  if (!writer) writers.set(store, (writer = { queue: [], draining: false }));
  const queued = writer;
  return new Promise<T>((resolve, reject) => {
    queued.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
    if (queued.draining) return;
    queued.draining = true;
    // better-sqlite3 is synchronous: a whole transaction runs without yielding to I/O, so
    // requests already waiting on their sockets would only queue after it. Starting on
    // the next turn of the event loop lets them join this batch.
    setImmediate(() => void drain(store, queued));
  });
}

async function drain(store: Store, writer: Writer): Promise<void> {
  try {
    while (writer.queue.length > 0) await runBatch(store, writer.queue.splice(0, MAX_BATCH));
  } finally {
    writer.draining = false;
  }
}

async function runBatch(store: Store, batch: Unit[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let outcomes: Outcome[];
    try {
      outcomes = await inTransaction(store, (tx) => (batch.length === 1 ? runAlone(tx, batch[0]!) : runIsolated(tx, batch)));
    } catch (error) {
      if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
      for (const unit of batch) unit.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.value) : batch[i]!.reject(outcome.error)));
    return;
  }
}

// Alone, a failure rolls back the whole transaction: no savepoint needed.
async function runAlone(tx: Tx, unit: Unit): Promise<Outcome[]> {
  return [{ ok: true, value: await unit.work(tx) }];
}

async function runIsolated(tx: Tx, batch: Unit[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const unit of batch) {
    for (let attempt = 1; ; attempt++) {
      await sql`savepoint unit`.execute(tx);
      try {
        const value = await unit.work(tx);
        await sql`release savepoint unit`.execute(tx);
        outcomes.push({ ok: true, value });
        break;
      } catch (error) {
        // If even this fails the transaction is lost: it throws, and the batch fails whole.
        await sql`rollback to savepoint unit`.execute(tx);
        await sql`release savepoint unit`.execute(tx);
        if (attempt < MAX_ATTEMPTS && isRetryable(error)) continue;
        outcomes.push({ ok: false, error });
        break;
      }
    }
  }
  return outcomes;
}

function inTransaction<T>(store: Store, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') return store.db.transaction().execute(work);
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

const isRetryable = (error: unknown) => RETRYABLE_PG_CODES.has(pgCode(error) ?? '');

/** True when `error` is a unique-constraint violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const code = pgCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
