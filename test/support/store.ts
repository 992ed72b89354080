import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPostgres, openSqlite, type Store } from '../../src/store/database.js';
import { migrateToLatest, migrateUpTo } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';

/**
 * A fresh, migrated database of the kind this run tests: a SQLite file in a temp
 * directory, or, when DATABASE_URL is set, a new PostgreSQL database on that server.
 * `close()` removes it again.
 */
export async function makeTestStore(options: { upTo?: string } = {}): Promise<Store> {
  const url = process.env.DATABASE_URL;
  const store = url ? await createPostgresDatabase(url) : createSqliteFile();
  if (options.upTo) await migrateUpTo(store, options.upTo);
  else await migrateToLatest(store);
  return store;
}

function createSqliteFile(): Store {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-test-'));
  const store = openSqlite(path.join(dir, 'onethread.db'));
  return {
    ...store,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
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

/**
 * pg's Pool.end() resolves before its sockets have closed; dropping the database WITH
 * (FORCE) at that moment kills them mid-close. Wait until none is left, then drop.
 */
async function dropWhenClosed(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; i < 500; i++) {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

async function createPostgresDatabase(url: string): Promise<Store> {
  const name = `onethread_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(url, `create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const store = openPostgres(target.toString());
  return {
    ...store,
    close: async () => {
      await store.close();
      await dropWhenClosed(url, name);
    },
  };
}

/** A database URL for a fresh database, for tests that start the CLI or server as a process. */
export async function makeDatabaseEnv(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `onethread_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await adminQuery(url, `create database ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: target.toString(), DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'onethread-test-')) },
      cleanup: () => dropWhenClosed(url, name),
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-test-'));
  return { env: { DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** How many rows a table holds: what a test compares before and after (never a request path). */
export async function countRows(store: Store, table: keyof Database): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
