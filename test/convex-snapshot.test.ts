import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConvexSnapshot, openConvexSnapshot } from '../src/import/convex/snapshot.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'convex-snapshot-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tickets = [
  { _id: 'k1', _creationTime: 1700000000000.5, subject: 'Printer on fire', views: '9007199254740993' },
  { _id: 'k2', _creationTime: 1700000001000, subject: 'Refund', tags: ['billing'], blob: 'AAEC/w==' },
  { _id: 'k3', _creationTime: 1700000002000, subject: 'Ünïcode ✓', nested: { a: null } },
];
const messages = [1, 2, 3, 4, 5].map((n) => ({ _id: `m${n}`, _creationTime: 1700000010000 + n, ticket: `k${(n % 3) + 1}`, body: `message ${n}` }));
const schema = [{ type: 'object', fields: ['subject'] }, { note: 'second line' }];
const pngBytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]), randomBytes(200)]);
// Larger than a read chunk, so the stream is read in several pieces.
const bigBytes = randomBytes(300_000);
const storage = [
  { _id: 'st1', _creationTime: 1700000020000, sha256: 'c2hhLW9uZQ==', size: pngBytes.length, contentType: 'image/png' },
  { _id: 'st2', _creationTime: 1700000021000, size: bigBytes.length },
];

const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');

function write(root: string, file: string, content: string | Buffer) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

/** The export layout under `root`. */
function writeExport(root: string, { withTablesList = true } = {}) {
  if (withTablesList)
    write(
      root,
      '_tables/documents.jsonl',
      jsonl([
        { name: 'ticket_messages', id: 10001 },
        // A system table in the list must not come out as a table.
        { name: '_storage', id: 7 },
        { name: 'support_tickets', id: 10002 },
      ]),
    );
  // A blank line in the middle and CRLF endings: both must be tolerated.
  write(root, 'support_tickets/documents.jsonl', `${JSON.stringify(tickets[0])}\r\n\r\n${jsonl(tickets.slice(1)).replace(/\n/g, '\r\n')}\r\n`);
  write(root, 'support_tickets/generated_schema.jsonl', `${jsonl(schema)}\n`);
  write(root, 'ticket_messages/documents.jsonl', `${jsonl(messages)}\n\n`);
  write(root, '_storage/documents.jsonl', `${jsonl(storage)}\n`);
  write(root, '_storage/st1.png', pngBytes);
  write(root, '_storage/st2', bigBytes);
  write(root, '_components/foo/documents.jsonl', jsonl([{ _id: 'c1', _creationTime: 1 }]));
  write(root, '_components/foo/_tables/documents.jsonl', jsonl([{ name: 'foo_table' }]));
}

/** Zips `folder` (inside `parent`) so every entry is under `folder/`, as some exports are. */
function zipFolder(parent: string, folder: string, zipPath: string) {
  try {
    execFileSync('zip', ['-qr', zipPath, folder], { cwd: parent, stdio: 'ignore' });
  } catch {
    const script = 'import shutil,sys; shutil.make_archive(sys.argv[1], "zip", root_dir=sys.argv[2], base_dir=sys.argv[3])';
    execFileSync('python3', ['-c', script, zipPath.replace(/\.zip$/, ''), parent, folder]);
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function bytes(stream: NodeJS.ReadableStream | null): Promise<Buffer | null> {
  if (!stream) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const sha256 = (data: Buffer | null) => (data ? createHash('sha256').update(data).digest('hex') : null);

/** Everything the reader gives, to compare a directory with a ZIP. */
async function readAll(snapshot: ConvexSnapshot) {
  const tables = await snapshot.tables();
  const documents = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await collect(snapshot.documents(t))])));
  const schemas = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await snapshot.generatedSchema(t)])));
  const files = await collect(snapshot.storedFiles());
  // Hashed: a deep toEqual over a 300 kB Buffer compares byte by byte and takes seconds.
  const contents = await Promise.all(files.map(async (f) => sha256(await bytes(await snapshot.openStoredFile(f.id)))));
  return { tables, documents, schemas, files, contents };
}

const dir = path.join(tmp, 'plain');
writeExport(dir);
const wrapParent = path.join(tmp, 'wrapped');
writeExport(path.join(wrapParent, 'snapshot_1700000000'));
const zipPath = path.join(tmp, 'snapshot.zip');
zipFolder(wrapParent, 'snapshot_1700000000', zipPath);

describe('Convex snapshot reader', () => {
  it('reads a directory export', async () => {
    const snapshot = await openConvexSnapshot(dir);
    try {
      expect(await snapshot.tables()).toEqual(['support_tickets', 'ticket_messages']);

      const docs = await collect(snapshot.documents('support_tickets'));
      expect(docs).toEqual(tickets);
      expect(docs[0]!.views).toBe('9007199254740993');
      expect(docs[1]!.blob).toBe('AAEC/w==');
      expect(await collect(snapshot.documents('ticket_messages'))).toEqual(messages);
      expect(await collect(snapshot.documents('no_such_table'))).toEqual([]);
      expect(await collect(snapshot.documents('_storage'))).toEqual([]);
      expect(await collect(snapshot.documents('../plain/support_tickets'))).toEqual([]);

      expect(await snapshot.generatedSchema('support_tickets')).toEqual(schema);
      expect(await snapshot.generatedSchema('ticket_messages')).toBeNull();
      expect(await snapshot.generatedSchema('no_such_table')).toBeNull();

      expect(await collect(snapshot.storedFiles())).toEqual([
        { id: 'st1', sha256: 'c2hhLW9uZQ==', size: pngBytes.length, contentType: 'image/png' },
        { id: 'st2', sha256: null, size: bigBytes.length, contentType: null },
      ]);
      expect((await bytes(await snapshot.openStoredFile('st1')))!.equals(pngBytes)).toBe(true);
      expect((await bytes(await snapshot.openStoredFile('st2')))!.equals(bigBytes)).toBe(true);
      expect(await snapshot.openStoredFile('nope')).toBeNull();
      expect(await snapshot.openStoredFile('documents')).toBeNull();
    } finally {
      await snapshot.close();
    }
  });

  it('gives the same from a ZIP with a top folder, and from a directory wrapping the export in one folder', async () => {
    const fromDir = await openConvexSnapshot(dir);
    const fromZip = await openConvexSnapshot(zipPath);
    const fromWrapped = await openConvexSnapshot(wrapParent);
    try {
      const expected = await readAll(fromDir);
      expect(expected.tables).toEqual(['support_tickets', 'ticket_messages']);
      expect(expected.contents).toEqual([sha256(pngBytes), sha256(bigBytes)]);
      expect(await readAll(fromZip)).toEqual(expected);
      expect(await readAll(fromWrapped)).toEqual(expected);
      expect(await fromZip.openStoredFile('nope')).toBeNull();
      // Stopping early releases the entry; the ZIP still reads afterwards.
      for await (const doc of fromZip.documents('ticket_messages')) {
        expect(doc._id).toBe('m1');
        break;
      }
      expect(await collect(fromZip.documents('ticket_messages'))).toEqual(messages);
    } finally {
      await Promise.all([fromDir.close(), fromZip.close(), fromWrapped.close()]);
    }
  });

  it('finds the tables from the folders when _tables is absent', async () => {
    const root = path.join(tmp, 'no-tables-list');
    writeExport(root, { withTablesList: false });
    const snapshot = await openConvexSnapshot(root);
    try {
      expect(await snapshot.tables()).toEqual(['support_tickets', 'ticket_messages']);
      expect(await collect(snapshot.documents('ticket_messages'))).toEqual(messages);
    } finally {
      await snapshot.close();
    }
  });

  it('rejects a line that is not JSON, naming the file and the line', async () => {
    const parent = path.join(tmp, 'bad');
    const root = path.join(parent, 'export');
    write(root, '_tables/documents.jsonl', jsonl([{ name: 'support_tickets' }]));
    write(root, 'support_tickets/documents.jsonl', `${JSON.stringify(tickets[0])}\n\n{"_id": "k2", oops}\n`);
    const badZip = path.join(tmp, 'bad.zip');
    zipFolder(parent, 'export', badZip);
    for (const source of [root, badZip]) {
      const snapshot = await openConvexSnapshot(source);
      try {
        await expect(collect(snapshot.documents('support_tickets'))).rejects.toThrow(/support_tickets\/documents\.jsonl line 3\b/);
      } finally {
        await snapshot.close();
      }
    }
  });
});
