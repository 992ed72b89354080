import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Sign-in state: browser sessions, integration tokens, and switching an account off.
// Tokens are stored only as SHA-256 hashes, so a copy of the database signs no one in.

type Db = Kysely<unknown>;

export function accountsMigration(dialect: Dialect) {
  const id = identity(dialect);
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Db): Promise<void> {
    await db.schema.alterTable('users').addColumn('deactivatedAt', time).execute();
    // "Is there an admin?" at every start and "list the agents" must not scan every customer.
    await db.schema.createIndex('users_role').on('users').columns(['role', 'id']).execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('userId', idType, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrfToken', 'text', (c) => c.notNull())
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('expiresAt', time, (c) => c.notNull())
      .addColumn('lastSeenAt', time, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('userId').execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', idType, id)
      .addColumn('userId', idType, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('tokenHash', 'text', (c) => c.notNull().unique())
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('lastUsedAt', time)
      .execute();
    await db.schema.createIndex('api_tokens_user').on('api_tokens').column('userId').execute();
  }

  return { up };
}
