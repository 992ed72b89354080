import type { Kysely } from 'kysely';

// What an import brings beyond conversations and messages (issue 20, Zendesk): a ticket's
// custom fields, kept on its conversation as JSON ({ "<field title>": value }), and the
// company (a Zendesk organization) a customer belongs to. Both null for everything else.

export function importExtrasMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('conversations').addColumn('customFields', 'text').execute();
    await db.schema.alterTable('users').addColumn('company', 'text').execute();
  }
  return { up };
}
