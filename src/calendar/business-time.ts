import { DateTime } from 'luxon';
import { type Calendar, minutesOf } from './schema.js';

// Business time over a calendar (schema.ts). Every local time is turned into an instant by
// luxon in the calendar's zone, so a day that loses or gains an hour to daylight saving has
// exactly as much open time as the clock on the wall shows: Mon 01:00–04:00 on a spring-
// forward night is two real hours. A local time that does not exist (02:30 when clocks jump
// from 02:00 to 03:00) moves forward by the gap; an ambiguous one takes luxon's choice.

export type Instant = Date | number;
/** Open time, [start, end) in epoch milliseconds. */
type Span = { start: number; end: number };

/**
 * How many days in a row without open time the search looks through before it decides the
 * calendar never opens again (every day a holiday). Longer than the 1000 one-off holidays
 * a calendar may hold, and than the gap between two leap days.
 */
const HORIZON_DAYS = 1500;

const ms = (t: Instant): number => (typeof t === 'number' ? t : t.getTime());
const alwaysOpen = (cal: Calendar): boolean => cal.intervals.length === 0;

type Holidays = { once: Set<string>; yearly: Set<string> };
const holidayCache = new WeakMap<Calendar, Holidays>();

function holidaysOf(cal: Calendar): Holidays {
  let holidays = holidayCache.get(cal);
  if (!holidays) {
    holidays = { once: new Set(), yearly: new Set() };
    for (const h of cal.holidays) h.yearly ? holidays.yearly.add(h.date.slice(5)) : holidays.once.add(h.date);
    holidayCache.set(cal, holidays);
  }
  return holidays;
}

function isHoliday(cal: Calendar, day: DateTime): boolean {
  const date = day.toISODate()!;
  const holidays = holidaysOf(cal);
  return holidays.once.has(date) || holidays.yearly.has(date.slice(5));
}

const startOfDay = (cal: Calendar, t: number): DateTime => DateTime.fromMillis(t, { zone: cal.timezone }).startOf('day');
const nextDay = (day: DateTime): DateTime => day.plus({ days: 1 }).startOf('day');

/** The instant of `minutes` after midnight on `day`, as the wall clock counts (1440 is the next midnight). */
function at(day: DateTime, minutes: number): number {
  if (minutes === 24 * 60) return nextDay(day).toMillis();
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone: day.zone },
  ).toMillis();
}

/**
 * The open time of the intervals that start on `day` (local midnight), less holidays, sorted.
 * An overnight interval is cut at midnight so each piece lies on one date, and a holiday
 * removes the piece on its date only.
 */
function piecesOf(cal: Calendar, day: DateTime): Span[] {
  const weekday = day.weekday % 7;
  const intervals = cal.intervals.filter((interval) => interval.day === weekday);
  if (intervals.length === 0) return [];
  const next = nextDay(day);
  const midnight = next.toMillis();
  const closedToday = isHoliday(cal, day);
  const closedTomorrow = isHoliday(cal, next);
  if (closedToday && closedTomorrow) return [];
  const pieces: Span[] = [];
  for (const interval of intervals) {
    const from = minutesOf(interval.from);
    const to = minutesOf(interval.to);
    const start = at(day, from);
    const end = to > from ? at(day, to) : at(next, to);
    if (!closedToday && start < Math.min(end, midnight)) pieces.push({ start, end: Math.min(end, midnight) });
    if (!closedTomorrow && end > midnight) pieces.push({ start: Math.max(start, midnight), end });
  }
  return pieces.sort((a, b) => a.start - b.start);
}

/**
 * The open spans that end after `from`, in order and without overlap (overlapping intervals
 * count once), up to the day of `until`. Ends once HORIZON_DAYS pass with no open time.
 * Pieces of day d start at or after d's midnight and no later than the next one, so walking
 * the days yields them sorted.
 */
function* openSpans(cal: Calendar, from: number, until = Infinity): Generator<Span> {
  let covered = -Infinity;
  let idle = 0;
  // The day before: its overnight intervals may still be open.
  for (let day = startOfDay(cal, from).minus({ days: 1 }).startOf('day'); idle < HORIZON_DAYS; day = nextDay(day)) {
    if (day.toMillis() > until) return;
    const pieces = piecesOf(cal, day);
    idle = pieces.length === 0 ? idle + 1 : 0;
    for (const piece of pieces) {
      const start = Math.max(piece.start, covered);
      if (piece.end <= from || piece.end <= start) continue;
      covered = piece.end;
      yield { start, end: piece.end };
    }
  }
}

/** Whether the calendar is open at `t`. */
export function isOpen(cal: Calendar, t: Instant): boolean {
  if (alwaysOpen(cal)) return true;
  const time = ms(t);
  const today = startOfDay(cal, time);
  const pieces = [...piecesOf(cal, today.minus({ days: 1 }).startOf('day')), ...piecesOf(cal, today)];
  return pieces.some((span) => span.start <= time && time < span.end);
}

/** `t` itself when open, else when the calendar next opens; null if it never does (every day a holiday). */
export function nextOpen(cal: Calendar, t: Instant): Date | null {
  const time = ms(t);
  if (alwaysOpen(cal)) return new Date(time);
  for (const span of openSpans(cal, time)) return new Date(Math.max(span.start, time));
  return null;
}

/** Milliseconds of open time between `a` and `b` (negative when `b` is before `a`). */
export function businessDuration(cal: Calendar, a: Instant, b: Instant): number {
  const from = ms(a);
  const to = ms(b);
  if (to < from) return -businessDuration(cal, to, from);
  if (alwaysOpen(cal)) return to - from;
  let total = 0;
  for (const span of openSpans(cal, from, to)) {
    if (span.start >= to) break;
    total += Math.min(span.end, to) - Math.max(span.start, from);
  }
  return total;
}

/**
 * The instant at which `duration` ms of open time have passed since `t`: an SLA's due time.
 * It ends inside or at the end of an open span (Fri 09:00 + 8 h of a 09:00–17:00 week is
 * Fri 17:00, not Mon 09:00). Zero is `t` itself; null if the calendar never opens again.
 */
export function addBusinessTime(cal: Calendar, t: Instant, duration: number): Date | null {
  if (!(duration >= 0) || !Number.isFinite(duration)) throw new RangeError(`business time to add must be 0 or more milliseconds, not ${duration}`);
  const time = ms(t);
  if (duration === 0) return new Date(time);
  if (alwaysOpen(cal)) return new Date(time + duration);
  let left = duration;
  for (const span of openSpans(cal, time)) {
    const start = Math.max(span.start, time);
    if (left <= span.end - start) return new Date(start + left);
    left -= span.end - start;
  }
  return null;
}
