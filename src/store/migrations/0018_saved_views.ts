import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Saved views (issue 16): a name, the conversation list's filter and sort (`filter`: JSON of
// the list's query parameters, as the URL spells them), and whose it is: its owner's alone
// (`teamId` null) or shared with a team. The sidebar reads a user's own views and their
// teams' by these two indexes. `teamId` has no foreign key: deleting a team deletes its
// views in the same transaction (store/teams.ts), and AUTOINCREMENT never hands its id on.

export function savedViewsMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('saved_views')
      .addColumn('id', idType, identity(dialect))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('filter', 'text', (c) => c.notNull())
      .addColumn('ownerId', idType, (c) => c.notNull().references('users.id'))
      .addColumn('teamId', idType)
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('saved_views_owner').on('saved_views').columns(['ownerId', 'teamId']).execute();
    await db.schema.createIndex('saved_views_team').on('saved_views').column('teamId').execute();
  }
  return { up };
}
