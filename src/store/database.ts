import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
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
    // bigint columns hold epoch milliseconds and ids, all far below 2^53.
    types: { getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) },
  });
  // An idle connection can die (server restart, failover, proxy timeout); pg emits that
  // on the pool, and unheard it would crash the process. The pool replaces the connection.
  pool.on('error', (error) => console.error('postgres: idle connection lost:', error.message));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: redactPassword(url), connectionString: url, close: () => db.destroy() };
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
