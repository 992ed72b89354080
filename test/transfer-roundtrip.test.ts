import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { LocalAttachmentStorage } from '../src/attachments/index.js';
import { createConversation } from '../src/inbox/commands.js';
import { openSqlite, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { exportInstallation } from '../src/transfer/export.js';
import { restoreInstallation } from '../src/transfer/restore.js';
import { makeTestStore } from './support/store.js';
import { inbox, seedInstallation, visible } from './support/transfer-seed.js';

// export → restore into the other database → export again is the same, table by table,
// byte for byte; and back into SQLite again when PostgreSQL is there (DATABASE_URL).

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const dir = () => {
  const made = mkdtempSync(path.join(os.tmpdir(), 'onethread-transfer-'));
  cleanups.push(() => rmSync(made, { recursive: true, force: true }));
  return made;
};

/** A new installation's attachment store and mail folder. */
const installedAt = () => ({ attachments: new LocalAttachmentStorage(dir()), mailRoot: dir() });

async function freshSqlite(): Promise<Store> {
  const store = openSqlite(path.join(dir(), 'onethread.db'));
  await migrateToLatest(store);
  cleanups.push(() => store.close());
  return store;
}

async function freshTarget(): Promise<Store> {
  const store = await makeTestStore();
  cleanups.push(() => store.close());
  return store;
}

/** Every entry of a ZIP by name. */
async function entries(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const out = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    out.set(entry.fileName, Buffer.concat(chunks));
  }
  return out;
}

/** Everything but the manifest's time and source database: what must survive a round trip unchanged. */
async function contents(file: string) {
  const all = await entries(file);
  const { createdAt: _, dialect: __, ...manifest } = JSON.parse(all.get('manifest.json')!.toString());
  all.delete('manifest.json');
  return { manifest, entries: all };
}

let source: Awaited<ReturnType<typeof seedInstallation>>;
let exported: string;
beforeAll(async () => {
  source = await seedInstallation();
  cleanups.push(() => rmSync(source.dataDir, { recursive: true, force: true }));
  cleanups.push(() => source.store.close());
  exported = path.join(dir(), 'first.zip');
  await exportInstallation(source.store, { attachments: source.storage, mailRoot: source.mailRoot }, exported);
}, 120_000);

describe('export and restore', () => {
  it('round-trips exactly into the other database and back', async () => {
    const first = await contents(exported);
    expect(first.manifest.tables.find((t: { name: string }) => t.name === 'conversations').rows).toBeGreaterThan(40);
    expect(first.manifest.files).toHaveLength(1);
    // The raw received mail, byte for byte as it lies in DATA_DIR/mail/archive.
    expect(first.manifest.mail).toHaveLength(1);
    const [mail] = first.manifest.mail as { dir: string; name: string }[];
    expect(mail!.dir).toBe('archive');
    const raw = await readFile(path.join(source.mailRoot, 'archive', mail!.name));
    expect(first.entries.get(`mail/archive/${mail!.name}`)).toEqual(raw);
    const articles = await source.store.db
      .selectFrom('kb_articles')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    expect(first.manifest.sequences.kb_articles).toBe(Number(articles.id) + 1);

    const target = await freshTarget();
    const targetFiles = installedAt();
    const restored = await restoreInstallation(target, targetFiles, exported);
    expect(restored.files).toBe(1);
    expect(restored.mail).toBe(1);
    expect(await readFile(path.join(targetFiles.mailRoot, 'archive', mail!.name))).toEqual(raw);
    const second = path.join(dir(), 'second.zip');
    await exportInstallation(target, targetFiles, second);
    expect(await contents(second)).toEqual(first);
    const seen = await visible(source.store);
    for (const term of Object.keys(seen.search)) expect(seen.search[term]!.length, term).toBeGreaterThan(0);
    expect(await visible(target)).toEqual(seen);

    if (target.dialect === 'postgres') {
      const back = await freshSqlite();
      const backFiles = installedAt();
      await restoreInstallation(back, backFiles, second);
      const third = path.join(dir(), 'third.zip');
      await exportInstallation(back, backFiles, third);
      expect(await contents(third)).toEqual(first);
    } else {
      console.log('transfer round trip: SQLite → SQLite only; the cross-database part (SQLite ↔ PostgreSQL) needs DATABASE_URL');
    }

    // The restored installation carries on where the source stopped: ids, numbers, counters.
    const last = await source.store.db.selectFrom('conversations').select(['id', 'number']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const next = await createConversation(inbox(target), {
      from: { customerEmail: 'new@example.test' },
      channel: 'email',
      subject: 'After the move',
      body: 'Hello',
    });
    expect(next.conversation.id).toBe(last.id + 1);
    expect(next.conversation.number).toBe(`CONV-${String(last.number + 1).padStart(6, '0')}`);
  }, 120_000);

  it('refuses a database that already has accounts or conversations', async () => {
    const target = await freshTarget();
    await restoreInstallation(target, installedAt(), exported);
    await expect(restoreInstallation(target, installedAt(), exported)).rejects.toThrow(/already has accounts or conversations/);
  }, 120_000);

  it('refuses a damaged export and writes nothing', async () => {
    const damaged = await rewritten('damaged.zip', 'tables/messages.jsonl', (text) => text.replace('invoice', 'invoicf'));
    const target = await freshTarget();
    const [files, mailRoot] = [dir(), dir()];
    await expect(restoreInstallation(target, { attachments: new LocalAttachmentStorage(files), mailRoot }, damaged)).rejects.toThrow(
      /damaged: tables\/messages.jsonl does not match its checksum in manifest.json; nothing was written/,
    );
    expect(await target.db.selectFrom('users').select('id').execute()).toEqual([]);
    expect(await target.db.selectFrom('messages').select('id').execute()).toEqual([]);
    expect(await readdir(files)).toEqual([]);
    expect(await readdir(mailRoot)).toEqual([]);
    // A manifest naming mail outside DATA_DIR/mail is refused before anything is written.
    const escaping = await rewritten('escaping.zip', 'manifest.json', (text) => text.replace('"dir": "archive"', '"dir": "../.."'));
    await expect(restoreInstallation(target, { attachments: new LocalAttachmentStorage(files), mailRoot }, escaping)).rejects.toThrow(
      /escaping.zip is damaged: manifest.json names mail "..\/..\//,
    );
    expect(await target.db.selectFrom('users').select('id').execute()).toEqual([]);
  }, 120_000);

  it('refuses an export of another migration level, and a file that is no ZIP', async () => {
    const older = await rewritten('older.zip', 'manifest.json', (text) => text.replace(/"migration": "[^"]+"/, '"migration": "0035_report_day_rollups"'));
    const target = await freshTarget();
    await expect(restoreInstallation(target, { attachments: null, mailRoot: null }, older)).rejects.toThrow(
      /was exported at migration 0035_report_day_rollups; this database is at \d{4}_\w+\. Restore it with the Onethread version that made it, then upgrade/,
    );
    const notZip = path.join(dir(), 'not.zip');
    writeFileSync(notZip, 'hello');
    await expect(restoreInstallation(target, { attachments: null, mailRoot: null }, notZip)).rejects.toThrow(/not.zip is not a readable ZIP/);
    expect(await target.db.selectFrom('users').select('id').execute()).toEqual([]);
  }, 120_000);
});

/** The first export with one entry changed. */
async function rewritten(name: string, entry: string, change: (text: string) => string): Promise<string> {
  const file = path.join(dir(), name);
  const zip = new yazl.ZipFile();
  for (const [entryName, bytes] of await entries(exported)) zip.addBuffer(entryName === entry ? Buffer.from(change(bytes.toString())) : bytes, entryName);
  zip.end();
  await finished(zip.outputStream.pipe(createWriteStream(file)));
  return file;
}
