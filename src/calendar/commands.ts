import { DomainError } from '../errors.js';
import type { Viewer } from '../inbox/policies.js';
import { findCalendar, insertCalendarIfMissing, saveCalendar } from '../store/calendar.js';
import type { Store } from '../store/database.js';
import { transact } from '../store/transaction.js';
import { DEFAULT_CALENDAR, getDefaultCalendar, rememberDefaultCalendar, type StoredCalendar, storedCalendarOf } from './default.js';
import { type Calendar, validateCalendar } from './schema.js';

// The one write path for business calendars.

/** An admin replaces the default calendar; the error of bad input names the field (`intervals.0.from`). */
export async function setDefaultCalendar(store: Store, calendar: unknown, by: Viewer, clock: () => number = Date.now): Promise<StoredCalendar> {
  if (by.role !== 'admin') throw new DomainError('forbidden', 'Only an admin can change the business hours');
  const valid = validateCalendar(calendar);
  const stored = await transact(store, async (tx) => {
    await saveCalendar(tx, { name: DEFAULT_CALENDAR, calendar: JSON.stringify(valid), updatedAt: clock(), updatedBy: by.id });
    return storedCalendarOf(await findCalendar(tx, DEFAULT_CALENDAR));
  });
  rememberDefaultCalendar(store, stored.calendar);
  return stored;
}

/**
 * At start: stores the calendar from the environment (BUSINESS_HOURS) unless one is stored
 * already, so a change made through the API outlives restarts. True if it stored it.
 */
export async function seedDefaultCalendar(store: Store, calendar: Calendar, clock: () => number = Date.now): Promise<boolean> {
  const valid = validateCalendar(calendar);
  const seeded = await transact(store, (tx) =>
    insertCalendarIfMissing(tx, { name: DEFAULT_CALENDAR, calendar: JSON.stringify(valid), updatedAt: clock(), updatedBy: null }),
  );
  if (seeded) rememberDefaultCalendar(store, valid);
  return seeded;
}

/**
 * At start: seeds the stored calendar from the environment's hours (Config['businessHours'])
 * and returns what start-up should say about them: older names overridden, and hours that
 * no longer apply because the stored ones differ.
 */
export async function applyBusinessHoursSetting(store: Store, setting: { calendar: Calendar | null; notes: string[] }): Promise<string[]> {
  const notes = [...setting.notes];
  if (setting.calendar && !(await seedDefaultCalendar(store, setting.calendar))) {
    const stored = await getDefaultCalendar(store);
    if (JSON.stringify(stored.calendar) !== JSON.stringify(validateCalendar(setting.calendar))) {
      notes.push(
        'Note: BUSINESS_HOURS only seeds the business hours on a first start; the stored ones (change them with PUT /api/settings/business-hours) are in use.',
      );
    }
  }
  return notes;
}
