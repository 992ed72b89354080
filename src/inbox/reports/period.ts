import { IANAZone } from 'luxon';
import { invalid } from '../../errors.js';
import { DAY_MS, HOUR_MS } from './metrics.js';

// A report's period: local days `from..to` (inclusive) in a time zone, as a UTC range, and
// the spans of it over which the zone's offset stays the same. Rollups are per UTC hour, so
// they answer a zone whose offset is a whole number of hours over the whole period: each
// hour then belongs to exactly one local hour, day, week and month. A +05:30 zone does not
// (a local day starts in the middle of a UTC hour): such periods are read from the facts.

/** The longest period a report covers; beyond it a request is refused rather than slow. */
export const MAX_PERIOD_DAYS = 800;
/** Hourly buckets are for short periods (a chart of 19,000 points helps nobody). */
export const MAX_HOURLY_DAYS = 62;

/** A span of the period in which the zone's offset is `offsetMs`. */
export type OffsetSpan = { from: number; to: number; offsetMs: number };

export type Period = {
  fromDay: string;
  toDay: string;
  tz: string;
  /** The UTC range [from, to): the start of `fromDay` to the start of the day after `toDay`. */
  from: number;
  to: number;
  days: number;
  spans: OffsetSpan[];
  /** Every offset in the period is whole hours: rollups answer it. */
  wholeHours: boolean;
};

// Asking a zone for its offset goes through Intl and costs tens of microseconds, and a
// year has 365 local midnights: so offsets are sampled weekly, changes found by bisection
// (a zone changes its offset a few times a year at most, never twice in a week), and local
// midnights computed from the changes. A period asked for again (the dashboard asks three
// reports of one period) is remembered.
const SAMPLE_MS = 7 * DAY_MS;
const remembered = new Map<string, Period>();
const REMEMBERED_MAX = 200;

export function parsePeriod(fromDay: string, toDay: string, tz: string): Period {
  const id = `${fromDay}|${toDay}|${tz}`;
  const known = remembered.get(id);
  if (known) return known;
  const period = computePeriod(fromDay, toDay, tz);
  if (remembered.size >= REMEMBERED_MAX) remembered.delete(remembered.keys().next().value!);
  remembered.set(id, period);
  return period;
}

/** A calendar date as the UTC midnight of its wall-clock reading; NaN for a date that does not exist (2025-02-30). */
function wallOfDay(day: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(wall) || new Date(wall).toISOString().slice(0, 10) !== day ? Number.NaN : wall;
}

function computePeriod(fromDay: string, toDay: string, tz: string): Period {
  const zone = IANAZone.create(tz);
  if (!zone.isValid) throw invalid('tz', `unknown time zone "${tz}": give an IANA name such as Europe/Berlin`);
  const firstWall = wallOfDay(fromDay);
  const lastWall = wallOfDay(toDay);
  if (Number.isNaN(firstWall)) throw invalid('from', `from is not a date: ${fromDay}`);
  if (Number.isNaN(lastWall)) throw invalid('to', `to is not a date: ${toDay}`);
  if (lastWall < firstWall) throw invalid('to', 'to is before from');
  const days = (lastWall - firstWall) / DAY_MS + 1;
  if (days > MAX_PERIOD_DAYS) throw invalid('to', `a report covers at most ${MAX_PERIOD_DAYS} days`);
  // Offsets stay within ±14 h: a day's margin either side covers every local midnight.
  const changes = offsetChanges(zone, firstWall - DAY_MS, lastWall + 2 * DAY_MS);
  const from = instantOfWall(changes, firstWall);
  const to = instantOfWall(changes, lastWall + DAY_MS);
  const spans: OffsetSpan[] = [];
  for (const [i, change] of changes.entries()) {
    const start = Math.max(from, change.at);
    const end = Math.min(to, changes[i + 1]?.at ?? to);
    if (start < end) spans.push({ from: start, to: end, offsetMs: change.offsetMs });
  }
  return {
    fromDay,
    toDay,
    tz,
    from,
    to,
    days,
    spans,
    wholeHours: spans.every((span) => span.offsetMs % HOUR_MS === 0 && span.from % HOUR_MS === 0),
  };
}

type OffsetChange = { at: number; offsetMs: number };

/** The offset at `from`, then each change up to `to` with the instant it takes effect. */
function offsetChanges(zone: IANAZone, from: number, to: number): OffsetChange[] {
  const offsetAt = (at: number) => zone.offset(at) * 60_000;
  const changes: OffsetChange[] = [{ at: from, offsetMs: offsetAt(from) }];
  let before = from;
  let offset = changes[0]!.offsetMs;
  while (before < to) {
    const after = Math.min(to, before + SAMPLE_MS);
    const next = offsetAt(after);
    if (next !== offset) {
      // The first minute with the new offset (every zone changes on a whole minute).
      let low = before;
      let high = after;
      while (high - low > 60_000) {
        const middle = low + Math.max(60_000, Math.floor((high - low) / 120_000) * 60_000);
        if (offsetAt(middle) === offset) low = middle;
        else high = middle;
      }
      changes.push({ at: high, offsetMs: next });
      offset = next;
    }
    before = after;
  }
  return changes;
}

/**
 * The instant a local wall-clock reading happens: the later one when it happens twice (a
 * midnight the clocks go back over), the moment the clocks jump when it never happens (a
 * midnight they skip) — as luxon's startOf('day') places it, so the calendar module agrees.
 */
function instantOfWall(changes: readonly OffsetChange[], wall: number): number {
  for (let i = changes.length - 1; i >= 0; i--) {
    const at = wall - changes[i]!.offsetMs;
    if (at >= changes[i]!.at && at < (changes[i + 1]?.at ?? Number.POSITIVE_INFINITY)) return at;
  }
  for (const [i, change] of changes.entries()) if (i > 0 && wall - changes[i - 1]!.offsetMs >= change.at) return change.at;
  return wall - changes[0]!.offsetMs;
}

/** The zone's offset at an instant of the period, from its spans (no Intl call per fact). */
export function offsetIn(period: Period): (at: number) => number {
  const { spans } = period;
  if (spans.length === 1) return () => spans[0]!.offsetMs;
  return (at) => {
    for (const span of spans) if (at < span.to) return span.offsetMs;
    return spans[spans.length - 1]!.offsetMs;
  };
}

// Slots: a local time as a whole number of units since the epoch (local clock readings
// written as if they were UTC), so both databases can compute them with integer arithmetic.

export const localDayLabel = (daySlot: number): string => new Date(daySlot * DAY_MS).toISOString().slice(0, 10);
export const localHourLabel = (hourSlot: number): string => new Date(hourSlot * HOUR_MS).toISOString().slice(0, 13);
/** 1970-01-01 was a Thursday: ISO weekday 1 (Monday) … 7 (Sunday). */
export const isoWeekdayOfDay = (daySlot: number): number => ((((daySlot + 3) % 7) + 7) % 7) + 1;
export const mondayOf = (daySlot: number): number => daySlot - (isoWeekdayOfDay(daySlot) - 1);
export const monthLabel = (daySlot: number): string => `${localDayLabel(daySlot).slice(0, 7)}-01`;
