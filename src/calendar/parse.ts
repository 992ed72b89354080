import { DomainError } from '../errors.js';
import { type Calendar, type Interval, isTimeZone } from './schema.js';

// The text form of weekly hours, for settings in the environment (BUSINESS_HOURS):
//   "Mon-Fri 09:00-12:30 13:30-18:00, Sat 10:00-14:00, Fri 22:00-02:00"
// Comma-separated groups of a day or a day range (Sat-Mon wraps over the week end) and one
// or more time ranges. A range that ends at or before its start runs past midnight.
// Holidays have no text form: they are set through the API.

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const EXAMPLE = '"Mon-Fri 09:00-17:30, Sat 10:00-14:00"';

const hoursError = (message: string) => new DomainError('validation_failed', message, 'hours');

function dayOf(name: string): number {
  const lower = name.toLowerCase();
  const index = DAYS.findIndex((day) => day === lower || day.slice(0, 3) === lower);
  if (index < 0) throw hoursError(`"${name}" is not a day like Mon`);
  return index;
}

/** "9:00" → "09:00"; null if it is no time of day (24:00 only as an end). */
function timeOf(text: string, end: boolean): string | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [hour, minute] = [Number(match[1]), Number(match[2])];
  if (minute > 59 || hour > 24 || (hour === 24 && (minute > 0 || !end))) return null;
  return `${String(hour).padStart(2, '0')}:${match[2]}`;
}

function daysOf(text: string): number[] {
  const [first, last = first, extra] = text.split('-');
  if (extra !== undefined || !first || !last) throw hoursError(`"${text}" is not a day or a range of days like Mon-Fri`);
  const days: number[] = [];
  for (let day = dayOf(first); ; day = (day + 1) % 7) {
    days.push(day);
    if (day === dayOf(last)) return days;
  }
}

/** Parses the text form in `timezone`; throws a DomainError naming `hours` or `timezone`. */
export function parseBusinessHours(text: string, timezone = 'UTC'): Calendar {
  if (!isTimeZone(timezone)) throw new DomainError('validation_failed', `"${timezone}" is not a time zone like Europe/Berlin`, 'timezone');
  const intervals: Interval[] = [];
  for (const group of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [dayText, ...ranges] = group.split(/\s+/);
    if (ranges.length === 0) throw hoursError(`"${group}" is not like ${EXAMPLE}: give days, then times`);
    const days = daysOf(dayText!);
    const times = ranges.map((range) => {
      const [fromText = '', toText = '', extra] = range.split('-');
      const from = timeOf(fromText, false);
      const to = timeOf(toText, true);
      if (extra !== undefined || from === null || to === null) throw hoursError(`"${range}" in "${group}" is not a time range like 09:00-17:30`);
      if (from === to) throw hoursError(`"${range}" in "${group}" starts and ends at the same time (00:00-24:00 is a whole day)`);
      return { from, to };
    });
    for (const day of days) intervals.push(...times.map((time) => ({ day, ...time })));
  }
  if (intervals.length === 0) throw hoursError(`give at least one day and time range, like ${EXAMPLE}`);
  return { timezone, intervals, holidays: [] };
}
