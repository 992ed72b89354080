import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Macros (issue 17): a named list of actions an agent runs on a conversation in one unit of
// work. `actions` is JSON, checked by the macro commands on write and again on every run
// (inbox/macros/actions.ts). `ownerId` set is its owner's alone; null is the whole team's.
// The list reads the viewer's own by `macros_owner` and the shared ones by the same index
// (`ownerId is null`); a team keeps a few dozen, so nothing more is indexed.

export function macrosMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('macros')
      .addColumn('id', idType, identity(dialect))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('actions', 'text', (c) => c.notNull())
      .addColumn('ownerId', idType, (c) => c.references('users.id'))
      .addColumn('createdBy', idType, (c) => c.notNull().references('users.id'))
      .addColumn('createdAt', 'bigint', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('macros_owner').on('macros').column('ownerId').execute();
  }
  return { up };
}
