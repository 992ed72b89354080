import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

// Imports (issue 20): every record an importer wrote remembers where it came from, so a
// second run adds only what is new and a killed run continues where its last committed
// conversation ended. `import_records` maps (source, kind, source id) to the row it made,
// written in the same transaction as that row. A record outlives its row: a conversation the
// team deleted is not brought back by the next run. An imported conversation also carries the
// old system's reference (`legacyRef`), shown in its header and found by search.

export function importsMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('import_records')
      // Which importer and which of its sources: `convex`, `zendesk:acme.zendesk.com`, …
      .addColumn('source', 'text', (c) => c.notNull())
      // What the record became: `conversation`, `message`, `user`, …
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('sourceId', 'text', (c) => c.notNull())
      .addColumn('targetId', idType, (c) => c.notNull())
      .addColumn('importedAt', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('import_records_pk', ['source', 'kind', 'sourceId'])
      .execute();

    await db.schema.alterTable('conversations').addColumn('legacyRef', 'text').execute();
    await db.schema.createIndex('conversations_legacy_ref').on('conversations').column('legacyRef').where(sql.ref('legacyRef'), 'is not', null).execute();
  }
  return { up };
}
