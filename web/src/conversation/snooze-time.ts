// How a snooze's wake time reads in the header, the list and the timeline.

const WEEK = 6 * 24 * 3_600_000;

/** "until Tue 09:00" (a date when further than a week), or "until reply" (null: until the customer writes). */
export function describeSnooze(snoozed: { until: number | null }, now = Date.now()): string {
  if (snoozed.until === null) return 'until reply';
  const at = new Date(snoozed.until);
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const day = at.toLocaleDateString(undefined, Math.abs(snoozed.until - now) > WEEK ? { day: 'numeric', month: 'short' } : { weekday: 'short' });
  return `until ${day} ${time}`;
}
