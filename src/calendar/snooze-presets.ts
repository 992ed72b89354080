import { DateTime } from 'luxon';
import { nextOpen } from './business-time.js';
import { type Calendar, isTimeZone } from './schema.js';

// When a snooze preset wakes a conversation. "Tomorrow morning" and "next week" are the
// business calendar's next opening from the start of that day as the agent's clock counts
// it (a Friday's "tomorrow" is Monday's opening); without hours, 09:00 on the agent's clock.
// The agent's zone comes from the browser (users have none); else the calendar's.

export const SNOOZE_PRESETS = ['hour', 'tomorrow', 'next_week'] as const;
export type SnoozePreset = (typeof SNOOZE_PRESETS)[number];

const HOUR = 60 * 60_000;
/** The morning without business hours: a working day's usual start. */
const MORNING = 9;

export function snoozePresetTime(preset: SnoozePreset, options: { now: number; calendar: Calendar; timezone?: string }): number {
  const { now, calendar } = options;
  if (preset === 'hour') return now + HOUR;
  const zone = options.timezone && isTimeZone(options.timezone) ? options.timezone : calendar.timezone;
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  // luxon's weekday: Monday 1 … Sunday 7, so Monday next week is 8 - weekday days on (a Monday's is 7).
  const day = preset === 'tomorrow' ? today.plus({ days: 1 }).startOf('day') : today.plus({ days: 8 - today.weekday }).startOf('day');
  if (calendar.intervals.length > 0) {
    const open = nextOpen(calendar, day.toMillis());
    if (open) return open.getTime();
  }
  return day.set({ hour: MORNING }).toMillis();
}
