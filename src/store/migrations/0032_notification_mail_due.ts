import type { Kysely } from 'kysely';

// When a notification's mail timer is due (null: none armed through it): a further event
// folded into the row sees a mail still to come without a round trip to the timers table
// (inbox/notifications/mail-plan.ts).

export function notificationMailDueMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('notifications').addColumn('mailDueAt', 'bigint').execute();
  }
  return { up };
}
