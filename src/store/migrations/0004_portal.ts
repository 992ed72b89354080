import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// The customer side: whether a user has proven their address, who opened a conversation
// signed in, and the single-use links (verify an address, reset a password) mailed to users.

type Db = Kysely<unknown>;

export function portalMigration(dialect: Dialect) {
  const id = identity(dialect);
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Db): Promise<void> {
    await db.schema.alterTable('users').addColumn('emailVerifiedAt', time).execute();
    // The team's addresses were given by an admin; customers have to prove theirs.
    await sql`update users set "emailVerifiedAt" = "createdAt" where role <> 'customer'`.execute(db);

    await db.schema.alterTable('conversations').addColumn('openedBy', idType).execute();
    // Before this migration only a signed-in user could open a ticket (the contact form is
    // new), so a ticket's opener is the actor of its `created` event. Mail is left null: its
    // sender was only an address.
    await sql`
      update conversations set "openedBy" = (
        select e."performedBy" from conversation_events e
        where e."conversationId" = conversations.id and e."eventType" = 'created'
        order by e.id limit 1
      )
      where channel = 'ticket'`.execute(db);

    await db.schema
      .createTable('account_tokens')
      .addColumn('id', idType, id)
      .addColumn('userId', idType, (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('verify', 'reset')`))
      .addColumn('tokenHash', 'text', (c) => c.notNull().unique())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('expiresAt', time, (c) => c.notNull())
      .addColumn('usedAt', time)
      .execute();
    await db.schema.createIndex('account_tokens_user').on('account_tokens').columns(['userId', 'purpose']).execute();
  }

  return { up };
}
