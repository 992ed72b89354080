import type { Kysely } from 'kysely';

// A job whose payload is a secret (a sign-in link) says so, so its payload can be dropped
// once the job has run, whether or not this server has a handler for its kind.

export function outboxSecretsMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('outbox')
      .addColumn('secret', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  return { up };
}
