import type { Kysely } from 'kysely';

// Two columns phase 4 needs from the start (issue 14): what kind of machine wrote a message
// (an out-of-office, a bounce, list mail), so the inbox can show it as such instead of as
// the customer speaking; and an agent's email signature, appended to their mailed replies.

export function messageAutoSignatureMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('messages').addColumn('auto', 'text').execute();
    await db.schema.alterTable('users').addColumn('signature', 'text').execute();
  }
  return { up };
}
