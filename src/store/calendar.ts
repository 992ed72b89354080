import type { Selectable } from 'kysely';
import type { BusinessCalendarsTable } from './schema.js';
import type { Tx } from './transaction.js';

// Rows of business calendars. The calendar is JSON text; src/calendar checks its shape.

export type CalendarRow = Selectable<BusinessCalendarsTable>;

export function findCalendar(tx: Tx, name: string): Promise<CalendarRow | undefined> {
  return tx.selectFrom('business_calendars').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Stores a calendar, replacing the one of that name. */
export async function saveCalendar(tx: Tx, row: CalendarRow): Promise<void> {
  const { name: _name, ...values } = row;
  await tx
    .insertInto('business_calendars')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .execute();
}

/** Stores a calendar unless one of that name exists (several instances may seed at once); true if it did. */
export async function insertCalendarIfMissing(tx: Tx, row: CalendarRow): Promise<boolean> {
  const result = await tx
    .insertInto('business_calendars')
    .values(row)
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
