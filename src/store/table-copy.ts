import { createHash } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

// Moving whole tables between databases, below the commands (issue 20: export, restore,
// copy to PostgreSQL): a restore must keep every id, number and event exactly, so rows go
// in as they are. The tables come from introspection, so a new migration's table moves
// without a change here. Not moved: Kysely's own tables, FTS5's index tables (the
// triggers of migrations 0001/0006 fill them as rows arrive; PostgreSQL's tsvector
// columns are generated) and generated columns (each database computes its own).

/** A database to read or write: a store, or a transaction on one. */
export type Db = { db: Kysely<Database>; dialect: Dialect };
export type Value = string | number | null;
export type Row = Record<string, Value>;

export type TableInfo = {
  name: string;
  /** The stored (not generated) columns, sorted by name: the same order on both databases. */
  columns: string[];
  /** Primary key columns, in key order: the order rows are read and written in. */
  key: string[];
  /** The key columns holding text: PostgreSQL must compare them bytewise, as SQLite does. */
  textKey: string[];
  /** Columns referring to this same table (a merge's `mergedInto`): filled in after the rows. */
  selfRefs: string[];
  /** The column an identity sequence (AUTOINCREMENT) numbers, if any. */
  identity: string | null;
};

const PAGE = 1000;

/** The application's tables, each after the tables its foreign keys point to. */
export async function listTables({ db, dialect }: Db): Promise<TableInfo[]> {
  const tables = dialect === 'sqlite' ? await sqliteTables(db) : await postgresTables(db);
  return inForeignKeyOrder(tables);
}

type Introspected = TableInfo & { refs: string[] };

async function sqliteTables(db: Kysely<Database>): Promise<Introspected[]> {
  const all = (await sql<{ name: string; sql: string }>`select name, sql from sqlite_master where type = 'table' order by name`.execute(db)).rows;
  const virtual = all.filter((t) => /^create virtual table/i.test(t.sql)).map((t) => t.name);
  const own = all.filter(
    (t) => !t.name.startsWith('sqlite_') && !t.name.startsWith('kysely_') && !virtual.some((v) => t.name === v || t.name.startsWith(`${v}_`)),
  );
  const out: Introspected[] = [];
  for (const t of own) {
    type Column = { name: string; type: string; pk: number; hidden: number };
    const columns = (await sql<Column>`select name, type, pk, hidden from pragma_table_xinfo(${t.name})`.execute(db)).rows;
    const fks = (await sql<{ table: string; from: string }>`select "table", "from" from pragma_foreign_key_list(${t.name})`.execute(db)).rows;
    const key = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    out.push({
      name: t.name,
      columns: columns
        .filter((c) => c.hidden === 0)
        .map((c) => c.name)
        .sort(),
      key: key.map((c) => c.name),
      textKey: key.filter((c) => /text/i.test(c.type)).map((c) => c.name),
      selfRefs: fks.filter((f) => f.table === t.name).map((f) => f.from),
      refs: fks.map((f) => f.table),
      identity: /autoincrement/i.test(t.sql) ? key[0]!.name : null,
    });
  }
  return out;
}

async function postgresTables(db: Kysely<Database>): Promise<Introspected[]> {
  type Column = { table: string; name: string; type: string; generated: string; identity: string };
  const columns = (
    await sql<Column>`select table_name as "table", column_name as name, data_type as type, is_generated as generated, is_identity as identity
      from information_schema.columns c
      where table_schema = current_schema() and table_name not like 'kysely\\_%'
        and exists (select 1 from information_schema.tables t where t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE')`.execute(
      db,
    )
  ).rows;
  const keys = (
    await sql<{ table: string; name: string }>`select k.table_name as "table", k.column_name as name from information_schema.table_constraints c
      join information_schema.key_column_usage k on k.constraint_name = c.constraint_name and k.table_schema = c.table_schema
      where c.table_schema = current_schema() and c.constraint_type = 'PRIMARY KEY' order by k.ordinal_position`.execute(db)
  ).rows;
  const fks = (
    await sql<{
      table: string;
      from: string;
      to: string;
    }>`select c.conrelid::regclass::text as "table", a.attname as "from", c.confrelid::regclass::text as "to"
      from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'f' and c.connamespace = current_schema()::regnamespace`.execute(db)
  ).rows;
  const unquote = (name: string) => name.replace(/^"(.*)"$/, '$1');
  const names = [...new Set(columns.map((c) => c.table))].sort();
  return names.map((name) => {
    const own = columns.filter((c) => c.table === name);
    const key = keys.filter((k) => k.table === name).map((k) => k.name);
    const refs = fks.filter((f) => unquote(f.table) === name);
    return {
      name,
      columns: own
        .filter((c) => c.generated === 'NEVER')
        .map((c) => c.name)
        .sort(),
      key,
      textKey: own.filter((c) => key.includes(c.name) && c.type === 'text').map((c) => c.name),
      selfRefs: refs.filter((f) => unquote(f.to) === name).map((f) => f.from),
      refs: refs.map((f) => unquote(f.to)),
      identity: own.find((c) => c.identity === 'YES')?.name ?? null,
    };
  });
}

function inForeignKeyOrder(tables: Introspected[]): TableInfo[] {
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  let pending = tables;
  while (pending.length > 0) {
    const ready = pending.filter((t) => t.refs.every((r) => r === t.name || placed.has(r)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${pending.map((t) => t.name).join(', ')}`);
    for (const { refs: _, ...table } of ready) {
      ordered.push(table);
      placed.add(table.name);
    }
    pending = pending.filter((t) => !placed.has(t.name));
  }
  return ordered;
}

const ids = (names: string[]) => sql.join(names.map((n) => sql.id(n)));

/** A key column as compared and sorted: text bytewise on PostgreSQL, as SQLite's BINARY collation does. */
function keyRef(dialect: Dialect, table: TableInfo, column: string): RawBuilder<unknown> {
  return dialect === 'postgres' && table.textKey.includes(column) ? sql`${sql.id(column)} collate "C"` : sql`${sql.id(column)}`;
}

/** The table's rows in key order, a page at a time (keyset: never the whole table at once). */
export async function* readPages({ db, dialect }: Db, table: TableInfo): AsyncIterable<Row[]> {
  const key = sql.join(table.key.map((k) => keyRef(dialect, table, k)));
  let after: Value[] | null = null;
  for (;;) {
    const where: RawBuilder<unknown> = after ? sql`where (${key}) > (${sql.join(after)})` : sql``;
    const rows = (await sql<Row>`select ${ids(table.columns)} from ${sql.id(table.name)} ${where} order by ${key} limit ${PAGE}`.execute(db)).rows;
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1]!;
    after = table.key.map((k) => last[k] ?? null);
  }
}

/** One row as one JSON line, keys in column order: what the export writes and the checksums hash. */
export function rowLine(table: TableInfo, row: Row): string {
  return JSON.stringify(Object.fromEntries(table.columns.map((c) => [c, row[c] ?? null])));
}

/** Row count and SHA-256 of the table's JSON lines (each ending in a newline): to compare two databases. */
export async function tableDigest(source: Db, table: TableInfo): Promise<{ rows: number; sha256: string }> {
  const hash = createHash('sha256');
  let rows = 0;
  for await (const page of readPages(source, table)) {
    for (const row of page) hash.update(`${rowLine(table, row)}\n`);
    rows += page.length;
  }
  return { rows, sha256: hash.digest('hex') };
}

export async function rowCount({ db }: Db, table: string): Promise<number> {
  return Number((await sql<{ n: number | string }>`select count(*) as n from ${sql.id(table)}`.execute(db)).rows[0]!.n);
}

/** True when the database has no accounts and no conversations: only then may a restore or copy fill it. */
export async function isEmptyInstallation({ db }: Db): Promise<boolean> {
  const user = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  const conversation = await db.selectFrom('conversations').select('id').limit(1).executeTakeFirst();
  return !user && !conversation;
}

/**
 * SQLite's count of commits by other connections (`PRAGMA data_version`): it changes when
 * another process (a server still running) wrote to the file since this connection last asked.
 */
export async function sqliteWritesByOthers({ db }: Db): Promise<number> {
  return Number((await sql<{ data_version: number }>`pragma data_version`.execute(db)).rows[0]!.data_version);
}

/** Empties the tables (what the migrations put in, like the conversation number counter), dependents first. */
export async function clearTables({ db }: Db, tables: TableInfo[]): Promise<void> {
  for (const table of [...tables].reverse()) await sql`delete from ${sql.id(table.name)}`.execute(db);
}

/**
 * Writes rows as they are, in multi-row inserts. A reference to the same table may point
 * to a row not yet written (a merge into a newer conversation), so those columns are
 * written empty and filled in once the whole table is there.
 */
export async function writeRows(target: Db, table: TableInfo, pages: AsyncIterable<Row[]>, onRows: (n: number) => void): Promise<void> {
  // SQLite allows 32766 bound values per statement, PostgreSQL 65535.
  const batch = Math.max(1, Math.min(500, Math.floor(30_000 / table.columns.length)));
  const later: { key: Value[]; column: string; value: Value }[] = [];
  let rows: Row[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    const values = rows.map((row) => sql`(${sql.join(table.columns.map((c) => (table.selfRefs.includes(c) ? null : (row[c] ?? null))))})`);
    await sql`insert into ${sql.id(table.name)} (${ids(table.columns)}) values ${sql.join(values)}`.execute(target.db);
    onRows(rows.length);
    rows = [];
  };
  for await (const page of pages) {
    for (const row of page) {
      for (const column of table.selfRefs) {
        const value = row[column] ?? null;
        if (value !== null) later.push({ key: table.key.map((k) => row[k] ?? null), column, value });
      }
      rows.push(row);
      if (rows.length >= batch) await flush();
    }
  }
  await flush();
  for (const { key, column, value } of later) {
    const match = sql.join(
      table.key.map((k, i) => sql`${sql.id(k)} = ${key[i]}`),
      sql` and `,
    );
    await sql`update ${sql.id(table.name)} set ${sql.id(column)} = ${value} where ${match}`.execute(target.db);
  }
}

/** Where each identity sequence stands (above the largest id when rows were deleted): table → last id given. */
export async function readSequences({ db, dialect }: Db, tables: TableInfo[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) {
    if (!table.identity) continue;
    const value =
      dialect === 'sqlite'
        ? (await sql<{ v: number }>`select seq as v from sqlite_sequence where name = ${table.name}`.execute(db)).rows[0]?.v
        : (
            await sql<{
              v: number | null;
            }>`select pg_sequence_last_value(pg_get_serial_sequence(${`"${table.name}"`}, ${table.identity})::regclass) as v`.execute(db)
          ).rows[0]?.v;
    if (value) out[table.name] = Number(value);
  }
  return out;
}

/** Sets each sequence to the source's position, or to the largest id when that is higher, so new rows never reuse an id. */
export async function restoreSequences({ db, dialect }: Db, tables: TableInfo[], sequences: Record<string, number>): Promise<void> {
  for (const table of tables) {
    if (!table.identity) continue;
    const column = sql.id(table.identity);
    const max = Number((await sql<{ v: number | null }>`select max(${column}) as v from ${sql.id(table.name)}`.execute(db)).rows[0]?.v ?? 0);
    const value = Math.max(max, sequences[table.name] ?? 0);
    if (value === 0) continue;
    if (dialect === 'postgres') {
      await sql`select setval(pg_get_serial_sequence(${`"${table.name}"`}, ${table.identity}), ${value})`.execute(db);
      continue;
    }
    // SQLite keeps AUTOINCREMENT's position in sqlite_sequence, one row per table that has used it.
    const updated = await sql`update sqlite_sequence set seq = ${value} where name = ${table.name}`.execute(db);
    if (!updated.numAffectedRows) await sql`insert into sqlite_sequence (name, seq) values (${table.name}, ${value})`.execute(db);
  }
}

/** The last migration applied: an export is restored only at the same level. */
export async function migrationLevel({ db }: Db): Promise<string | null> {
  return (await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(db)).rows[0]?.name ?? null;
}

/**
 * Every attachment blob the rows refer to, each once, in order: messages' and canned replies'
 * files (a table that comes to refer to blobs joins here; `email_inbound.sha256` names raw mail).
 */
export async function* blobHashes({ db }: Db): AsyncIterable<string> {
  let after = '';
  for (;;) {
    const page = (
      await sql<{ sha256: string }>`select sha256 from (select sha256 from attachments union select sha256 from canned_reply_files) h
        where sha256 > ${after} order by sha256 limit ${PAGE}`.execute(db)
    ).rows;
    if (page.length === 0) return;
    for (const row of page) yield row.sha256;
    after = page[page.length - 1]!.sha256;
  }
}
