import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Customer satisfaction surveys (issue 19 "CSAT"): one per care cycle, the cycle named by
// the `resolved` event that ended it. Only the SHA-256 of the survey's link token is kept,
// as for account links: the database alone lets nobody rate. `history` keeps the earlier
// ratings of a survey the customer changed (JSON [{rating, comment, at}]).

export function csatMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('csat_surveys')
      .addColumn('id', idType, identity(dialect))
      .addColumn('tokenHash', 'text', (c) => c.notNull().unique())
      .addColumn('conversationId', idType, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      .addColumn('resolvedEventId', idType, (c) => c.notNull())
      .addColumn('customerId', idType, (c) => c.notNull())
      // The resolver, or the assignee when the customer resolved it (null: nobody of the team).
      .addColumn('agentId', idType)
      .addColumn('teamId', idType)
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('sentVia', 'text', (c) => c.notNull())
      .addColumn('sentAt', 'bigint', (c) => c.notNull())
      .addColumn('expiresAt', 'bigint', (c) => c.notNull())
      .addColumn('rating', 'integer')
      .addColumn('comment', 'text')
      .addColumn('respondedAt', 'bigint')
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .addColumn('history', 'text', (c) => c.notNull().defaultTo('[]'))
      // One survey per care cycle, whoever asks (the timer, a second worker, an agent by hand).
      .addUniqueConstraint('csat_surveys_cycle', ['conversationId', 'resolvedEventId'])
      .execute();
    // The cooldown: has this customer been asked lately?
    await db.schema.createIndex('csat_surveys_customer_sent').on('csat_surveys').columns(['customerId', 'sentAt']).execute();
    // The admins' list and the reports: newest first, keyset on (sentAt, id).
    await db.schema.createIndex('csat_surveys_sent').on('csat_surveys').columns(['sentAt', 'id']).execute();
  }
  return { up };
}
