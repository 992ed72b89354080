import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// The feed of live notification frames (issue 18: `notification.created`, `.updated`,
// `.read` on the user's own sockets). Reads publish no conversation event, and several
// instances share one database, so the hubs tail this append-only table with a cursor of
// their own, as they tail conversation_events: ids become visible in id order (the event
// order lock), rows are written in the command's transaction. A row is a pointer, not a
// payload: the hub reads the notification and the counter when it sends. No foreign keys:
// a deleted conversation takes its notifications along, and a row about one is skipped.
// Rows older than a day are deleted (store/notification-changes.ts); frames are never replayed.

export function notificationChangesMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('notification_changes')
      .addColumn('id', idType, identity(dialect))
      .addColumn('userId', idType, (c) => c.notNull())
      .addColumn('notificationId', idType)
      // created | updated | read
      .addColumn('op', 'text', (c) => c.notNull())
      // For `read`, JSON: { ids } | { conversationId, ids } | { all: true }.
      .addColumn('scope', 'text')
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notification_changes_created').on('notification_changes').column('createdAt').execute();
  }
  return { up };
}
