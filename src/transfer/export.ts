import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import type { AttachmentStorage } from '../attachments/index.js';
import type { Store } from '../store/database.js';
import { blobHashes, type Db, listTables, migrationLevel, readPages, readSequences, rowCount, rowLine, type TableInfo } from '../store/table-copy.js';
import { FORMAT, FORMAT_VERSION, fileEntry, type Manifest, type ManifestTable, NOT_EXPORTED, tableEntry } from './format.js';
import { exportMail } from './mail-files.js';

// `onethread export FILE.zip`: every table a team owns as JSON lines, plus the attachment
// blobs and the raw received mail, read in one transaction (a consistent snapshot, also while the server runs).

export type TransferProgress = { done: number; total: number; table: string };

export type ExportResult = { tables: ManifestTable[]; files: number; missingFiles: string[]; mail: number; missingMail: string[] };

/** Where an installation keeps its files: attachment blobs, and raw received mail (DATA_DIR/mail). */
export type InstallationFiles = { attachments: AttachmentStorage | null; mailRoot: string | null };

export async function exportInstallation(
  store: Store,
  installed: InstallationFiles,
  file: string,
  onProgress: (p: TransferProgress) => void = () => undefined,
): Promise<ExportResult> {
  // Written beside the target and renamed at the end: a failed export leaves no half file.
  const partial = `${file}.partial`;
  const zip = new yazl.ZipFile();
  const output = zip.outputStream.pipe(createWriteStream(partial));
  const written = finished(output);
  try {
    // A file that cannot be written (no such folder, a full disk) stops the ZIP, and with it
    // the reading, which waits for room: its error ends the export instead.
    const result = await Promise.race([
      store.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute((trx) => writeEntries({ db: trx, dialect: store.dialect }, installed, zip, onProgress)),
      written.then(() => new Promise<never>(() => undefined)),
    ]);
    await written;
    await rename(partial, file);
    return result;
  } catch (error) {
    written.catch(() => undefined);
    output.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

async function writeEntries(source: Db, installed: InstallationFiles, zip: yazl.ZipFile, onProgress: (p: TransferProgress) => void): Promise<ExportResult> {
  const migration = await migrationLevel(source);
  if (!migration) throw new Error('the database has never been migrated: nothing to export');
  const all = await listTables(source);
  const tables = all.filter((t) => !NOT_EXPORTED.has(t.name));
  const counts = await Promise.all(tables.map((t) => rowCount(source, t.name)));
  const total = counts.reduce((sum, n) => sum + n, 0);
  let done = 0;
  const written: ManifestTable[] = [];
  for (const table of tables) {
    onProgress({ done, total, table: table.name });
    const digest = await writeTable(source, table, zip, (n) => {
      done += n;
      onProgress({ done, total, table: table.name });
    });
    written.push({ name: table.name, columns: table.columns, ...digest });
  }
  const files: string[] = [];
  const missingFiles: string[] = [];
  for await (const sha256 of blobHashes(source)) {
    const blob = await installed.attachments?.open(sha256);
    if (!blob) {
      missingFiles.push(sha256);
      continue;
    }
    zip.addReadStream(blob.stream, fileEntry(sha256));
    files.push(sha256);
    // One open blob at a time: the ZIP has taken this one whole before the next opens.
    await finished(blob.stream as Readable);
  }
  const { mail, missingMail } = installed.mailRoot ? await exportMail(source, installed.mailRoot, zip) : { mail: [], missingMail: [] };
  const manifest: Manifest = {
    format: FORMAT,
    version: FORMAT_VERSION,
    migration,
    dialect: source.dialect,
    createdAt: new Date().toISOString(),
    tables: written,
    sequences: await readSequences(source, tables),
    files,
    missingFiles,
    mail,
    missingMail,
  };
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json');
  zip.end();
  return { tables: written, files: files.length, missingFiles, mail: mail.length, missingMail };
}

/** Streams the table's rows into its entry, hashing exactly the bytes written. */
async function writeTable(source: Db, table: TableInfo, zip: yazl.ZipFile, onRows: (n: number) => void): Promise<{ rows: number; sha256: string }> {
  const entry = new PassThrough();
  zip.addReadStream(entry, tableEntry(table.name));
  const hash = createHash('sha256');
  let rows = 0;
  for await (const page of readPages(source, table)) {
    const chunk = page.map((row) => `${rowLine(table, row)}\n`).join('');
    hash.update(chunk);
    rows += page.length;
    if (!entry.write(chunk)) await new Promise((resolve) => entry.once('drain', resolve));
    onRows(page.length);
  }
  entry.end();
  return { rows, sha256: hash.digest('hex') };
}
