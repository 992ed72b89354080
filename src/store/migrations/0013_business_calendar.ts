import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

// Business calendars (issue 15): the team's hours, holidays and time zone, which the chat
// widget, SLA clocks and reports read. Stored, not configured per instance, so every
// instance agrees; one row per calendar, today only `default`. The calendar itself is JSON
// text (src/calendar/schema.ts checks it on the way in and out): it is read whole and
// never queried by its parts.

export function businessCalendarMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('business_calendars')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('calendar', 'text', (c) => c.notNull())
      .addColumn('updatedAt', 'bigint', (c) => c.notNull())
      // Null: seeded from the environment at start, not set by a person.
      .addColumn('updatedBy', idType, (c) => c.references('users.id').onDelete('set null'))
      .execute();
  }
  return { up };
}
