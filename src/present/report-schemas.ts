import { z } from 'zod';
import { METRICS } from '../inbox/reports/metrics.js';
import { CHANNELS } from '../store/schema.js';

// The reports API's contract (issue 19): the routes (src/http/routes/reports.ts) answer
// exactly these, the dashboard (web/src/reports) reads them, OpenAPI is generated from them.
// Durations are SECONDS; `business: true` answers in business seconds (the calendar in force
// when each fact was recorded) where it says so.

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const yes = z.enum(['0', '1']);

/** Every report's query: a period of local days in `tz`, one optional filter or several (several: from the facts). */
export const ReportQuery = z.strictObject({
  from: day.describe('first day, inclusive, in tz'),
  to: day.describe('last day, inclusive, in tz'),
  tz: z.string().min(1).max(64).default('UTC').describe('IANA time zone; whole-hour ones are answered from the rollups'),
  businessHours: yes.optional().describe('1: durations in business time'),
  team: z.coerce.number().int().positive().optional(),
  agent: z.coerce.number().int().positive().optional(),
  channel: z.enum(CHANNELS).optional(),
  format: z.enum(['json', 'csv']).optional().describe('csv: the same rows, streamed'),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

export const GROUPINGS = ['hour', 'day', 'week', 'month'] as const;
export const SERIES = ['volume', 'first_response', 'resolution', 'inbound_heatmap'] as const;

export const TimeseriesQuery = ReportQuery.extend({
  series: z.enum(SERIES).describe('volume: created per channel; first_response/resolution: medians; inbound_heatmap: customer messages by weekday × hour'),
  groupBy: z.enum(GROUPINGS).default('day'),
});

const seconds = z.number().nullable().describe('seconds; null when there is nothing to measure');

/** A duration's figures: how many, median and p90 (from the histogram, ±17 %), average. */
export const DurationStats = z.object({ count: z.number().int(), median: seconds, p90: seconds, average: seconds });

export const CsatStats = z.object({
  sent: z.number().int(),
  responses: z.number().int(),
  responseRate: z.number().nullable().describe('responses / sent, 0–1'),
  score: z.number().nullable().describe('share of 4–5 ratings, 0–1'),
  average: z.number().nullable(),
  distribution: z.array(z.number().int()).length(5).describe('ratings 1..5'),
});

export const ReportSummary = z.object({
  from: day,
  to: day,
  tz: z.string(),
  business: z.boolean(),
  created: z.number().int(),
  reopened: z.number().int(),
  resolved: z.number().int(),
  botResolved: z.number().int(),
  botHandovers: z.number().int(),
  messagesIn: z.number().int(),
  messagesOut: z.number().int(),
  notes: z.number().int(),
  firstResponse: DurationStats,
  replyTime: DurationStats,
  resolution: DurationStats,
  csat: CsatStats,
});

export const TimeseriesPoint = z.object({
  /** Bucket start: `2026-03-02` (day, week = its Monday, month = `2026-03-01`) or `2026-03-02T14` (hour); for the heatmap `1-14` (ISO weekday 1 = Monday, hour 0–23). */
  bucket: z.string(),
  values: z.record(z.string(), z.number().nullable()).describe('volume: channel → created; medians: { median, p90 }; heatmap: { count }'),
});
export const Timeseries = z.object({ series: z.enum(SERIES), groupBy: z.enum(GROUPINGS), business: z.boolean(), points: z.array(TimeseriesPoint) });

/** One row of the per-agent, per-team or per-channel table. */
export const BreakdownRow = z.object({
  key: z.string().describe('agent or team id, or the channel'),
  name: z.string(),
  handled: z.number().int().describe('care cycles with a public reply by them (agent: their first in each cycle) or conversations created (team, channel)'),
  replies: z.number().int(),
  firstResponse: DurationStats,
  replyTime: DurationStats,
  resolved: z.number().int(),
  resolution: DurationStats,
  csat: CsatStats,
});
export const Breakdown = z.object({ business: z.boolean(), rows: z.array(BreakdownRow) });

/** The drill-down: the facts behind a figure, newest first, keyset pages. */
export const DrilldownQuery = ReportQuery.extend({
  metric: z.enum(METRICS),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export const DrilldownRow = z.object({
  conversationId: z.number().int(),
  number: z.string().describe('CONV-000001'),
  subject: z.string(),
  at: z.number().int().describe('epoch ms'),
  agentId: z.number().int().nullable(),
  agentName: z.string().nullable(),
  channel: z.enum(CHANNELS),
  seconds: z.number().nullable(),
  businessSeconds: z.number().nullable(),
});
export const Drilldown = z.object({ items: z.array(DrilldownRow), nextCursor: z.string().nullable() });

/** Now, from the counters (no fact scan). */
export const LivePanel = z.object({
  open: z.number().int(),
  unassigned: z.number().int(),
  pending: z.number().int(),
  waitingLongest: z
    .array(z.object({ conversationId: z.number().int(), number: z.string(), subject: z.string(), waitingSince: z.number().int() }))
    .describe('the open conversations whose customer has waited longest, up to 5'),
});

export type ReportSummaryJson = z.infer<typeof ReportSummary>;
export type TimeseriesJson = z.infer<typeof Timeseries>;
export type BreakdownJson = z.infer<typeof Breakdown>;
export type DrilldownJson = z.infer<typeof Drilldown>;
export type LivePanelJson = z.infer<typeof LivePanel>;
export type DurationStatsJson = z.infer<typeof DurationStats>;
export type CsatStatsJson = z.infer<typeof CsatStats>;
