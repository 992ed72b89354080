import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';

// An importer's scratch space on disk (issue 20 "Streaming throughout"): a source's rows
// arrive in whatever order its export has them, and a conversation needs all of its
// messages together. They are staged here, grouped and ordered by SQLite, so memory stays
// flat whatever the export's size. A temporary file, deleted on close; never the app's database.

export type Staging = {
  /** A message (as the source's document) under its conversation's group key. */
  addMessage(group: string, at: number, doc: unknown): void;
  /** The group's messages, oldest first (in arrival order at the same time). */
  messagesOf(group: string): unknown[];
  /** The groups whose key starts with `prefix`, in key order. */
  groups(prefix: string): Iterable<string>;
  /** Remembers a message's fingerprint (sender and text) at its time. */
  addFingerprint(fingerprint: string, at: number): void;
  /** Whether that fingerprint was seen within `windowMs` of `at`. */
  hasFingerprint(fingerprint: string, at: number, windowMs: number): boolean;
  setUser(id: string, user: unknown): void;
  user(id: string): unknown;
  close(): void;
};

export function openStaging(): Staging {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onethread-import-'));
  const db = new SqliteDatabase(path.join(dir, 'staging.db'));
  // Scratch data: a crash loses nothing the next run cannot read again.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`
    create table messages (seq integer primary key, "group" text not null, at integer not null, doc text not null);
    create index messages_group on messages ("group", at, seq);
    create table fingerprints (fingerprint text not null, at integer not null);
    create index fingerprints_at on fingerprints (fingerprint, at);
    create table users (id text primary key, doc text not null);
  `);
  const insertMessage = db.prepare('insert into messages ("group", at, doc) values (?, ?, ?)');
  const selectMessages = db.prepare('select doc from messages where "group" = ? order by at, seq').pluck();
  const selectGroups = db.prepare('select distinct "group" from messages where "group" > ? and "group" < ? order by "group" limit 500').pluck();
  const insertFingerprint = db.prepare('insert into fingerprints (fingerprint, at) values (?, ?)');
  const findFingerprint = db.prepare('select 1 from fingerprints where fingerprint = ? and at between ? and ? limit 1').pluck();
  const upsertUser = db.prepare('insert into users (id, doc) values (?, ?) on conflict (id) do update set doc = excluded.doc');
  const selectUser = db.prepare('select doc from users where id = ?').pluck();
  // Rows go in in large transactions: one per row would be a journal write each. Reads
  // between them see the open transaction's rows (one connection), so they never commit it.
  let pending = 0;
  const write = (run: () => void) => {
    if (pending === 0) db.exec('begin');
    run();
    if (++pending >= 10_000) flush();
  };
  const flush = () => {
    if (pending > 0) db.exec('commit');
    pending = 0;
  };
  return {
    addMessage: (group, at, doc) => write(() => insertMessage.run(group, at, JSON.stringify(doc))),
    messagesOf(group) {
      return (selectMessages.all(group) as string[]).map((doc) => JSON.parse(doc) as unknown);
    },
    *groups(prefix) {
      // Every key starting with `prefix` sorts after it and before the prefix with its last
      // character raised. Pages of keys, so the caller may read each group's messages between.
      const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      for (let after = prefix, page = selectGroups.all(after, end) as string[]; page.length > 0; page = selectGroups.all(after, end) as string[]) {
        yield* page;
        after = page.at(-1)!;
      }
    },
    addFingerprint: (fingerprint, at) => write(() => insertFingerprint.run(fingerprint, at)),
    hasFingerprint(fingerprint, at, windowMs) {
      return findFingerprint.get(fingerprint, at - windowMs, at + windowMs) !== undefined;
    },
    setUser: (id, user) => write(() => upsertUser.run(id, JSON.stringify(user))),
    user(id) {
      const doc = selectUser.get(id) as string | undefined;
      return doc === undefined ? undefined : (JSON.parse(doc) as unknown);
    },
    close() {
      flush();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
