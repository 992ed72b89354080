import { z } from 'zod';
import { invalid } from '../../errors.js';
import type {
  BreakdownJson,
  DrilldownJson,
  DrilldownQuery,
  LivePanelJson,
  ReportQuery,
  ReportSummaryJson,
  TimeseriesJson,
  TimeseriesQuery,
} from '../../present/report-schemas.js';
import { readCounters } from '../../store/counters.js';
import { csatCells } from '../../store/report-csat.js';
import { type DrilldownFact, type FactFilters, factPage, longestWaiting, teamMemberNames, teamNames, userNames } from '../../store/report-queries.js';
import { CHANNELS, type Channel } from '../../store/schema.js';
import type { InboxContext } from '../context.js';
import { formatConversationNumber } from '../records.js';
import { countOf, csatOf, durationOf, groupCells } from './figures.js';
import { parsePeriod } from './period.js';
import { type Grouping, readCells, type Scope } from './source.js';
import { timeseriesPoints } from './timeseries.js';

// The reports' read side (issue 19): what each route of /api/reports answers. Definitions
// of the metrics: docs/reports.md; where the numbers come from: source.ts.

type Query = z.infer<typeof ReportQuery>;

const SUMMARY_COUNTS = ['created', 'reopened', 'bot_resolved', 'bot_handover', 'message_in', 'message_out', 'note'];
const SUMMARY_DURATIONS = ['first_response', 'reply_time', 'resolved'];

export function filtersOf(query: Query): FactFilters {
  return { agentId: query.agent, teamId: query.team, channel: query.channel };
}

export function scopeOf(ctx: InboxContext, query: Query): Scope {
  return {
    store: ctx.store,
    period: parsePeriod(query.from, query.to, query.tz),
    clock: query.businessHours === '1' ? 'business' : 'calendar',
    filters: filtersOf(query),
  };
}

export async function reportSummary(ctx: InboxContext, query: Query): Promise<ReportSummaryJson> {
  const scope = scopeOf(ctx, query);
  // Counts (one row a day) and durations (a histogram a day) apart: on PostgreSQL each has
  // a connection of its own, so the two run at once.
  const [counts, durations, csat] = await Promise.all([
    readCells(scope, SUMMARY_COUNTS),
    readCells(scope, SUMMARY_DURATIONS),
    csatCells(ctx.store.db, { from: scope.period.from, to: scope.period.to, filters: scope.filters }),
  ]);
  const cells = [...counts, ...durations];
  return {
    from: query.from,
    to: query.to,
    tz: query.tz,
    business: scope.clock === 'business',
    created: countOf(cells, 'created'),
    reopened: countOf(cells, 'reopened'),
    resolved: countOf(cells, 'resolved'),
    botResolved: countOf(cells, 'bot_resolved'),
    botHandovers: countOf(cells, 'bot_handover'),
    messagesIn: countOf(cells, 'message_in'),
    messagesOut: countOf(cells, 'message_out'),
    notes: countOf(cells, 'note'),
    firstResponse: durationOf(cells, 'first_response'),
    replyTime: durationOf(cells, 'reply_time'),
    resolution: durationOf(cells, 'resolved'),
    csat: csatOf(csat[0]),
  };
}

export async function reportTimeseries(ctx: InboxContext, query: z.infer<typeof TimeseriesQuery>): Promise<TimeseriesJson> {
  const scope = scopeOf(ctx, query);
  const points = await timeseriesPoints(scope, query.series, query.groupBy);
  return { series: query.series, groupBy: query.groupBy, business: scope.clock === 'business', points };
}

const BREAKDOWN_METRICS = ['created', 'handled', 'message_out', 'first_response', 'reply_time', 'resolved'];

export async function reportBreakdown(ctx: InboxContext, query: Query, by: Grouping): Promise<BreakdownJson> {
  const scope = scopeOf(ctx, query);
  const { from, to } = scope.period;
  const [cells, csat] = await Promise.all([
    readCells(scope, BREAKDOWN_METRICS, { groupBy: by }),
    csatCells(ctx.store.db, { from, to, filters: scope.filters, groupBy: by }),
  ]);
  const byKey = groupCells(cells, (cell) => cell.key);
  const csatByKey = new Map(csat.map((cell) => [cell.key, cell]));
  const names = await namesOf(ctx, by, [...byKey.keys(), ...csatByKey.keys()]);
  // Without filters every agent, team or channel has its row, zeros and all; with one, those with figures.
  const unfiltered = Object.values(scope.filters).every((value) => value === undefined);
  const keys = new Set([...byKey.keys(), ...csatByKey.keys(), ...(unfiltered ? names.keys() : [])]);
  const own = by === 'agent' ? scope.filters.agentId : by === 'team' ? scope.filters.teamId : scope.filters.channel;
  if (own !== undefined) for (const key of keys) if (key !== String(own)) keys.delete(key);
  const rows = [...keys].map((key) => {
    const mine = byKey.get(key) ?? [];
    return {
      key,
      name: names.get(key) ?? (by === 'channel' ? key : `#${key}`),
      // An agent handles the care cycles they answer in; a team or channel, the conversations it got.
      handled: countOf(mine, by === 'agent' ? 'handled' : 'created'),
      replies: countOf(mine, 'message_out'),
      firstResponse: durationOf(mine, 'first_response'),
      replyTime: durationOf(mine, 'reply_time'),
      resolved: countOf(mine, 'resolved'),
      resolution: durationOf(mine, 'resolved'),
      csat: csatOf(csatByKey.get(key)),
    };
  });
  const order = (key: string) => (by === 'channel' ? CHANNELS.indexOf(key as Channel) : 0);
  rows.sort((a, b) => order(a.key) - order(b.key) || a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
  return { business: scope.clock === 'business', rows };
}

async function namesOf(ctx: InboxContext, by: Grouping, keys: string[]): Promise<Map<string, string>> {
  const stringKeys = (map: Map<number, string>) => new Map([...map].map(([id, name]) => [String(id), name]));
  if (by === 'channel') return new Map(CHANNELS.map((channel) => [channel, channel]));
  if (by === 'team') return stringKeys(await teamNames(ctx.store.db));
  const members = await teamMemberNames(ctx.store.db);
  // Someone deactivated since still has their figures, under their name.
  const others = keys.map(Number).filter((id) => Number.isInteger(id) && !members.has(id));
  return stringKeys(new Map([...members, ...(await userNames(ctx.store.db, others))]));
}

const DEFAULT_PAGE = 50;
const Cursor = z.string().regex(/^\d{1,16}\.\d{1,16}$/);

function parseCursor(cursor: string | undefined): { at: number; id: number } | null {
  if (cursor === undefined) return null;
  if (!Cursor.safeParse(cursor).success) throw invalid('cursor', 'cursor is not one this API gave out');
  const [at, id] = cursor.split('.').map(Number) as [number, number];
  return { at, id };
}

const drilldownRow = (fact: DrilldownFact) => ({
  conversationId: fact.conversationId,
  number: formatConversationNumber(fact.number),
  subject: fact.subject,
  at: fact.at,
  agentId: fact.agentId,
  agentName: fact.agentName,
  channel: fact.channel as Channel,
  seconds: fact.seconds,
  businessSeconds: fact.businessSeconds,
});

export async function reportDrilldown(ctx: InboxContext, query: z.infer<typeof DrilldownQuery>): Promise<DrilldownJson> {
  const scope = scopeOf(ctx, query);
  const limit = query.limit ?? DEFAULT_PAGE;
  const facts = await factPage(ctx.store.db, {
    metric: query.metric,
    ...scope.period,
    filters: scope.filters,
    before: parseCursor(query.cursor),
    limit: limit + 1,
  });
  const page = facts.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(drilldownRow), nextCursor: facts.length > limit && last ? `${last.at}.${last.id}` : null };
}

/** Every row of the drill-down from the cursor on, page by page (the CSV); the query is checked before the first row. */
export function drilldownRows(ctx: InboxContext, query: z.infer<typeof DrilldownQuery>): AsyncIterable<DrilldownJson['items'][number]> {
  const scope = scopeOf(ctx, query);
  const first = parseCursor(query.cursor);
  const pageSize = 500;
  return (async function* () {
    let before = first;
    for (;;) {
      const facts = await factPage(ctx.store.db, { metric: query.metric, ...scope.period, filters: scope.filters, before, limit: pageSize });
      for (const fact of facts) yield drilldownRow(fact);
      const last = facts[facts.length - 1];
      if (facts.length < pageSize || !last) return;
      before = { at: last.at, id: last.id };
    }
  })();
}

const WAITING_SHOWN = 5;

export async function reportLive(ctx: InboxContext): Promise<LivePanelJson> {
  const [counts, waiting] = await Promise.all([
    readCounters(ctx.store.db, ['status:open', 'assignee:none:open', 'status:pending']),
    longestWaiting(ctx.store.db, WAITING_SHOWN),
  ]);
  return {
    open: counts.get('status:open') ?? 0,
    unassigned: counts.get('assignee:none:open') ?? 0,
    pending: counts.get('status:pending') ?? 0,
    waitingLongest: waiting.map((row) => ({ ...row, number: formatConversationNumber(row.number) })),
  };
}
