import { invalid } from '../../errors.js';
import type { GROUPINGS, SERIES, TimeseriesJson } from '../../present/report-schemas.js';
import { CHANNELS } from '../../store/schema.js';
import { countOf, durationOf, groupCells } from './figures.js';
import { DAY_MS, HOUR_MS } from './metrics.js';
import { isoWeekdayOfDay, localDayLabel, localHourLabel, MAX_HOURLY_DAYS, mondayOf, monthLabel } from './period.js';
import { mondayOfWeekSlot, readCells, type Scope, WEEK_MS } from './source.js';

// The charts' series, bucketed by local hour, day, week (its Monday) or month, every
// bucket of the period present (zeros, or null medians), and the inbound heatmap by
// local weekday × hour.

type Series = (typeof SERIES)[number];
type GroupBy = (typeof GROUPINGS)[number];
type Point = TimeseriesJson['points'][number];

const daySlotOf = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** The bucket a local slot belongs to: hour slots for `hour`, day slots otherwise. */
function bucketOf(groupBy: GroupBy, slot: number): string {
  if (groupBy === 'hour') return localHourLabel(slot);
  if (groupBy === 'day') return localDayLabel(slot);
  if (groupBy === 'week') return localDayLabel(mondayOf(slot));
  return monthLabel(slot);
}

/** Every bucket of the period, in order. */
function bucketsOf(scope: Scope, groupBy: GroupBy): string[] {
  const first = daySlotOf(scope.period.fromDay);
  const last = daySlotOf(scope.period.toDay);
  const labels: string[] = [];
  if (groupBy === 'hour') {
    for (let hour = first * 24; hour < (last + 1) * 24; hour++) labels.push(localHourLabel(hour));
    return labels;
  }
  for (let day = first; day <= last; day++) {
    const label = bucketOf(groupBy, day);
    if (labels[labels.length - 1] !== label) labels.push(label);
  }
  return labels;
}

export async function timeseriesPoints(scope: Scope, series: Series, groupBy: GroupBy): Promise<Point[]> {
  if (series === 'inbound_heatmap') return heatmap(scope);
  if (groupBy === 'hour' && scope.period.days > MAX_HOURLY_DAYS) throw invalid('groupBy', `hourly buckets cover at most ${MAX_HOURLY_DAYS} days: group by day`);
  const unitMs = groupBy === 'hour' ? HOUR_MS : groupBy === 'week' ? WEEK_MS : DAY_MS;
  // A cell's slot is in that unit: a week's is its own number, the others' an hour or a day.
  const labelOf = (slot: number) => (groupBy === 'week' ? localDayLabel(mondayOfWeekSlot(slot)) : bucketOf(groupBy, slot));
  const labels = bucketsOf(scope, groupBy);
  if (series === 'volume') {
    const cells = await readCells(scope, ['created'], { groupBy: 'channel', unitMs });
    const byBucket = groupCells(cells, (cell) => labelOf(cell.slot));
    return labels.map((bucket) => {
      const mine = groupCells(byBucket.get(bucket) ?? [], (cell) => cell.key);
      return { bucket, values: Object.fromEntries(CHANNELS.map((channel) => [channel, countOf(mine.get(channel) ?? [], 'created')])) };
    });
  }
  const metric = series === 'first_response' ? 'first_response' : 'resolved';
  const cells = await readCells(scope, [metric], { unitMs });
  const byBucket = groupCells(cells, (cell) => labelOf(cell.slot));
  return labels.map((bucket) => {
    const stats = durationOf(byBucket.get(bucket) ?? [], metric);
    return { bucket, values: { median: stats.median, p90: stats.p90, count: stats.count } };
  });
}

/** Customer messages by local ISO weekday (1 = Monday) and hour: 168 buckets, `1-0` … `7-23`. */
async function heatmap(scope: Scope): Promise<Point[]> {
  const cells = await readCells(scope, ['message_in'], { unitMs: HOUR_MS });
  const counts = new Map<string, number>();
  for (const cell of cells) {
    const bucket = `${isoWeekdayOfDay(Math.floor(cell.slot / 24))}-${((cell.slot % 24) + 24) % 24}`;
    counts.set(bucket, (counts.get(bucket) ?? 0) + cell.count);
  }
  const points: Point[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) points.push({ bucket: `${weekday}-${hour}`, values: { count: counts.get(`${weekday}-${hour}`) ?? 0 } });
  }
  return points;
}
