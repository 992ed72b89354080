import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPostgres, openSqlite, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';

// The bench's own database, never the app's: a SQLite file in a temporary (or given)
// directory, or a new database on the PostgreSQL server DATABASE_URL points at.

/** A mistake in how the bench was called: reported in one line, without a stack. */
export class UsageError extends Error {}

/** A whole-number option, checked before anything is created for it. */
export function wholeNumber(option: string, raw: unknown): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${option} must be a whole number, not "${String(raw)}"`);
  return value;
}

export type BenchTarget = {
  store: Store;
  /** Printed so a kept database can be found (and reused with --reuse). */
  description: string;
  /** Closes the store and, unless kept, removes the database. */
  finish(keep: boolean): Promise<void>;
};

export async function openTarget(options: { databaseUrl: string | undefined; dataDir: string | undefined; reuse: boolean }): Promise<BenchTarget> {
  if (options.databaseUrl) return openPostgresTarget(options.databaseUrl, options.reuse);
  return openSqliteTarget(options.dataDir, options.reuse);
}

async function openSqliteTarget(dataDir: string | undefined, reuse: boolean): Promise<BenchTarget> {
  if (reuse && !dataDir) throw new UsageError('--reuse needs --data-dir (SQLite) or DATABASE_URL (PostgreSQL)');
  const dir = dataDir ? path.resolve(dataDir) : mkdtempSync(path.join(os.tmpdir(), 'onethread-bench-'));
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'onethread.db');
  const files = [file, `${file}-wal`, `${file}-shm`];
  // Never overwrite a database we did not make: --data-dir might be the app's own.
  if (!reuse && existsSync(file)) throw new UsageError(`${file} exists; measure it with --reuse, or remove it to load afresh`);
  // Opened as the server opens it (src/app.ts).
  const store = openSqlite(file, { backgroundCheckpoints: true, onError: (message) => console.error(message) });
  await migrateToLatest(store);
  return {
    store,
    description: `SQLite ${file}`,
    async finish(keep) {
      await store.close();
      // A directory we made is ours to remove; a given one keeps everything but the database.
      if (keep) return;
      if (dataDir) for (const f of files) rmSync(f, { force: true });
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgresTarget(url: string, reuse: boolean): Promise<BenchTarget> {
  if (reuse) {
    // Reuse means DATABASE_URL names the kept bench database itself.
    const store = openPostgres(url);
    await migrateToLatest(store);
    return { store, description: `PostgreSQL ${store.location}`, finish: async () => store.close() };
  }
  const name = `onethread_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(url, `create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const store = openPostgres(target.toString());
  await migrateToLatest(store);
  return {
    store,
    description: `PostgreSQL ${store.location}`,
    async finish(keep) {
      await store.close();
      if (!keep) await adminQuery(url, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
