import { type Kysely, sql } from 'kysely';

// Pending is the team's: a chat the bot is still answering is `pending` too, but it waits on
// the bot, not on the customer, and belongs to the Bot view only (issue 14). A busy site's
// bot keeps many such chats, so leaving them out of Pending by a filter would walk past all
// of them; this partial index holds only the team's pending rows, in the list's default
// order. One index, not one per order: each is work for every write that moves a pending
// row (three of them cost addMessage 10–25 % in the bench; one is within its noise). Pending
// sorted by creation or priority walks the status's own index and steps over the bot's chats.
//
// The predicate is the list query's, word for word (store/conversations.ts WITHOUT_BOT):
// both planners use a partial index only when the query's WHERE states its predicate. It
// reads the JSON array of tags as text, exactly: `"bot"` right after `[` or `,` is the
// element "bot" and nothing else. No counter changes: Pending's count is `status:pending`
// less `tag:bot:pending`, two rows that already exist.

const TEAM_PENDING = sql<boolean>`status = 'pending' and tags not like '["bot"%' and tags not like '%,"bot"%'`;

export function teamPendingIndexesMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    // `status` leads although the predicate fixes it: SQLite, without statistics, prefers the
    // index with the most equalities, and this one then ties the status index and wins as partial.
    await db.schema
      .createIndex('conversations_team_pending_last_message')
      .on('conversations')
      .columns(['status', 'lastMessageAt', 'id'])
      .where(TEAM_PENDING)
      .execute();
  }
  return { up };
}
