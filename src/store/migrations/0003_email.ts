import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// The email channel's own state. Conversations and messages stay the inbox's: these
// tables only remember what the channel needs to never lose, duplicate or mis-thread a
// mail (see src/channels/email/).

type Db = Kysely<unknown>;

export function emailMigration(dialect: Dialect) {
  const id = identity(dialect);
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Db): Promise<void> {
    // One row per raw mail received (SMTP or IMAP); the raw bytes live in the spool file
    // named here. `dedupeKey` (the Message-ID, or the raw hash without one) is what makes
    // a mail received twice stored once. Failed and suspended mails stay here with their
    // error: that is the admins' failed-mail list.
    await db.schema
      .createTable('email_inbound')
      .addColumn('id', idType, id)
      .addColumn('dedupeKey', 'text', (c) => c.notNull().unique())
      .addColumn('headerMessageId', 'text')
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('smtp', 'imap')`))
      .addColumn('spoolName', 'text', (c) => c.notNull().unique())
      .addColumn('envelopeFrom', 'text')
      .addColumn('envelopeTo', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'processed', 'ignored', 'failed')`))
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lockedUntil', time)
      .addColumn('senderEmail', 'text')
      .addColumn('senderName', 'text')
      .addColumn('subject', 'text')
      .addColumn('isAutoReply', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('isBounce', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('isBulk', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('noiseReason', 'text')
      .addColumn('conversationId', idType)
      .addColumn('messageRowId', idType)
      .addColumn('fullText', 'text')
      .addColumn('receivedAt', time, (c) => c.notNull())
      .addColumn('processedAt', time)
      .execute();
    await db.schema.createIndex('email_inbound_status').on('email_inbound').columns(['status', 'id']).execute();
    await db.schema.createIndex('email_inbound_sender').on('email_inbound').columns(['senderEmail', 'receivedAt']).execute();
    await db.schema.createIndex('email_inbound_message').on('email_inbound').column('messageRowId').execute();

    // Every Message-ID we received or generated, with the conversation it belongs to:
    // In-Reply-To and References are looked up here. The key is lower-cased, without <>;
    // `exactId` keeps the original spelling for the headers we write.
    await db.schema
      .createTable('email_message_ids')
      .addColumn('messageId', 'text', (c) => c.primaryKey())
      .addColumn('exactId', 'text', (c) => c.notNull())
      .addColumn('conversationId', idType, (c) => c.notNull())
      .addColumn('messageRowId', idType)
      .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('in', 'out')`))
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('email_message_ids_conversation').on('email_message_ids').columns(['conversationId', 'createdAt']).execute();

    // Outbound replies: one row per inbox message sent by mail, so a retried job knows
    // whether it already went out.
    await db.schema
      .createTable('email_outbound')
      .addColumn('messageRowId', idType, (c) => c.primaryKey())
      .addColumn('conversationId', idType, (c) => c.notNull())
      .addColumn('headerMessageId', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('sending', 'sent', 'failed')`))
      .addColumn('error', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lastAttemptAt', time)
      .addColumn('sentAt', time)
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();

    // Where IMAP polling stands per mailbox: nothing fetched twice or skipped after a restart.
    await db.schema
      .createTable('email_imap_state')
      .addColumn('mailbox', 'text', (c) => c.primaryKey())
      .addColumn('uidValidity', 'bigint', (c) => c.notNull())
      .addColumn('lastUid', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', time, (c) => c.notNull())
      .execute();

    // A closed conversation answered by mail continues in a new one: the latest follow-up.
    await db.schema
      .createTable('email_follow_ups')
      .addColumn('conversationId', idType, (c) => c.primaryKey())
      .addColumn('followUpId', idType, (c) => c.notNull())
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();

    // The reply-address signing secret, made on first start unless configured.
    await db.schema
      .createTable('email_settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  }

  return { up };
}
