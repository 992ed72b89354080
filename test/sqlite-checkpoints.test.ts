import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';

// SQLite-specific by nature, so it runs on SQLite in every run, PostgreSQL runs included.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function writeRows(store: ReturnType<typeof openSqlite>, count: number) {
  for (let i = 0; i < count; i++) {
    await store.db
      .insertInto('sequences')
      .values({ name: `row-${i}-${'x'.repeat(400)}`, value: i })
      .execute();
  }
}

describe('background WAL checkpoints', () => {
  it('copy committed pages into the database file while the server writes, and stop on close', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-ckpt-'));
    dirs.push(dir);
    const file = path.join(dir, 'onethread.db');
    const store = openSqlite(file, { backgroundCheckpoints: true });
    await migrateToLatest(store);
    const before = statSync(file).size;
    await writeRows(store, 2000);
    // The main connection's own threshold (20,000 pages) is far away: only the worker
    // can have grown the database file.
    const deadline = Date.now() + 10_000;
    while (statSync(file).size <= before + 500_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size).toBeGreaterThan(before + 500_000);
    await store.close();
    // Closed for good: the file can be opened and read by someone else at once.
    const again = openSqlite(file);
    const count = await again.db
      .selectFrom('sequences')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2001);
    await again.close();
  });

  it('without the option the main connection checkpoints only at its usual threshold', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-ckpt-'));
    dirs.push(dir);
    const file = path.join(dir, 'onethread.db');
    const store = openSqlite(file);
    await migrateToLatest(store);
    const before = statSync(file).size;
    await writeRows(store, 100);
    await new Promise((r) => setTimeout(r, 600));
    // 100 small rows stay in the WAL: nothing copied them yet.
    expect(statSync(file).size).toBe(before);
    await store.close();
  });
});
