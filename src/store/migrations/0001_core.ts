import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

// The conversation model, its audit trail, the outbox and the inbox's indexes.
// Only identity columns and full-text search differ between the two databases.

type Db = Kysely<unknown>;

/** An id column: the same ids, never reused, on both databases. Shared with later migrations. */
export function identity(dialect: Dialect) {
  return (col: ColumnDefinitionBuilder) =>
    // AUTOINCREMENT: ids are never reused after a delete, so an event id is a safe resume point.
    dialect === 'sqlite' ? col.primaryKey().autoIncrement() : col.primaryKey().generatedByDefaultAsIdentity();
}

export function coreMigration(dialect: Dialect) {
  const id = identity(dialect);
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Db): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('id', idType, id)
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'agent', 'customer')`))
      .addColumn('passwordHash', 'text')
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('updatedAt', time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('conversations')
      .addColumn('id', idType, id)
      .addColumn('number', 'bigint', (c) => c.notNull().unique())
      .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('ticket', 'chatbot', 'email')`))
      .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('support', 'sales', 'general')`))
      .addColumn('customerId', idType, (c) => c.notNull().references('users.id'))
      .addColumn('customerName', 'text', (c) => c.notNull())
      .addColumn('customerEmail', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'pending', 'resolved', 'closed')`))
      .addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('low', 'normal', 'high', 'urgent')`))
      .addColumn('priorityRank', 'integer', (c) =>
        c.generatedAlwaysAs(sql`case "priority" when 'urgent' then 3 when 'high' then 2 when 'normal' then 1 else 0 end`).stored(),
      )
      .addColumn('assignedTo', idType, (c) => c.references('users.id'))
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('labels', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('messageCount', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lastMessagePreview', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('firstMessageAt', time, (c) => c.notNull())
      .addColumn('lastMessageAt', time, (c) => c.notNull())
      .addColumn('lastCustomerMessageAt', time)
      .addColumn('lastReplyAt', time)
      .addColumn('resolvedAt', time)
      .addColumn('closedAt', time)
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('updatedAt', time, (c) => c.notNull())
      .execute();

    // One index per inbox view; each ends in (sort key, id) so keyset pages walk it.
    const conversationIndexes: Record<string, string[]> = {
      conversations_status_last_message: ['status', 'lastMessageAt', 'id'],
      conversations_status_created: ['status', 'createdAt', 'id'],
      conversations_status_priority: ['status', 'priorityRank', 'lastMessageAt', 'id'],
      conversations_assignee_status_last_message: ['assignedTo', 'status', 'lastMessageAt', 'id'],
      conversations_channel_status_last_message: ['channel', 'status', 'lastMessageAt', 'id'],
      conversations_channel_assignee_status_last_message: ['channel', 'assignedTo', 'status', 'lastMessageAt', 'id'],
      conversations_customer_email: ['customerEmail', 'status', 'lastMessageAt', 'id'],
      conversations_customer: ['customerId', 'status', 'lastMessageAt', 'id'],
    };
    for (const [name, columns] of Object.entries(conversationIndexes)) {
      await db.schema.createIndex(name).on('conversations').columns(columns).execute();
    }
    // PostgreSQL does not treat "assignedTo" IS NULL as fixing the column, so an index
    // led by "assignedTo" cannot hand unassigned rows over in lastMessageAt order; partial
    // indexes can. SQLite can, and without statistics it only picks the index with the
    // most equalities, so it gets none of these and uses the full indexes above.
    if (dialect === 'postgres') {
      const unassignedIndexes: Record<string, string[]> = {
        conversations_unassigned_status_last_message: ['status', 'lastMessageAt', 'id'],
        conversations_unassigned_channel_status_last_message: ['channel', 'status', 'lastMessageAt', 'id'],
      };
      for (const [name, columns] of Object.entries(unassignedIndexes)) {
        await db.schema.createIndex(name).on('conversations').columns(columns).where(sql.ref('assignedTo'), 'is', null).execute();
      }
    }

    await db.schema
      .createTable('messages')
      .addColumn('id', idType, id)
      .addColumn('conversationId', idType, (c) => c.notNull().references('conversations.id'))
      .addColumn('senderId', idType, (c) => c.references('users.id'))
      .addColumn('senderType', 'text', (c) => c.notNull().check(sql`"senderType" in ('customer', 'admin', 'bot')`))
      .addColumn('senderName', 'text', (c) => c.notNull())
      .addColumn('senderEmail', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('htmlBody', 'text')
      .addColumn('isInternal', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('externalKey', 'text', (c) => c.unique())
      .addColumn('sentAt', time, (c) => c.notNull())
      .addColumn('readAt', time)
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('messages_conversation_sent').on('messages').columns(['conversationId', 'sentAt', 'id']).execute();

    await db.schema
      .createTable('attachments')
      .addColumn('id', idType, id)
      .addColumn('messageId', idType, (c) => c.notNull().references('messages.id'))
      .addColumn('conversationId', idType, (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('contentType', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('attachments_message').on('attachments').column('messageId').execute();
    await db.schema.createIndex('attachments_conversation').on('attachments').column('conversationId').execute();
    await db.schema.createIndex('attachments_sha256').on('attachments').column('sha256').execute();

    await db.schema
      .createTable('conversation_events')
      .addColumn('id', idType, id)
      .addColumn('conversationId', idType, (c) => c.notNull())
      .addColumn('eventType', 'text', (c) => c.notNull())
      .addColumn('performedBy', idType)
      .addColumn('performedByName', 'text', (c) => c.notNull())
      .addColumn('oldValue', 'text')
      .addColumn('newValue', 'text')
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('conversation_events_conversation').on('conversation_events').columns(['conversationId', 'id']).execute();

    await db.schema
      .createTable('conversation_tags')
      .addColumn('conversationId', idType, (c) => c.notNull().references('conversations.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('lastMessageAt', time, (c) => c.notNull())
      .addPrimaryKeyConstraint('conversation_tags_pk', ['conversationId', 'name'])
      .execute();
    await db.schema.createIndex('conversation_tags_view').on('conversation_tags').columns(['name', 'status', 'lastMessageAt', 'conversationId']).execute();

    await db.schema
      .createTable('conversation_reads')
      .addColumn('conversationId', idType, (c) => c.notNull().references('conversations.id'))
      .addColumn('userId', idType, (c) => c.notNull().references('users.id'))
      .addColumn('lastReadAt', time, (c) => c.notNull())
      .addPrimaryKeyConstraint('conversation_reads_pk', ['conversationId', 'userId'])
      .execute();

    await db.schema
      .createTable('inbox_counts')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('n', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sequences')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into sequences (name, value) values ('conversation_number', 0)`.execute(db);

    await db.schema
      .createTable('outbox')
      .addColumn('id', idType, id)
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('idempotencyKey', 'text', (c) => c.notNull().unique())
      .addColumn('runAt', time, (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lastError', 'text')
      .addColumn('lockedUntil', time)
      .addColumn('doneAt', time)
      .addColumn('failedAt', time)
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('outbox_due')
      .on('outbox')
      .columns(['runAt', 'id'])
      .where(sql.ref('doneAt'), 'is', null)
      .where(sql.ref('failedAt'), 'is', null)
      .execute();

    if (dialect === 'sqlite') await createSqliteSearch(db);
    else await createPostgresSearch(db);
  }

  return { up };
}

// FTS5 external-content tables kept current by triggers, so the index changes in the
// same transaction as the row whichever command writes it. Prefix indexes for 2-4
// letters: without them FTS5 answers "th*" by merging the doclists of every word that
// starts so, which grows with the table (75 ms at a million messages); longer prefixes
// cover few words and merge cheaply.
async function createSqliteSearch(db: Db): Promise<void> {
  const statements = [
    sql`create virtual table messages_fts using fts5(body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')`,
    sql`create trigger messages_fts_insert after insert on messages begin
          insert into messages_fts(rowid, body) values (new.id, new.body); end`,
    sql`create trigger messages_fts_delete after delete on messages begin
          insert into messages_fts(messages_fts, rowid, body) values ('delete', old.id, old.body); end`,
    sql`create trigger messages_fts_update after update of body on messages begin
          insert into messages_fts(messages_fts, rowid, body) values ('delete', old.id, old.body);
          insert into messages_fts(rowid, body) values (new.id, new.body); end`,
    sql`create virtual table conversations_fts using fts5(subject, "customerName", "customerEmail", content='conversations', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')`,
    sql`create trigger conversations_fts_insert after insert on conversations begin
          insert into conversations_fts(rowid, subject, "customerName", "customerEmail")
          values (new.id, new.subject, new."customerName", new."customerEmail"); end`,
    sql`create trigger conversations_fts_delete after delete on conversations begin
          insert into conversations_fts(conversations_fts, rowid, subject, "customerName", "customerEmail")
          values ('delete', old.id, old.subject, old."customerName", old."customerEmail"); end`,
    sql`create trigger conversations_fts_update after update of subject, "customerName", "customerEmail" on conversations begin
          insert into conversations_fts(conversations_fts, rowid, subject, "customerName", "customerEmail")
          values ('delete', old.id, old.subject, old."customerName", old."customerEmail");
          insert into conversations_fts(rowid, subject, "customerName", "customerEmail")
          values (new.id, new.subject, new."customerName", new."customerEmail"); end`,
  ];
  for (const statement of statements) await statement.execute(db);
}

// Generated tsvector columns: PostgreSQL recomputes them in the writing statement itself.
// Its parser keeps `ana@example.com` or `v4.12` as one token where FTS5 sees words;
// splitting on punctuation first makes both databases match the same queries.
async function createPostgresSearch(db: Db): Promise<void> {
  const words = (expression: string) => sql.raw(`to_tsvector('simple', regexp_replace(${expression}, '[[:punct:][:space:]]+', ' ', 'g'))`);
  const statements = [
    sql`alter table messages add column search tsvector generated always as (${words('body')}) stored`,
    sql`create index messages_search on messages using gin (search)`,
    sql`alter table conversations add column search tsvector generated always as
          (${words(`subject || ' ' || "customerName" || ' ' || "customerEmail"`)}) stored`,
    sql`create index conversations_search on conversations using gin (search)`,
  ];
  for (const statement of statements) await statement.execute(db);
}
