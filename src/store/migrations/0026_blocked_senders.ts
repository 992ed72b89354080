import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Blocked senders (issue 17, spam): an address (`ann@x.com`) or a whole domain (`x.com`),
// lower-cased, whose new mail, chats and contact-form messages land in Spam directly. An
// arriving customer is looked up by both of its keys in one statement on the unique index
// (`value in (address, domain)`); the list pages by id. `conversationId` says where it was
// blocked from, with no foreign key: the spam purge deletes that conversation after 30
// days, and the block outlives it.

export function blockedSendersMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('blocked_senders')
      .addColumn('id', idType, identity(dialect))
      .addColumn('value', 'text', (c) => c.notNull().unique())
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('address', 'domain')`))
      .addColumn('createdBy', idType, (c) => c.notNull().references('users.id'))
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('conversationId', idType)
      .execute();
  }
  return { up };
}
