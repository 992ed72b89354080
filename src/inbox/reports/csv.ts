import type {
  BreakdownJson,
  CsatStatsJson,
  DrilldownJson,
  DurationStatsJson,
  LivePanelJson,
  ReportSummaryJson,
  TimeseriesJson,
} from '../../present/report-schemas.js';

// The reports as CSV (RFC 4180): a header row, then the same rows and figures the JSON has,
// flattened (`firstResponse.median` → `firstResponse_median`), durations in seconds, times
// in epoch ms as in the JSON. Written by hand rather than with a library: quoting is ten
// lines, and one rule a generic writer does not apply matters here — a cell a spreadsheet
// would run as a formula (a customer's subject "=HYPERLINK(…)") is prefixed with '.

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (values: readonly CsvValue[]): string => `${values.map(csvCell).join(',')}\r\n`;

/** A header and rows, each line as the stream asks for it; a short row gets empty cells, so every line has every column. */
export async function* csvLines(header: readonly string[], rows: AsyncIterable<readonly CsvValue[]> | Iterable<readonly CsvValue[]>): AsyncGenerator<string> {
  yield csvLine(header);
  for await (const row of rows) yield csvLine(row.length < header.length ? [...row, ...Array<CsvValue>(header.length - row.length).fill(null)] : row);
}

const DURATION_FIELDS = ['count', 'median', 'p90', 'average'] as const;
const durationHeader = (name: string) => DURATION_FIELDS.map((field) => `${name}_${field}`);
const durationCells = (stats: DurationStatsJson) => DURATION_FIELDS.map((field) => stats[field]);
const CSAT_HEADER = ['csat_sent', 'csat_responses', 'csat_responseRate', 'csat_score', 'csat_average', 'csat_1', 'csat_2', 'csat_3', 'csat_4', 'csat_5'];
const csatCells = (csat: CsatStatsJson) => [csat.sent, csat.responses, csat.responseRate, csat.score, csat.average, ...csat.distribution];

type Table = { header: string[]; rows: CsvValue[][] };

export function summaryTable(summary: ReportSummaryJson): Table {
  const counts = ['created', 'reopened', 'resolved', 'botResolved', 'botHandovers', 'messagesIn', 'messagesOut', 'notes'] as const;
  return {
    header: [
      'from',
      'to',
      'tz',
      'business',
      ...counts,
      ...durationHeader('firstResponse'),
      ...durationHeader('replyTime'),
      ...durationHeader('resolution'),
      ...CSAT_HEADER,
    ],
    rows: [
      [
        summary.from,
        summary.to,
        summary.tz,
        summary.business,
        ...counts.map((name) => summary[name]),
        ...durationCells(summary.firstResponse),
        ...durationCells(summary.replyTime),
        ...durationCells(summary.resolution),
        ...csatCells(summary.csat),
      ],
    ],
  };
}

/** One row per bucket; a column per value key, in the order they first appear. */
export function timeseriesTable(series: TimeseriesJson): Table {
  const keys = [...new Set(series.points.flatMap((point) => Object.keys(point.values)))];
  return { header: ['bucket', ...keys], rows: series.points.map((point) => [point.bucket, ...keys.map((key) => point.values[key])]) };
}

export function breakdownTable(breakdown: BreakdownJson): Table {
  return {
    header: [
      'key',
      'name',
      'handled',
      'replies',
      ...durationHeader('firstResponse'),
      ...durationHeader('replyTime'),
      'resolved',
      ...durationHeader('resolution'),
      ...CSAT_HEADER,
    ],
    rows: breakdown.rows.map((row) => [
      row.key,
      row.name,
      row.handled,
      row.replies,
      ...durationCells(row.firstResponse),
      ...durationCells(row.replyTime),
      row.resolved,
      ...durationCells(row.resolution),
      ...csatCells(row.csat),
    ]),
  };
}

export const DRILLDOWN_HEADER = ['conversationId', 'number', 'subject', 'at', 'agentId', 'agentName', 'channel', 'seconds', 'businessSeconds'];
export const drilldownCells = (row: DrilldownJson['items'][number]): CsvValue[] => [
  row.conversationId,
  row.number,
  row.subject,
  row.at,
  row.agentId,
  row.agentName,
  row.channel,
  row.seconds,
  row.businessSeconds,
];

/** The counters as rows of their own (`open`, `unassigned`, `pending`), then one `waiting` row per conversation. */
export function liveTable(live: LivePanelJson): Table {
  return {
    header: ['figure', 'count', 'conversationId', 'number', 'subject', 'waitingSince'],
    rows: [
      ['open', live.open],
      ['unassigned', live.unassigned],
      ['pending', live.pending],
      ...live.waitingLongest.map((row): CsvValue[] => ['waiting', null, row.conversationId, row.number, row.subject, row.waitingSince]),
    ],
  };
}
