import { type Kysely, sql, type Transaction } from 'kysely';
import type { Store } from './database.js';
import { DatabaseUnavailableError, isConnectionLost } from './faults.js';
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
// A connection lost before COMMIT was sent (a terminated backend, a restart, a failover)
// left nothing committed either: the batch runs again on a fresh connection, pausing a
// little longer each time in case the server is still coming back. Past the budget the
// units fail with the connection error, which the API answers with 503.
const RECONNECT_BUDGET_MS = 3_000;
const RECONNECT_FIRST_PAUSE_MS = 50;
/** Bounds how long the last unit of a batch waits for the commit it shares. */
const MAX_BATCH = 64;

type Unit = { work: (tx: Tx) => Promise<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void };
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
/** outage: when the connection was first and last found lost, while it keeps being lost. */
type Writer = { queue: Unit[]; draining: boolean; outage: { since: number; last: number } | null };

const writers = new WeakMap<Store, Writer>();

/** Runs `work` in a transaction: everything it writes commits together or not at all. Never nest it. */
export function transact<T>(store: Store, work: (tx: Tx) => Promise<T>): Promise<T> {
  let writer = writers.get(store);
  if (!writer) {
    writer = { queue: [], draining: false, outage: null };
    writers.set(store, writer);
  }
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
    while (writer.queue.length > 0) await runBatch(store, writer, writer.queue.splice(0, MAX_BATCH));
  } finally {
    writer.draining = false;
  }
}

async function runBatch(store: Store, writer: Writer, batch: Unit[]): Promise<void> {
  const started = Date.now();
  for (let deadlocks = 0, reconnects = 0; ; ) {
    const progress: Progress = { commitSent: false };
    let outcomes: Outcome[];
    try {
      outcomes = await inTransaction(store, progress, (tx) => (batch.length === 1 ? runAlone(tx, batch[0]!) : runIsolated(tx, batch)));
      writer.outage = null;
    } catch (caught) {
      let error = caught;
      if (isRetryable(error) && ++deadlocks < MAX_ATTEMPTS) continue;
      if (isConnectionLost(error)) {
        if (!progress.commitSent) {
          const since = noteLoss(writer, started);
          const pause = reconnects === 0 ? 0 : RECONNECT_FIRST_PAUSE_MS * 2 ** (reconnects - 1);
          if (Date.now() + pause - since < RECONNECT_BUDGET_MS) {
            reconnects++;
            await new Promise((resolve) => setTimeout(resolve, pause));
            continue;
          }
        } else {
          // The COMMIT went out and no answer came back: it may have taken effect. Running
          // the batch again could write everything twice, so the callers hear that the
          // outcome is unknown and retry with their idempotency key, which finds it if so.
          error = new DatabaseUnavailableError(
            'The database connection was lost while saving; the change may or may not have been saved. Retry with the same Idempotency-Key.',
            { cause: caught },
          );
        }
      }
      for (const unit of batch) unit.reject(error);
      return;
    }
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.ok) batch[i]!.resolve(outcome.value);
      else batch[i]!.reject(outcome.error);
    }
    return;
  }
}

/**
 * When the current outage began. One budget per outage, not per batch: batches queued
 * behind a long one fail at their first try instead of each waiting the budget out again.
 */
function noteLoss(writer: Writer, batchStarted: number): number {
  const now = Date.now();
  // Counted from the batch's start: its first try may itself have waited for a connection.
  if (!writer.outage || now - writer.outage.last > RECONNECT_BUDGET_MS) writer.outage = { since: batchStarted, last: now };
  else writer.outage.last = now;
  return writer.outage.since;
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

type Progress = { commitSent: boolean };

function inTransaction<T>(store: Store, progress: Progress, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    return store.db.transaction().execute(async (tx) => {
      const result = await work(tx);
      // Kysely sends COMMIT right after this callback returns; any failure from here on may
      // follow a commit. (Which failure cannot be told apart: when COMMIT fails, Kysely
      // reports the ROLLBACK it tries next, which fails too on a dead connection.)
      progress.commitSent = true;
      return result;
    });
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
      // On a full disk or an I/O error SQLite may have rolled back already, and ROLLBACK then
      // fails: the first error is what the caller needs (and maps to 503), not that one.
      await sql`rollback`.execute(connection).catch((rollbackError: unknown) => {
        if (!(rollbackError instanceof Error && rollbackError.message.includes('no transaction is active'))) throw rollbackError;
      });
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
