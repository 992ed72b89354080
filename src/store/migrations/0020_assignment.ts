import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

// Assignment rules (issue 16). One rule per team, and one for conversations without a team
// under `teamId` 0 (a scope, not a foreign key: 0 is no team). `capacity` bounds how many
// open and pending conversations a member may hold for the rule to give them one more;
// `assignment_capacities` overrides it per member. `cursorUserId` is round robin's turn.
//
// The queue holds what a rule could not place (nobody online with room), per scope, in the
// order it arrived: the drain reads it oldest first by its own index. An entry whose
// conversation has moved on (assigned by hand, resolved, moved to another team) is dropped
// when the drain meets it.
//
// `team_channels` routes new conversations: a channel claimed by a team puts every new
// conversation from it in that team, where the team's rule takes it.

export function assignmentMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('assignment_rules')
      .addColumn('teamId', idType, (c) => c.primaryKey())
      .addColumn('mode', 'text', (c) => c.notNull().defaultTo('manual'))
      .addColumn('capacity', 'integer')
      .addColumn('assignNew', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('assignReopened', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('assignHandover', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('cursorUserId', idType)
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('assignment_capacities')
      .addColumn('teamId', idType, (c) => c.notNull())
      .addColumn('userId', idType, (c) => c.notNull().references('users.id'))
      .addColumn('capacity', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('assignment_capacities_pk', ['teamId', 'userId'])
      .execute();

    await db.schema
      .createTable('assignment_queue')
      .addColumn('conversationId', idType, (c) => c.primaryKey())
      .addColumn('teamId', idType, (c) => c.notNull())
      .addColumn('queuedAt', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('assignment_queue_order').on('assignment_queue').columns(['teamId', 'queuedAt', 'conversationId']).execute();

    await db.schema
      .createTable('team_channels')
      .addColumn('channel', 'text', (c) => c.primaryKey())
      .addColumn('teamId', idType, (c) => c.notNull().references('teams.id'))
      .execute();
  }
  return { up };
}
