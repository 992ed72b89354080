import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

// Snoozed, spam and merged conversations (issue 17).
//
// Snoozed: the conversation waits for a time or for the customer (`snoozedAt` set;
// `snoozedUntil` null means "until the customer writes"). It keeps one of the design's
// four statuses — `pending`, waiting on someone other than us — so it leaves Open, Mine
// and Unassigned without a fifth status; its wake-up is a durable timer.
//
// Shelved: `shelf` is `spam` or `merged` (a tombstone that points at `mergedInto`). A
// shelved conversation is `closed` and leaves every view: the list queries say `shelf is
// null`, and the counters count it under `state:<shelf>:closed` only (inbox/rules.ts
// countKeys), so no view's count includes it. Nothing indexes `shelf is null`: shelved rows
// are closed ones, and only the Closed view steps over them.
//
// The Snoozed and Spam views walk partial indexes that hold only their rows, in the
// list's order. Their predicates are the list query's, word for word (store/conversations.ts
// SNOOZED, IN_SPAM): both planners use a partial index only when the query states it.

export const SNOOZED_PREDICATE = sql<boolean>`"snoozedAt" is not null`;
export const SPAM_PREDICATE = sql<boolean>`shelf = 'spam'`;

export function conversationStatesMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('conversations').addColumn('snoozedAt', time).execute();
    await db.schema.alterTable('conversations').addColumn('snoozedUntil', time).execute();
    await db.schema
      .alterTable('conversations')
      .addColumn('snoozedBy', idType, (c) => c.references('users.id'))
      .execute();
    await db.schema
      .alterTable('conversations')
      .addColumn('shelf', 'text', (c) => c.check(sql`shelf in ('spam', 'merged')`))
      .execute();
    await db.schema.alterTable('conversations').addColumn('shelvedAt', time).execute();
    await db.schema
      .alterTable('conversations')
      .addColumn('mergedInto', idType, (c) => c.references('conversations.id'))
      .execute();

    await db.schema
      .createIndex('conversations_snoozed_last_message')
      .on('conversations')
      .columns(['status', 'lastMessageAt', 'id'])
      .where(SNOOZED_PREDICATE)
      .execute();
    await db.schema
      .createIndex('conversations_spam_last_message')
      .on('conversations')
      .columns(['status', 'lastMessageAt', 'id'])
      .where(SPAM_PREDICATE)
      .execute();
  }
  return { up };
}
