import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import type { InboxContext } from '../../inbox/context.js';
import { canSeeReports } from '../../inbox/policies.js';
import {
  breakdownTable,
  type CsvValue,
  csvLines,
  DRILLDOWN_HEADER,
  drilldownCells,
  liveTable,
  summaryTable,
  timeseriesTable,
} from '../../inbox/reports/csv.js';
import { drilldownRows, reportBreakdown, reportDrilldown, reportLive, reportSummary, reportTimeseries } from '../../inbox/reports/reports.js';
import type { Grouping } from '../../inbox/reports/source.js';
import { Breakdown, Drilldown, DrilldownQuery, LivePanel, ReportQuery, ReportSummary, Timeseries, TimeseriesQuery } from '../../present/report-schemas.js';
import { requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// The reports (issue 19): admins see the team's figures, an agent their own (`agent` =
// themselves), customers nothing. Every route answers `format=csv` too: the same rows,
// streamed, with the same business-hours switch.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody };
const LiveQuery = z.strictObject({ format: z.enum(['json', 'csv']).optional() });

function authorize(request: FastifyRequest, scope: { agent?: number; live?: boolean }): void {
  const viewer = requireUser(request);
  if (!canSeeReports(viewer, scope)) {
    throw new DomainError('forbidden', viewer.role === 'agent' ? 'agents see their own figures only: add agent=<your user id>' : 'reports are for the team');
  }
}

/** Streams a CSV download named after the report and its period. */
function sendCsv(reply: FastifyReply, name: string, header: readonly string[], rows: AsyncIterable<readonly CsvValue[]> | Iterable<readonly CsvValue[]>) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(csvLines(header, rows)) as never);
}

const fileName = (report: string, query: { from: string; to: string }) => `onethread-${report}-${query.from}-${query.to}`;

export const reportRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  const tags = ['reports'];

  app.get(
    '/api/reports/summary',
    {
      schema: {
        tags,
        summary: 'The period’s tiles: volumes, first response, reply and resolution times, CSAT',
        querystring: ReportQuery,
        response: { 200: ReportSummary, ...errors },
      },
    },
    async (request, reply) => {
      authorize(request, request.query);
      const summary = await reportSummary(inbox, request.query);
      if (request.query.format !== 'csv') return summary;
      const table = summaryTable(summary);
      return sendCsv(reply, fileName('summary', request.query), table.header, table.rows);
    },
  );

  app.get(
    '/api/reports/timeseries',
    {
      schema: {
        tags,
        summary: 'A chart’s series by hour, day, week or month (or the inbound heatmap)',
        querystring: TimeseriesQuery,
        response: { 200: Timeseries, ...errors },
      },
    },
    async (request, reply) => {
      authorize(request, request.query);
      const series = await reportTimeseries(inbox, request.query);
      if (request.query.format !== 'csv') return series;
      const table = timeseriesTable(series);
      return sendCsv(reply, fileName(`${series.series}-by-${series.groupBy}`, request.query), table.header, table.rows);
    },
  );

  const breakdowns: [string, Grouping][] = [
    ['agents', 'agent'],
    ['teams', 'team'],
    ['channels', 'channel'],
  ];
  for (const [path, by] of breakdowns) {
    app.get(
      `/api/reports/${path}`,
      { schema: { tags, summary: `The table per ${by}`, querystring: ReportQuery, response: { 200: Breakdown, ...errors } } },
      async (request, reply) => {
        authorize(request, request.query);
        const breakdown = await reportBreakdown(inbox, request.query, by);
        if (request.query.format !== 'csv') return breakdown;
        const table = breakdownTable(breakdown);
        return sendCsv(reply, fileName(path, request.query), table.header, table.rows);
      },
    );
  }

  app.get(
    '/api/reports/conversations',
    {
      schema: {
        tags,
        summary: 'The facts behind a figure, newest first (keyset pages; the CSV has every row from the cursor on)',
        querystring: DrilldownQuery,
        response: { 200: Drilldown, ...errors },
      },
    },
    async (request, reply) => {
      authorize(request, request.query);
      if (request.query.format !== 'csv') return reportDrilldown(inbox, request.query);
      const rows = drilldownRows(inbox, request.query);
      return sendCsv(reply, fileName(`conversations-${request.query.metric}`, request.query), DRILLDOWN_HEADER, mapRows(rows));
    },
  );

  app.get(
    '/api/reports/live',
    {
      schema: {
        tags,
        summary: 'Now: open, unassigned, pending, and who has waited longest (admins)',
        querystring: LiveQuery,
        response: { 200: LivePanel, ...errors },
      },
    },
    async (request, reply) => {
      authorize(request, { live: true });
      const live = await reportLive(inbox);
      if (request.query.format !== 'csv') return live;
      const table = liveTable(live);
      return sendCsv(reply, 'onethread-live', table.header, table.rows);
    },
  );
});

async function* mapRows(rows: ReturnType<typeof drilldownRows>): AsyncGenerator<CsvValue[]> {
  for await (const row of rows) yield drilldownCells(row);
}
