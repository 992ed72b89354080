import type { Kysely } from 'kysely';

// Mail with more than two people in it (issue 14). A conversation keeps who else is on
// its mail besides the customer (the Cc of inbound mail, what an agent sets on a reply):
// a JSON array of {email, name} on the row itself, so every copy of the conversation (the
// lists, the live frames) carries it as it does labels and tags. A message keeps the
// headers of its mail: for mail received, From/To/Cc as they came; for mail we send, the
// recipients the command chose and, once sent, the From it went with.

export function emailParticipantsMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('conversations')
      .addColumn('participants', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.alterTable('messages').addColumn('mailHeaders', 'text').execute();
  }
  return { up };
}
