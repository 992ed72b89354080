import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Who wants what, where (issue 18 "Preferences"): each user's overrides of the team's
// defaults, kind × (in-app, email, desktop), and the digest schedule; the team-wide
// settings (defaults, mail on/off for everyone, push previews, the mail delay, the VAPID
// keys every instance signs pushes with) are named rows in notification_settings.
// A notification whose kind the user keeps out of the bell is still written (it is what
// mail and push deliver from) but `silent`: it neither shows nor counts.

export function notificationPreferencesMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('notification_preferences')
      .addColumn('userId', idType, (c) => c.primaryKey().references('users.id'))
      // JSON: { [kind]: { inApp?, email?, desktop? } } — only what differs from the defaults.
      .addColumn('matrix', 'text', (c) => c.notNull())
      // JSON: { every, at, timeZone } or null for the team's.
      .addColumn('digest', 'text')
      // An admin switched this person's notification mail off.
      .addColumn('mailDisabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('notification_settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    // Every delivery of a notification (issue 18: "why didn't I get it" has an answer):
    // a mail, a digest, a push, with its outcome. Kept 90 days (the cleanup timer).
    await db.schema
      .createTable('notification_deliveries')
      .addColumn('id', idType, identity(dialect))
      .addColumn('userId', idType, (c) => c.notNull().references('users.id'))
      .addColumn('notificationId', idType)
      .addColumn('conversationId', idType)
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('error', 'text')
      // Where it went: an address, a push service's host.
      .addColumn('target', 'text')
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('notification_deliveries_user').on('notification_deliveries').columns(['userId', 'id']).execute();
    await db.schema.createIndex('notification_deliveries_notification').on('notification_deliveries').column('notificationId').execute();
    await db.schema
      .alterTable('notifications')
      .addColumn('silent', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // The bell's unread list, newest first: without it PostgreSQL takes a user's unread rows
    // from notifications_unread_group and hash-joins them with every conversation (32 ms p95
    // at 1,000,000 rows); with it both databases walk it backwards and stop at the page.
    await db.schema
      .createIndex('notifications_unread_list')
      .on('notifications')
      .columns(['userId', 'lastAt', 'id'])
      .where(sql.ref('readAt'), 'is', null)
      .execute();
  }
  return { up };
}
