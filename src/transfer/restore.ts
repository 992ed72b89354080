import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { DomainError } from '../errors.js';
import type { Store } from '../store/database.js';
import { clearTables, type Db, isEmptyInstallation, listTables, migrationLevel, type Row, restoreSequences, writeRows } from '../store/table-copy.js';
import type { InstallationFiles, TransferProgress } from './export.js';
import { fileEntry, type Manifest, mailEntry, NOT_EXPORTED, parseManifest, schemaMismatch, tableEntry } from './format.js';
import { checkMailFile, restoreMail } from './mail-files.js';

// `onethread import onethread FILE.zip`: an export back into an empty database, exactly
// (ids, numbers, events, sequences). Everything is checked before anything is written:
// the manifest, the migration level, every table's and file's checksum. The rows then go
// in in one transaction, so a failure leaves the database as it was.

/** A refusal is one line for the user, and nothing was written. */
const refused = (message: string) => new DomainError('conflict', message);

type Entries = { manifest: Manifest; open(name: string): Promise<Readable> };

export async function restoreInstallation(
  store: Store,
  installed: InstallationFiles,
  file: string,
  onProgress: (p: TransferProgress) => void = () => undefined,
): Promise<{ tables: number; rows: number; files: number; mail: number }> {
  const storage = installed.attachments;
  const zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false }).catch((error: Error) => {
    throw refused(`${file} is not a readable ZIP: ${error.message}`);
  });
  try {
    const entries = await readEntries(zip, file);
    const { manifest } = entries;
    const level = await migrationLevel(store);
    if (level !== manifest.migration) {
      const advice = level && manifest.migration > level ? 'Upgrade Onethread first' : 'Restore it with the Onethread version that made it, then upgrade';
      throw refused(`${file} was exported at migration ${manifest.migration}; this database is at ${level}. ${advice}`);
    }
    const tables = (await listTables(store)).filter((t) => !NOT_EXPORTED.has(t.name));
    const mismatch = schemaMismatch(manifest, tables);
    if (mismatch) throw refused(`${file} does not fit this database: ${mismatch}`);
    if (!(await isEmptyInstallation(store))) throw notEmpty();
    if (manifest.files.length > 0 && !storage) throw refused(`${file} holds attachments, and attachments are switched off here`);
    const mail = manifest.mail ?? [];
    for (const entry of mail) checkMailFile(entry, file);
    const total = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
    await verify(entries, file, (done, table) => onProgress({ done, total, table: `checking ${table}` }));

    for (const sha256 of manifest.files) await storage!.put(await entries.open(fileEntry(sha256)));
    let done = 0;
    await store.db.transaction().execute(async (trx) => {
      const target: Db = { db: trx, dialect: store.dialect };
      // Again inside the transaction: nothing may have arrived since the check above.
      if (!(await isEmptyInstallation(target))) throw notEmpty();
      await clearTables(target, tables);
      const byName = new Map(tables.map((t) => [t.name, t]));
      for (const { name } of manifest.tables) {
        const table = byName.get(name)!;
        onProgress({ done, total, table: name });
        await writeRows(target, table, rowsOf(await entries.open(tableEntry(name))), (n) => {
          done += n;
          onProgress({ done, total, table: name });
        });
      }
      await restoreSequences(target, tables, manifest.sequences);
    });
    // After the rows: at start the spool takes a file without a row for new mail, so a file
    // put back before a restore that then failed would come in again as if just received.
    if (installed.mailRoot) for (const entry of mail) await restoreMail(installed.mailRoot, entry, await entries.open(mailEntry(entry)));
    return { tables: manifest.tables.length, rows: total, files: manifest.files.length, mail: installed.mailRoot ? mail.length : 0 };
  } finally {
    zip.close();
  }
}

const notEmpty = () =>
  refused('this database already has accounts or conversations; a restore only goes into an empty one (a new DATA_DIR or an empty PostgreSQL database)');

async function readEntries(zip: yauzl.ZipFile, file: string): Promise<Entries> {
  const byName = new Map<string, yauzl.Entry>();
  for await (const entry of zip.eachEntry()) byName.set(entry.fileName, entry);
  const open = async (name: string) => {
    const entry = byName.get(name);
    if (!entry) throw refused(`${file} is incomplete: it has no ${name}`);
    return zip.openReadStreamPromise(entry);
  };
  const chunks: Buffer[] = [];
  for await (const chunk of await open('manifest.json')) chunks.push(chunk as Buffer);
  return { manifest: parseManifest(Buffer.concat(chunks).toString('utf8'), file), open };
}

/** Reads every table and file once, comparing it with the manifest: a damaged export writes nothing. */
async function verify(entries: Entries, file: string, onRows: (done: number, table: string) => void): Promise<void> {
  const damaged = (name: string, what: string) => refused(`${file} is damaged: ${name} ${what}; nothing was written`);
  let done = 0;
  for (const table of entries.manifest.tables) {
    const name = tableEntry(table.name);
    const hash = createHash('sha256');
    let lines = 0;
    for await (const chunk of await entries.open(name)) {
      hash.update(chunk as Buffer);
      for (let at = (chunk as Buffer).indexOf(10); at !== -1; at = (chunk as Buffer).indexOf(10, at + 1)) lines++;
    }
    if (hash.digest('hex') !== table.sha256) throw damaged(name, 'does not match its checksum in manifest.json');
    if (lines !== table.rows) throw damaged(name, `has ${lines} rows, manifest.json says ${table.rows}`);
    done += lines;
    onRows(done, table.name);
  }
  for (const sha256 of entries.manifest.files) {
    if ((await sha256Of(await entries.open(fileEntry(sha256)))) !== sha256) throw damaged(fileEntry(sha256), 'does not match its name');
  }
  for (const mail of entries.manifest.mail ?? []) {
    if ((await sha256Of(await entries.open(mailEntry(mail)))) !== mail.sha256) throw damaged(mailEntry(mail), 'does not match its checksum in manifest.json');
  }
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The entry's JSON lines as pages of rows, streamed. */
async function* rowsOf(stream: Readable): AsyncIterable<Row[]> {
  let page: Row[] = [];
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (line === '') continue;
    page.push(JSON.parse(line) as Row);
    if (page.length >= 1000) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
