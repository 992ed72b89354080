import { CHANNELS, type Channel } from '../api/types.js';

// The dashboard's state, kept in the URL (/reports?range=30&tz=…&businessHours=1&team=…) so a
// link or a reload shows the same figures, and the API query each section sends for it.
// The API takes local days `from..to` in `tz` (src/present/report-schemas.ts ReportQuery).

export const PRESETS = ['7', '30', '90'] as const;
export type Range = (typeof PRESETS)[number] | 'custom';
export const GROUPINGS = ['hour', 'day', 'week', 'month'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** The facts behind a figure (DrilldownQuery's `metric`). */
export const DRILL_METRICS = [
  'created',
  'reopened',
  'resolved',
  'first_response',
  'reply_time',
  'message_in',
  'message_out',
  'note',
  'handled',
  'bot_resolved',
  'bot_handover',
] as const;
export type DrillMetric = (typeof DRILL_METRICS)[number];

export type Filter = { team?: number; agent?: number; channel?: Channel };
/** Which figure is drilled into: a metric, narrowed to a table's row (`by`) on top of the page's filters. */
export type Drill = { metric: DrillMetric; by: Filter };

export type ReportsState = Filter & {
  range: Range;
  /** Custom range only; presets end today. */
  from?: string;
  to?: string;
  /** Absent: the browser's zone. */
  tz?: string;
  business: boolean;
  /** Absent: chosen from the period's length. */
  groupBy?: Grouping;
  drill?: Drill;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^\d{1,15}$/;
const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined => (values.includes(value as T) ? (value as T) : undefined);
const id = (value: string | null) => (value && ID.test(value) ? Number(value) : undefined);

export const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function isZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parseFilter(value: string | null): Filter {
  const [kind, key = null] = value?.split(':') ?? [];
  if (kind === 'team' && id(key)) return { team: id(key) };
  if (kind === 'agent' && id(key)) return { agent: id(key) };
  if (kind === 'channel' && oneOf(CHANNELS, key)) return { channel: key as Channel };
  return {};
}

const filterText = (by: Filter) =>
  by.team !== undefined ? `team:${by.team}` : by.agent !== undefined ? `agent:${by.agent}` : by.channel ? `channel:${by.channel}` : '';

export function parseReportsState(search: string): ReportsState {
  const q = new URLSearchParams(search);
  const from = q.get('from');
  const to = q.get('to');
  const custom = from && to && DAY.test(from) && DAY.test(to) && from <= to;
  const tz = q.get('tz');
  const metric = oneOf(DRILL_METRICS, q.get('drill'));
  const channel = oneOf(CHANNELS, q.get('channel'));
  return {
    range: custom ? 'custom' : (oneOf(PRESETS, q.get('range')) ?? '30'),
    ...(custom ? { from, to } : {}),
    ...(tz && isZone(tz) ? { tz } : {}),
    business: q.get('businessHours') === '1',
    ...(id(q.get('team')) ? { team: id(q.get('team')) } : {}),
    ...(id(q.get('agent')) ? { agent: id(q.get('agent')) } : {}),
    ...(channel ? { channel } : {}),
    ...(oneOf(GROUPINGS, q.get('groupBy')) ? { groupBy: oneOf(GROUPINGS, q.get('groupBy')) } : {}),
    ...(metric ? { drill: { metric, by: parseFilter(q.get('drillBy')) } } : {}),
  };
}

/** The page's URL query, `?…` or empty for the defaults. */
export function reportsSearch(state: ReportsState): string {
  const q = new URLSearchParams();
  if (state.range === 'custom' && state.from && state.to) {
    q.set('from', state.from);
    q.set('to', state.to);
  } else if (state.range !== '30') q.set('range', state.range);
  if (state.tz) q.set('tz', state.tz);
  if (state.business) q.set('businessHours', '1');
  if (state.team !== undefined) q.set('team', String(state.team));
  if (state.agent !== undefined) q.set('agent', String(state.agent));
  if (state.channel) q.set('channel', state.channel);
  if (state.groupBy) q.set('groupBy', state.groupBy);
  if (state.drill) {
    q.set('drill', state.drill.metric);
    const by = filterText(state.drill.by);
    if (by) q.set('drillBy', by);
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function todayIn(tz: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** A calendar date `days` later (or earlier); dates are zone-free, so UTC arithmetic is exact. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00Z`) - Date.parse(`${from}T00:00Z`)) / 86_400_000) + 1;

export type Period = { from: string; to: string; tz: string };

/** The local days a state asks for: a preset's last N days end today in the zone. */
export function periodOf(state: ReportsState, now = new Date()): Period {
  const tz = state.tz ?? browserZone();
  if (state.range === 'custom' && state.from && state.to) return { from: state.from, to: state.to, tz };
  const to = todayIn(tz, now);
  return { from: addDays(to, -(Number(state.range) - 1)), to, tz };
}

/** Hours for a day or two, days up to a quarter, weeks up to a year, months beyond. */
export function autoGrouping(period: Period): Grouping {
  const days = daysBetween(period.from, period.to);
  return days <= 2 ? 'hour' : days <= 92 ? 'day' : days <= 400 ? 'week' : 'month';
}

/** The API's ReportQuery as a query string; `extra` adds a route's own fields (series, metric, cursor). */
export function apiQuery(period: Period, state: Pick<ReportsState, 'business' | 'team' | 'agent' | 'channel'>, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ from: period.from, to: period.to, tz: period.tz });
  if (state.business) q.set('businessHours', '1');
  if (state.team !== undefined) q.set('team', String(state.team));
  if (state.agent !== undefined) q.set('agent', String(state.agent));
  if (state.channel) q.set('channel', state.channel);
  for (const [key, value] of Object.entries(extra)) q.set(key, value);
  return q.toString();
}

/** The page's filters with a table row's narrowing on top (the row's own kind wins). */
export const narrowed = (state: ReportsState, by: Filter): ReportsState => ({ ...state, ...by });
