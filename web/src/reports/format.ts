import { addDays, type Grouping, type Period } from './query.js';

// Figures as a person reads them: durations in the two largest units ("4 m 30 s",
// "2 h 5 m", "3 d 4 h"), shares as whole percents, and the buckets a chart's x axis has.

const UNITS = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const;

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0 s';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    // Two units say enough; a third would be noise next to a ±17 % median.
    if (parts.length === 2) break;
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0) parts.push(`${amount} ${unit}`);
    else if (parts.length === 1) break;
  }
  return parts.join(' ');
}

export const formatPercent = (share: number | null | undefined) =>
  share === null || share === undefined || !Number.isFinite(share) ? '—' : `${Math.round(share * 100)} %`;

export const formatCount = (n: number) => n.toLocaleString();

/** Every bucket of a period as the API names them (TimeseriesPoint.bucket), so empty ones are drawn too. */
export function bucketsOf(period: Period, groupBy: Grouping): string[] {
  const out: string[] = [];
  if (groupBy === 'month') {
    for (let month = `${period.from.slice(0, 7)}-01`; month <= period.to; month = nextMonth(month)) out.push(month);
    return out;
  }
  if (groupBy === 'week') {
    const weekday = (new Date(`${period.from}T00:00Z`).getUTCDay() + 6) % 7;
    for (let monday = addDays(period.from, -weekday); monday <= period.to; monday = addDays(monday, 7)) out.push(monday);
    return out;
  }
  for (let day = period.from; day <= period.to; day = addDays(day, 1)) {
    if (groupBy === 'day') out.push(day);
    else for (let hour = 0; hour < 24; hour++) out.push(`${day}T${String(hour).padStart(2, '0')}`);
  }
  return out;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/**
 * A bucket's x value for uPlot (seconds). Buckets are local days and hours of the report's
 * zone; read as UTC and drawn in UTC they show the same wall-clock labels.
 */
export const bucketTime = (bucket: string) => Date.parse(bucket.length === 10 ? `${bucket}T00:00Z` : `${bucket}:00Z`) / 1000;
