import { sql } from 'kysely';
import type { Dialect } from './database.js';
import type { Tx } from './transaction.js';

// Search indexing for a bulk writer (the importer) on SQLite. An FTS5 trigger indexes each
// row as it is inserted, and once an FTS5 table has been written in a transaction, every
// later statement of it that opens a savepoint makes FTS5 write its pending terms and its
// totals to disk: with the commands' statements around each message, tiny index segments and
// two to four times the cost of every statement (bench/README.md "Moving in"). Here the insert
// triggers are set aside for the writer's transaction and the rows it inserted are indexed in
// one statement each before it commits. DDL is transactional in SQLite: on rollback the
// triggers are back as they were, and no other connection can write meanwhile (the
// transaction holds the write lock). PostgreSQL indexes a generated column: nothing to defer.

const INDEXED = [
  { table: 'messages', fts: 'messages_fts', trigger: 'messages_fts_insert', columns: ['body'] },
  { table: 'conversations', fts: 'conversations_fts', trigger: 'conversations_fts_insert', columns: ['subject', 'customerName', 'customerEmail'] },
] as const;

/**
 * Sets the search insert triggers aside for this transaction; the function it returns indexes
 * every message and conversation inserted since and puts the triggers back. Only for a writer
 * that does not change the indexed text of, or delete, a row it inserted before then: the
 * update and delete triggers, which stay, expect every row already indexed.
 */
export async function deferSearchIndex(tx: Tx, dialect: Dialect): Promise<() => Promise<void>> {
  if (dialect !== 'sqlite') return async () => {};
  const deferred: { definition: string; index: () => Promise<unknown> }[] = [];
  for (const { table, fts, trigger, columns } of INDEXED) {
    const found = await sql<{ sql: string }>`select sql from sqlite_master where type = 'trigger' and name = ${trigger}`.execute(tx);
    const definition = found.rows[0]?.sql;
    if (!definition) throw new Error(`the search trigger ${trigger} is missing: the database was not migrated`);
    const last = await sql<{ id: number | null }>`select max(id) as id from ${sql.table(table)}`.execute(tx);
    const after = last.rows[0]?.id ?? 0;
    await sql`drop trigger ${sql.id(trigger)}`.execute(tx);
    const names = sql.join(columns.map((c) => sql.id(c)));
    deferred.push({
      definition,
      index: () => sql`insert into ${sql.table(fts)}(rowid, ${names}) select id, ${names} from ${sql.table(table)} where id > ${after}`.execute(tx),
    });
  }
  return async () => {
    for (const { definition, index } of deferred) {
      await index();
      await sql.raw(definition).execute(tx);
    }
  };
}
