import { type Kysely, sql } from 'kysely';

// Issue 16. A team member's availability, stored so every instance agrees: the manual choice
// (null: automatic, else `busy` or `offline`) and when one of their inbox sockets was last
// known open (refreshed by the instance holding it, and set once more when the last one
// closes); inbox/availability.ts decides from both. The partial index answers the widget's
// "is anyone online?" without walking the customers, who are never seen this way.
//
// The customer list searches by name or address prefix: the address has its unique index
// (stored lower-cased); the name gets one on its lower-cased form, the search's own key.

export function availabilityMigration() {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').addColumn('availabilityChoice', 'text').execute();
    await db.schema.alterTable('users').addColumn('lastSeenAt', 'bigint').execute();
    await db.schema.createIndex('users_last_seen').on('users').column('lastSeenAt').where(sql.ref('lastSeenAt'), 'is not', null).execute();
    await db.schema.createIndex('users_name_lower').on('users').expression(sql`lower(name)`).execute();
  }
  return { up };
}
