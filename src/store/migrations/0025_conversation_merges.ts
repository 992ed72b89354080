import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Merges (issue 17): one row per merge of a conversation (`sourceId`) into another
// (`targetId`). `record` is JSON holding what undoing it exactly needs — the source's row
// as it was, the ids of the messages that moved, what the merge added to the target —
// so an unmerge moves back exactly those rows (store/merges.ts, inbox/commands/merge.ts).
// `unmergedAt` set: undone. A source is merged at most once at a time (the command
// refuses a tombstone), so its open merge is found by `conversation_merges_source`.

export function conversationMergesMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('conversation_merges')
      .addColumn('id', idType, identity(dialect))
      .addColumn('sourceId', idType, (c) => c.notNull().references('conversations.id'))
      .addColumn('targetId', idType, (c) => c.notNull().references('conversations.id'))
      .addColumn('mergedBy', idType, (c) => c.references('users.id'))
      .addColumn('mergedAt', time, (c) => c.notNull())
      .addColumn('unmergedAt', time)
      .addColumn('record', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('conversation_merges_source').on('conversation_merges').columns(['sourceId', 'mergedAt']).execute();
    await db.schema.createIndex('conversation_merges_target').on('conversation_merges').columns(['targetId', 'mergedAt']).execute();
  }
  return { up };
}
