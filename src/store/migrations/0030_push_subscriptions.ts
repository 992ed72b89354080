import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Web Push subscriptions (issue 18 "Desktop", the tab closed): one row per browser a team
// member switched desktop notifications on in. The endpoint is the push service's URL for
// that browser, unique across users — a browser someone else used before moves to whoever
// subscribes it now. `failures` counts sends in a row that did not get through (reset by a
// success); a 404/410 answer deletes the row at once.

export function pushSubscriptionsMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('push_subscriptions')
      .addColumn('id', idType, identity(dialect))
      .addColumn('userId', idType, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('endpoint', 'text', (c) => c.notNull().unique())
      // The browser's P-256 public key and auth secret, base64url (RFC 8291).
      .addColumn('p256dh', 'text', (c) => c.notNull())
      .addColumn('auth', 'text', (c) => c.notNull())
      .addColumn('userAgent', 'text')
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('lastSuccessAt', 'bigint')
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('push_subscriptions_user').on('push_subscriptions').column('userId').execute();
  }
  return { up };
}
