import { DomainError } from '../errors.js';
import type { Store } from '../store/database.js';
import {
  clearTables,
  type Db,
  isEmptyInstallation,
  listTables,
  migrationLevel,
  readPages,
  readSequences,
  restoreSequences,
  rowCount,
  sqliteWritesByOthers,
  tableDigest,
  writeRows,
} from '../store/table-copy.js';
import type { TransferProgress } from './export.js';

// `onethread copy --to postgres://…`: a stopped SQLite installation into an empty
// PostgreSQL database, every table as it is (sessions too: nobody has to sign in again).
// A server still writing to the file during the copy makes it refuse (SQLite's data_version).
// The copy and its check run in one transaction on the target: rows, sequences, then per
// table the row count and the checksum of the rows on both sides; any difference rolls
// it all back.

/** A refusal is one line for the user, and nothing was written. */
const refused = (message: string) => new DomainError('conflict', message);

export type CopyResult = { tables: { name: string; rows: number; sha256: string }[]; rows: number };

export async function copyInstallation(
  source: Store,
  target: Store,
  onProgress: (p: TransferProgress & { phase: 'copying' | 'verifying' }) => void = () => undefined,
): Promise<CopyResult> {
  const level = await migrationLevel(source);
  const targetLevel = await migrationLevel(target);
  if (level !== targetLevel) throw refused(`the source is at migration ${level}, the target at ${targetLevel}: migrate both with the same version first`);
  const tables = await listTables(source);
  const targetTables = new Map((await listTables(target)).map((t) => [t.name, t]));
  for (const table of tables) {
    const other = targetTables.get(table.name);
    if (other?.columns.join(',') !== table.columns.join(',')) throw refused(`table ${table.name} differs between the two databases`);
  }
  if (!(await isEmptyInstallation(target))) {
    throw refused(`${target.location} already has accounts or conversations; copy only goes into an empty database`);
  }
  // A server still running on the file would go on writing where nobody reads any more: its
  // writes during the copy are caught here, and the copy kept only if there were none.
  const writes = source.dialect === 'sqlite' ? await sqliteWritesByOthers(source) : null;
  const counts = await Promise.all(tables.map((t) => rowCount(source, t.name)));
  const total = counts.reduce((sum, n) => sum + n, 0);
  const sequences = await readSequences(source, tables);
  return target.db.transaction().execute(async (trx) => {
    const into: Db = { db: trx, dialect: target.dialect };
    if (!(await isEmptyInstallation(into))) throw refused(`${target.location} is no longer empty`);
    await clearTables(into, tables);
    let done = 0;
    for (const table of tables) {
      onProgress({ phase: 'copying', done, total, table: table.name });
      await writeRows(into, table, readPages(source, table), (n) => {
        done += n;
        onProgress({ phase: 'copying', done, total, table: table.name });
      });
    }
    await restoreSequences(into, tables, sequences);
    const checked: CopyResult['tables'] = [];
    for (const [i, table] of tables.entries()) {
      onProgress({ phase: 'verifying', done: i, total: tables.length, table: table.name });
      const [from, to] = [await tableDigest(source, table), await tableDigest(into, table)];
      if (from.rows !== to.rows || from.sha256 !== to.sha256) {
        throw refused(`table ${table.name} differs after copying (${from.rows} rows → ${to.rows}); nothing was kept`);
      }
      checked.push({ name: table.name, ...from });
    }
    if (writes !== null && (await sqliteWritesByOthers(source)) !== writes) {
      throw refused(`${source.location} was written to during the copy: is Onethread still running on it? Stop it and copy again; nothing was kept`);
    }
    onProgress({ phase: 'verifying', done: tables.length, total: tables.length, table: '' });
    return { tables: checked, rows: total };
  });
}
