import { type Kysely, sql } from 'kysely';

// Every event records where its write came from (issue 15; inbox/context.ts Origin:
// user, customer, bot, rule, system, import), so consumers — the email planner, the
// automations, the audit trail — can decide on it. Earlier rows are filled from what
// they tell: who performed them (a team member → user, a customer → customer); with
// nobody, the bot when the name is one the bot wrote messages under or the event
// reports a bot's message, a customer when it is a team address on mail nobody verified
// (its name says so), else the system. Rules and imports did not exist before.
//
// The default keeps the column NOT NULL on SQLite, which adds such a column only with
// one; every write names its origin (store/events.ts NewEvent requires it).

export function eventOriginMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('conversation_events')
      .addColumn('origin', 'text', (c) => c.notNull().defaultTo('system'))
      .execute();
    await backfillEventOrigins(db);
  }
  return { up };
}

/** Every event's origin from what its row tells (above); exported for its test. */
export async function backfillEventOrigins(db: Kysely<unknown>): Promise<void> {
  // Uncorrelated IN: both databases read the bot's names once, not once per event.
  await sql`
    update conversation_events set origin = case
      when exists (select 1 from users u where u.id = conversation_events."performedBy" and u.role = 'customer') then 'customer'
      when exists (select 1 from users u where u.id = conversation_events."performedBy") then 'user'
      when "performedByName" like '% (by email, not verified)' then 'customer'
      when "newValue" like '%"senderType":"bot"%'
        or "performedByName" in (select distinct m."senderName" from messages m where m."senderType" = 'bot') then 'bot'
      else 'system'
    end
  `.execute(db);
}
