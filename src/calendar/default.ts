import { type CalendarRow, findCalendar } from '../store/calendar.js';
import type { Store } from '../store/database.js';
import type { Tx } from '../store/transaction.js';
import { ALWAYS_OPEN, type Calendar, validateCalendar } from './schema.js';

// The default business calendar, as stored: one for every instance. Hot paths (the widget's
// config, asked for on every page view of a host site) read it through a short cache; a
// change through this instance replaces the cached one at once, a change through another
// reaches it within CACHE_MS.

export const DEFAULT_CALENDAR = 'default';
const CACHE_MS = 5_000;

export type StoredCalendar = {
  calendar: Calendar;
  /** Null while none is stored (the calendar is then always open). */
  updatedAt: number | null;
  updatedBy: number | null;
};

export function storedCalendarOf(row: CalendarRow | undefined): StoredCalendar {
  if (!row) return { calendar: ALWAYS_OPEN, updatedAt: null, updatedBy: null };
  return { calendar: validateCalendar(JSON.parse(row.calendar)), updatedAt: row.updatedAt, updatedBy: row.updatedBy };
}

/** The stored default calendar, read now. */
export async function getDefaultCalendar(store: Store): Promise<StoredCalendar> {
  return storedCalendarOf(await findCalendar(store.db, DEFAULT_CALENDAR));
}

type Cached = { calendar: Calendar; until: number; version: number };
const cache = new WeakMap<Store, Cached>();

/**
 * The default calendar, at most CACHE_MS old. Pass the caller's transaction when it holds
 * one: on SQLite a read through `store.db` would wait for the very connection it holds.
 */
export async function defaultCalendar(store: Store, tx: Tx = store.db): Promise<Calendar> {
  const now = Date.now();
  const cached = cache.get(store);
  if (cached && cached.until > now) return cached.calendar;
  const version = cached?.version ?? 0;
  const { calendar } = storedCalendarOf(await findCalendar(tx, DEFAULT_CALENDAR));
  // A change made while this read was on its way is newer than what it read.
  if ((cache.get(store)?.version ?? 0) === version) cache.set(store, { calendar, until: now + CACHE_MS, version });
  return calendar;
}

/** After a committed change through this instance: readers see it at once. */
export function rememberDefaultCalendar(store: Store, calendar: Calendar): void {
  cache.set(store, { calendar, until: Date.now() + CACHE_MS, version: (cache.get(store)?.version ?? 0) + 1 });
}
