import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// The chat channel's own state. Conversations and messages stay the inbox's; these rows
// only say which browser (visitor token) started which chat, so a visitor sees exactly
// their own chats and nothing else of the customer they typed an address for.

type Db = Kysely<unknown>;

export function chatMigration(dialect: Dialect) {
  const id = identity(dialect);
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Db): Promise<void> {
    // One row per browser. The token is stored as its SHA-256 only, like sessions.
    await db.schema
      .createTable('chat_visitors')
      .addColumn('id', idType, id)
      .addColumn('tokenHash', 'text', (c) => c.notNull().unique())
      .addColumn('customerId', idType, (c) => c.notNull().references('users.id').onDelete('cascade'))
      // The host site's user id from a verified signed identity: the same person on every device.
      .addColumn('externalUserId', 'text')
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('lastSeenAt', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('chat_visitors_external').on('chat_visitors').column('externalUserId').execute();

    await db.schema
      .createTable('chat_conversations')
      .addColumn('conversationId', idType, (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
      .addColumn('visitorId', idType, (c) => c.notNull().references('chat_visitors.id').onDelete('cascade'))
      // The bot's answers it did not know, in a row: the second one hands over.
      .addColumn('missesInARow', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('createdAt', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('chat_conversations_visitor').on('chat_conversations').columns(['visitorId', 'conversationId']).execute();
  }

  return { up };
}
