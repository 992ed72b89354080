import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Teams (issue 16): named groups of agents, and the team a conversation belongs to.
//
// A team view walks its own index in the list's order, like the assignee views
// (migration 0001): `(teamId, status, lastMessageAt, id)`. PostgreSQL does not treat
// `teamId IS NULL` as fixing the column, so "no team" gets a partial index there, as
// "unassigned" does; SQLite does, and uses the full index.
//
// Team counts are counter rows (`team:<id|none>:<status>`, inbox/rules.ts countKeys). Every
// conversation has no team yet, so "no team" per status is the status's own counter: copied
// from it, without counting a row.

export function teamsMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';
  const time = 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('teams')
      .addColumn('id', idType, identity(dialect))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('createdAt', time, (c) => c.notNull())
      .addColumn('updatedAt', time, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('team_members')
      .addColumn('teamId', idType, (c) => c.notNull().references('teams.id'))
      .addColumn('userId', idType, (c) => c.notNull().references('users.id'))
      .addPrimaryKeyConstraint('team_members_pk', ['teamId', 'userId'])
      .execute();
    // "My teams": the sidebar reads an agent's teams by the user.
    await db.schema.createIndex('team_members_user').on('team_members').columns(['userId', 'teamId']).execute();

    await db.schema
      .alterTable('conversations')
      .addColumn('teamId', idType, (c) => c.references('teams.id'))
      .execute();
    await db.schema.createIndex('conversations_team_status_last_message').on('conversations').columns(['teamId', 'status', 'lastMessageAt', 'id']).execute();
    if (dialect === 'postgres') {
      await db.schema
        .createIndex('conversations_no_team_status_last_message')
        .on('conversations')
        .columns(['status', 'lastMessageAt', 'id'])
        .where(sql.ref('teamId'), 'is', null)
        .execute();
    }

    await sql`
      insert into inbox_counts (key, n)
      select 'team:none:' || substr(key, 8), n from inbox_counts where key like 'status:%'
    `.execute(db);
  }
  return { up };
}
