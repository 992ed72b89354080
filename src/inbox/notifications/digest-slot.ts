import type { DigestSchedule } from './preferences.js';

// When a user's next notification digest goes (issue 18: every 15 minutes, hourly, or daily
// at a local time). Slots are on the clock, not counted from the first notification, so a
// digest arrives when the user expects it ("the 9 o'clock mail"): the next quarter hour,
// the next full hour of the user's time zone (India's is on the half hour), or the next
// HH:MM there — across daylight-saving changes, as the zone's rules say.

const MINUTE = 60_000;

/** The first slot strictly after `now`. */
export function nextDigestSlot(schedule: DigestSchedule, now: number): number {
  if (schedule.every === '15m') return (Math.floor(now / (15 * MINUTE)) + 1) * 15 * MINUTE;
  if (schedule.every === 'hourly') {
    // The zone's offset is whole minutes; its local hours start at that offset from UTC's.
    const offset = offsetMinutes(now, schedule.timeZone) * MINUTE;
    const hour = 60 * MINUTE;
    return (Math.floor((now + offset) / hour) + 1) * hour - offset;
  }
  const [h, m] = schedule.at.split(':').map(Number) as [number, number];
  const local = localParts(now, schedule.timeZone);
  for (let day = 0; day <= 2; day++) {
    const at = localToUtc(local.year, local.month, local.day + day, h, m, schedule.timeZone);
    if (at > now) return at;
  }
  return now + 24 * 60 * MINUTE;
}

type Parts = { year: number; month: number; day: number; hour: number; minute: number };

function localParts(at: number, timeZone: string): Parts {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((p) => [p.type, Number(p.value)]));
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! };
}

/** How far the zone's wall clock is ahead of UTC at `at`, in minutes. */
function offsetMinutes(at: number, timeZone: string): number {
  const p = localParts(at, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((wall - Math.floor(at / MINUTE) * MINUTE) / MINUTE);
}

/** The instant the zone's wall clock shows this time (a time skipped by a DST change falls after it). */
function localToUtc(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - offsetMinutes(wall, timeZone) * MINUTE;
  return wall - offsetMinutes(first, timeZone) * MINUTE;
}
