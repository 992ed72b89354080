import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, type PostgresPool, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { isConnectionLost } from './faults.js';
import type { Database } from './schema.js';
import { SAFETY_NET_PAGES, startBackgroundCheckpoints } from './sqlite-checkpoints.js';

export type Dialect = 'sqlite' | 'postgres';

export type Store = {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, for log lines: a file path or the database URL without password. */
  location: string;
  /** PostgreSQL only: for the few clients that cannot come from the pool (LISTEN). */
  connectionString?: string;
  close(): Promise<void>;
};

export type StoreOptions = { databaseUrl: string | null; dataDir: string };
export type SqliteOptions = {
  /** Checkpoint the WAL from a worker thread (a long-running server); see sqlite-checkpoints.ts. */
  backgroundCheckpoints?: boolean;
  /**
   * For a writer of large transactions (the importer): every statement of a transaction
   * journals the pages it changes so that it alone can roll back, and past 64 KiB SQLite
   * spills that journal to a temporary file, a write call per page for every statement after
   * (1.7 million calls for 60,000 imported messages). In memory, it is a copy. Also puts
   * temporary tables and sorts in memory, so not for the server's arbitrary queries.
   */
  largeTransactions?: boolean;
  onError?: (message: string) => void;
};

export function openStore(options: StoreOptions, sqliteOptions: SqliteOptions = {}): Store {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openSqlite(path.join(options.dataDir, 'onethread.db'), sqliteOptions);
}

export function openSqlite(file: string, options: SqliteOptions = {}): Store {
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL under WAL never corrupts and survives a process crash; only an OS crash or
  // power loss can drop the last commits. Paths that must survive that (raw inbound
  // mail) fsync on their own.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  if (options.largeTransactions) sqlite.pragma('temp_store = MEMORY');
  const checkpointer = options.backgroundCheckpoints ? startBackgroundCheckpoints(file, { onError: options.onError }) : null;
  if (checkpointer) sqlite.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const close = async () => {
    await checkpointer?.stop();
    await db.destroy();
  };
  return { db, dialect: 'sqlite', location: file, close };
}

export function openPostgres(url: string): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A server that does not answer (a black-holed failover, a full connection queue)
    // fails the request with a 503 instead of holding it open; a refused one fails at once.
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    // bigint columns hold epoch milliseconds and ids, all far below 2^53.
    types: { getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) },
  });
  // A connection can die at any time (pg_terminate_backend, a restart, a failover, a proxy
  // or idle-in-transaction timeout). pg reports it as an 'error' event on the client, and
  // an event nobody hears crashes the process. The pool listens only while a client is
  // idle; a checked-out one gets its own listener here, for its whole life. The query in
  // flight fails on its own, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => {
    let reported = false;
    client.on('error', (error) => {
      // The server's FATAL and the closed socket both arrive: one line per connection.
      if (!reported) console.error('postgres: connection lost:', error.message);
      reported = true;
    });
  });
  // Idle clients: the pool has already removed the broken one and replaces it on demand.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: patientPool(pool) }) });
  return { db, dialect: 'postgres', location: redactPassword(url), connectionString: url, close: () => db.destroy() };
}

/** How long a connection attempt refused by a restarting server is tried again before its caller hears of it. */
const CONNECT_BUDGET_MS = 2_000;

/**
 * Opening a connection is always safe to try again, as nothing was sent on it: during a
 * restart or failover (refused, "starting up", "shutting down") the caller waits up to
 * the budget instead of failing at once. One budget per outage: while the server stays
 * away, later callers fail at their first try instead of each waiting it out again.
 */
function patientPool(pool: pg.Pool): PostgresPool {
  let outage: { since: number; last: number } | null = null;
  return {
    async connect() {
      for (let pause = 50; ; pause = Math.min(pause * 2, 400)) {
        try {
          const client = await pool.connect();
          outage = null;
          return client;
        } catch (error) {
          // A full pool that timed out is busy, not away: waiting longer would not help.
          if (!isConnectionLost(error) || /timeout/i.test((error as Error).message)) throw error;
          const now = Date.now();
          if (!outage || now - outage.last > CONNECT_BUDGET_MS) outage = { since: now, last: now };
          else outage.last = now;
          if (now + pause - outage.since >= CONNECT_BUDGET_MS) throw error;
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    },
    end: () => pool.end(),
  };
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}

// Kysely's SQLite driver prepares every statement on every call; reusing prepared
// statements is most of the difference between a command and a raw insert.
function withStatementCache(sqlite: SqliteDatabase.Database, capacity = 500) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(query: string) {
      let statement = cache.get(query);
      if (!statement) {
        statement = sqlite.prepare(query);
        if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
        cache.set(query, statement);
      }
      return statement;
    },
  };
}

/** Resolves once the database answers a trivial query. */
export async function pingDatabase(store: Store): Promise<void> {
  await sql`select 1`.execute(store.db);
}
