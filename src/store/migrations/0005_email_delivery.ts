import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

// What the inbox shows of a message's delivery by mail, and the record of mails that are
// not inbox messages (acknowledgements, account links), so a retried job sends them once.

type Db = Kysely<unknown>;

export function emailDeliveryMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Db): Promise<void> {
    // One row per message that is (or was to be) mailed, written only by the inbox
    // commands: `queued` from the transaction that planned the job, then what the sender
    // reported. It goes with its message (cascade), as a deleted conversation leaves no mail to show.
    await db.schema
      .createTable('message_deliveries')
      .addColumn('messageId', idType, (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
      .addColumn('conversationId', idType, (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'sent', 'failed')`))
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updatedAt', time, (c) => c.notNull())
      .execute();

    // Replies mailed before this migration: their delivery as the channel recorded it.
    await sql`
      insert into message_deliveries ("messageId", "conversationId", status, error, attempts, "updatedAt")
      select o."messageRowId", o."conversationId",
             case o.status when 'sending' then 'queued' else o.status end,
             o.error, o.attempts, coalesce(o."sentAt", o."lastAttemptAt", o."createdAt")
      from email_outbound o join messages m on m.id = o."messageRowId"`.execute(db);

    // Keyed by the job's idempotency key: `sent` means a retried job sends nothing; `failed`
    // means the server refused it for good.
    await db.schema
      .createTable('email_notifications')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('headerMessageId', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('sending', 'sent', 'failed')`))
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('sentAt', time)
      .execute();
  }

  return { up };
}
