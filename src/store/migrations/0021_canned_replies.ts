import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Canned replies (issue 17): a name, a shortcut and a body with placeholders, whose it is:
// `ownerId` set is its owner's alone; `ownerId` null is shared, with the whole team
// (`teamId` null) or one team. The composer's search reads the viewer's own by
// `canned_replies_owner` and the shared ones by `canned_replies_team`; a plain scan over a
// team's thousand replies is well under the 50 ms budget, so the text has no search index.
// `teamId` has no foreign key, as saved views: deleting a team leaves its replies to admins.

export function cannedRepliesMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('canned_replies')
      .addColumn('id', idType, identity(dialect))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('shortcut', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('ownerId', idType, (c) => c.references('users.id'))
      .addColumn('teamId', idType)
      .addColumn('createdBy', idType, (c) => c.notNull().references('users.id'))
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('canned_replies_owner').on('canned_replies').column('ownerId').execute();
    await db.schema.createIndex('canned_replies_team').on('canned_replies').columns(['teamId', 'ownerId']).execute();
  }
  return { up };
}
