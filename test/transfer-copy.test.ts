import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, openSqlite, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { isEmptyInstallation, listTables, rowCount } from '../src/store/table-copy.js';
import { copyInstallation } from '../src/transfer/copy.js';
import { runScript } from './support/run.js';
import { makeDatabaseEnv } from './support/store.js';
import { seedInstallation, visible } from './support/transfer-seed.js';

// The commands as a team runs them: `export` and `import onethread` on SQLite, and
// `copy --to postgres://…` from a stopped SQLite installation (needs DATABASE_URL).

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let source: Awaited<ReturnType<typeof seedInstallation>>;
beforeAll(async () => {
  source = await seedInstallation();
  // The copy reads a stopped installation: nothing of ours holds the file open meanwhile.
  await source.store.close();
  cleanups.push(() => rmSync(source.dataDir, { recursive: true, force: true }));
}, 120_000);

/** The source installation, opened for a look (after the command has finished). */
async function opened<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqlite(path.join(source.dataDir, 'onethread.db'));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

describe('onethread export / import onethread', () => {
  it('moves an installation through a file into a new DATA_DIR, with progress on stderr', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'onethread-transfer-')), 'team.zip');
    cleanups.push(() => rmSync(path.dirname(file), { recursive: true, force: true }));
    const exported = await runScript('src/cli.ts', ['export', file], { DATA_DIR: source.dataDir }, 120_000);
    expect(exported.stderr).toContain('exporting');
    expect(exported.stdout).toMatch(/^exported \d+ tables \(\d+ rows\), 1 files and 1 received mails to /);
    expect(exported.code).toBe(0);

    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-transfer-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const restored = await runScript('src/cli.ts', ['import', 'onethread', file], { DATA_DIR: dataDir }, 120_000);
    expect(restored.stderr).toContain('restoring');
    expect(restored.stdout).toMatch(/^restored \d+ tables \(\d+ rows\), 1 files and 1 received mails from /);
    // The raw mail is back in the new DATA_DIR, where the email channel keeps it.
    expect(readdirSync(path.join(dataDir, 'mail', 'archive'))).toEqual(readdirSync(path.join(source.dataDir, 'mail', 'archive')));
    expect(restored.code).toBe(0);
    const store = openSqlite(path.join(dataDir, 'onethread.db'));
    try {
      expect(await visible(store)).toEqual(await opened(visible));
    } finally {
      await store.close();
    }

    const again = await runScript('src/cli.ts', ['import', 'onethread', file], { DATA_DIR: dataDir }, 120_000);
    expect(again.stderr.trim()).toBe(
      'onethread: this database already has accounts or conversations; a restore only goes into an empty one (a new DATA_DIR or an empty PostgreSQL database)',
    );
    expect(again.code).toBe(1);
  }, 180_000);
});

describe('onethread copy --to', () => {
  it('refuses a target that is not a PostgreSQL URL', async () => {
    const run = await runScript('src/cli.ts', ['copy', '--to', 'mysql://x'], { DATA_DIR: source.dataDir });
    expect(run.stderr.trim()).toBe('onethread: give the target: onethread copy --to postgres://user:password@host/database');
    expect(run.code).toBe(1);
  });

  it('copies everything into an empty PostgreSQL database, checks it, and refuses to copy into it again', async (context) => {
    if (!process.env.DATABASE_URL) {
      console.log('transfer copy: the copy into PostgreSQL was skipped; it needs DATABASE_URL (a PostgreSQL server)');
      context.skip();
    }
    const db = await makeDatabaseEnv();
    cleanups.push(db.cleanup);
    const url = db.env.DATABASE_URL!;
    const run = await runScript('src/cli.ts', ['copy', '--to', url], { DATA_DIR: source.dataDir }, 180_000);
    expect(run.stderr).toContain('copying');
    expect(run.stdout).toMatch(/row counts and checksums match on both sides\nnext: set DATABASE_URL=postgres:\/\//);
    expect(run.code).toBe(0);

    const target = openPostgres(url);
    try {
      const counts = async (store: Store) =>
        Object.fromEntries(await Promise.all((await listTables(store)).map(async (t) => [t.name, await rowCount(store, t.name)] as const)));
      expect(await counts(target)).toEqual(await opened(counts));
      expect(await visible(target)).toEqual(await opened(visible));
      // The identity sequences continue after the copied ids.
      const next = await sql<{ id: number }>`insert into teams (name, "createdAt", "updatedAt") values ('After the copy', 0, 0) returning id`.execute(
        target.db,
      );
      const max = await opened((s) =>
        s.db
          .selectFrom('teams')
          .select((eb) => eb.fn.max('id').as('id'))
          .executeTakeFirstOrThrow(),
      );
      expect(next.rows[0]!.id).toBe(Number(max.id) + 1);
    } finally {
      await target.close();
    }

    const again = await runScript('src/cli.ts', ['copy', '--to', url], { DATA_DIR: source.dataDir }, 60_000);
    expect(again.stderr).toMatch(/already has accounts or conversations; copy only goes into an empty database/);
    expect(again.code).toBe(1);
  }, 240_000);

  it('refuses a copy the SQLite file was written to during, as by a server still running, and keeps nothing', async (context) => {
    if (!process.env.DATABASE_URL) {
      console.log('transfer copy: the copy with a writer still running was skipped; it needs DATABASE_URL (a PostgreSQL server)');
      context.skip();
    }
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-copy-running-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    copyFileSync(path.join(source.dataDir, 'onethread.db'), path.join(dataDir, 'onethread.db'));
    const db = await makeDatabaseEnv();
    cleanups.push(db.cleanup);
    const file = path.join(dataDir, 'onethread.db');
    const [from, server, target] = [openSqlite(file), openSqlite(file), openPostgres(db.env.DATABASE_URL!)];
    try {
      await migrateToLatest(target);
      let write: Promise<unknown> | undefined;
      const copy = copyInstallation(from, target, () => {
        // The "server": its own connection to the file, writing while the copy reads.
        write ??= server.db.insertInto('teams').values({ name: 'Written meanwhile', description: '', createdAt: 0, updatedAt: 0 }).execute();
      });
      await expect(copy).rejects.toThrow(/was written to during the copy: is Onethread still running on it\?/);
      await write;
      expect(await isEmptyInstallation(target)).toBe(true);
      // Without a writer, the same copy goes through.
      expect((await copyInstallation(from, target)).rows).toBeGreaterThan(0);
    } finally {
      await Promise.all([from.close(), server.close(), target.close()]);
    }
  }, 240_000);
});
