import { Info } from 'luxon';
import { z } from 'zod';
import { DomainError } from '../errors.js';

// A business calendar: when the team works, in one time zone. Reports, SLA clocks,
// automations and the chat widget's opening hours all read the same one.
//
// - intervals: weekly, several a day; `day` is 0 = Sunday … 6 = Saturday, the day the
//   interval starts. `to` at or before `from` runs past midnight into the next day
//   (Fri 22:00–02:00); `to` may be 24:00.
// - holidays: dates closed all day, 00:00 to 24:00 local, including the part of an overnight
//   interval that reaches into them; `yearly` repeats the month and day every year.
// - no intervals at all: always open (a team that has not set hours is never "closed").

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const END_TIME = /^(([01]\d|2[0-3]):([0-5]\d)|24:00)$/;

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
function isDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const isTimeZone = (zone: string): boolean => Info.isValidIANAZone(zone);

export const IntervalJson = z
  .strictObject({
    day: z.number().int().min(0).max(6).describe('the day the interval starts: 0 = Sunday … 6 = Saturday'),
    from: z.string().regex(TIME, 'must be a time from 00:00 to 23:59').describe('HH:MM'),
    to: z.string().regex(END_TIME, 'must be a time from 00:00 to 24:00').describe('HH:MM; at or before `from`: ends the next day'),
  })
  .refine((interval) => interval.from !== interval.to, { message: 'must differ from `from` (use 00:00 to 24:00 for a whole day)', path: ['to'] })
  .meta({ id: 'BusinessInterval' });

export const HolidayJson = z
  .strictObject({
    date: z.string().refine(isDate, 'must be a date like 2026-12-25').describe('YYYY-MM-DD; closed all day'),
    yearly: z.boolean().default(false).describe('repeat on this month and day every year'),
    name: z.string().max(200).optional(),
  })
  .meta({ id: 'BusinessHoliday' });

export const CalendarJson = z
  .strictObject({
    timezone: z.string().refine(isTimeZone, 'must be a time zone like Europe/Berlin').describe('IANA time zone, e.g. Europe/Berlin'),
    intervals: z.array(IntervalJson).max(200).describe('weekly open intervals; none: always open'),
    holidays: z.array(HolidayJson).max(1000).default([]),
  })
  .meta({ id: 'BusinessCalendar' });

export type Calendar = z.output<typeof CalendarJson>;
export type Interval = Calendar['intervals'][number];
export type Holiday = Calendar['holidays'][number];

/** No hours set: always open. */
export const ALWAYS_OPEN: Calendar = { timezone: 'UTC', intervals: [], holidays: [] };

/** Checks a calendar from outside (the API, a stored row): the error names the field at fault, e.g. `intervals.0.from`. */
export function validateCalendar(input: unknown): Calendar {
  const result = CalendarJson.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || 'calendar';
  throw new DomainError('validation_failed', `${field}: ${issue.message}`, field);
}

/** Minutes since midnight of "HH:MM" (24:00 is 1440). */
export function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}
