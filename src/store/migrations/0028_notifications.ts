import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// In-app notifications (issue 18): one row per user, kind and conversation while it is
// unread — a further event of the same `groupKey` (`kind:conversationId`) updates the row
// (count, lastAt) instead of adding one. The partial unique index is what makes that an
// upsert, and what keeps two racing transactions from adding two unread rows for one key.
// The bell's unread count is the counter row `notifications:<userId>` in inbox_counts.
// No cascade from conversations: deleting one must subtract its unread rows from counters,
// which the delete command does (store/notifications.ts deleteConversationNotifications).

export function notificationsMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('notifications')
      .addColumn('id', idType, identity(dialect))
      .addColumn('userId', idType, (c) => c.notNull().references('users.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('conversationId', idType, (c) => c.notNull().references('conversations.id'))
      .addColumn('messageId', idType)
      .addColumn('actorId', idType)
      .addColumn('actorName', 'text', (c) => c.notNull())
      .addColumn('groupKey', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('firstAt', time, (c) => c.notNull())
      .addColumn('lastAt', time, (c) => c.notNull())
      .addColumn('readAt', time)
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();
    // The list, newest first, keyset on (lastAt, id).
    await db.schema.createIndex('notifications_user').on('notifications').columns(['userId', 'lastAt', 'id']).execute();
    await db.schema
      .createIndex('notifications_unread_group')
      .on('notifications')
      .columns(['userId', 'groupKey'])
      .unique()
      .where(sql.ref('readAt'), 'is', null)
      .execute();
    await db.schema.createIndex('notifications_conversation').on('notifications').column('conversationId').execute();
  }
  return { up };
}
