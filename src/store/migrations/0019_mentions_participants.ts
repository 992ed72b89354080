import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Issue 16. Team participants ("followers") of a conversation, and mentions of team members
// in internal notes. Not the `participants` column of conversations: those are the
// customer-side people copied on mail (issue 14).
//
// The Participating and Mentions views page by keyset on their own index, newest first:
// `(userId, createdAt, conversationId)` and `(userId, createdAt, id)`; both databases walk
// it for `where userId = ? order by createdAt desc, … desc`.

export function mentionsParticipantsMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('conversation_participants')
      .addColumn('conversationId', idType, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      .addColumn('userId', idType, (c) => c.notNull().references('users.id'))
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('createdAt', time, (c) => c.notNull())
      .addPrimaryKeyConstraint('conversation_participants_pk', ['conversationId', 'userId'])
      .execute();
    await db.schema.createIndex('conversation_participants_user').on('conversation_participants').columns(['userId', 'createdAt', 'conversationId']).execute();

    await db.schema
      .createTable('mentions')
      .addColumn('id', idType, identity(dialect))
      .addColumn('messageId', idType, (c) => c.notNull().references('messages.id').onDelete('cascade'))
      .addColumn('conversationId', idType, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      .addColumn('userId', idType, (c) => c.notNull().references('users.id'))
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('readAt', time)
      .addUniqueConstraint('mentions_message_user', ['messageId', 'userId'])
      .execute();
    await db.schema.createIndex('mentions_user').on('mentions').columns(['userId', 'createdAt', 'id']).execute();
    // Reading a conversation marks its mentions read; the Mentions view asks of each row
    // whether a newer mention of the same conversation exists (store/followers.ts).
    await db.schema.createIndex('mentions_conversation_user').on('mentions').columns(['conversationId', 'userId', 'createdAt', 'id']).execute();
  }
  return { up };
}
