import { type CompiledQuery, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InboxContext } from '../src/inbox/context.js';
import { reportBreakdown, reportSummary, reportTimeseries } from '../src/inbox/reports/reports.js';
import { useTestInbox } from './support/inbox.js';
import { explainOf, numbersTable, recordingStore } from './support/query-capture.js';

// The reports' reads (issue 19) must each read one range of the rollups' primary key
// (metric, dimension, key, span, start): a 90-day dashboard then costs the same on a year of
// rows or ten. The statements checked are the ones the real report functions send (recorded,
// then EXPLAINed with their own parameters), over rollups loaded straight through SQL
// (tens of thousands of hourly rows and some thousands of daily ones) and, on PostgreSQL, ANALYZEd; nothing in
// either planner is switched off.

const inbox = useTestInbox();
const T0 = Date.UTC(2025, 9, 1);
const HOUR = 3_600_000;

const numbers = (count: number) => numbersTable(inbox.store.dialect, count);

/** Rows for created and first_response, per all / agent 1–9 / channel email, nine bins each: per hour, then per day. */
async function loadRollups(): Promise<void> {
  for (const [span, count] of [
    [1, 108_000],
    [24, 5_400],
  ] as const) {
    // Constants inlined (sql.lit): better-sqlite3 binds JS numbers as REAL.
    await sql`
      insert into report_rollups (metric, dimension, key, span, start, bin, count, sum)
      select case n % 2 when 0 then 'created' else 'first_response' end,
        case (n / 2) % 3 when 0 then 'all' when 1 then 'agent' else 'channel' end,
        case (n / 2) % 3 when 0 then '' when 1 then cast((n / 6) % 9 + 1 as text) else 'email' end,
        ${sql.lit(span)}, ${sql.lit(T0)} + cast(n / 54 as bigint) * ${sql.lit(span * HOUR)},
        case n % 2 when 0 then -1 else (n / 6) % 9 end, 1, 60
      from ${numbers(count)} where true
      on conflict do nothing`.execute(inbox.store.db);
  }
  if (inbox.store.dialect === 'postgres') await sql`analyze`.execute(inbox.store.db);
}

beforeAll(loadRollups, 120_000);

/** The statements the report functions sent while `work` ran. */
async function statementsOf(work: (ctx: InboxContext) => Promise<unknown>): Promise<CompiledQuery[]> {
  const recording = recordingStore(inbox.store);
  await work({ ...inbox.ctx, store: recording.store });
  return recording.queries.filter((q) => /report_rollups/.test(q.sql));
}

async function planOf(query: CompiledQuery): Promise<string> {
  if (inbox.store.dialect === 'sqlite') {
    const result = await inbox.store.db.executeQuery<{ detail: string }>(explainOf(query, 'explain query plan'));
    return result.rows.map((r) => r.detail).join('\n');
  }
  const result = await inbox.store.db.executeQuery<{ 'QUERY PLAN': string }>(explainOf(query, 'explain'));
  return result.rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** A cells statement reads the rollups through the primary key with the period's bounds (or its hours) in it. */
function expectPeriodRange(plan: string, what: string): void {
  const context = `${what}\n${plan}`;
  if (inbox.store.dialect === 'sqlite') {
    const reads = plan.split('\n').filter((line) => /(SCAN|SEARCH) report_rollups\b/.test(line));
    expect(reads.length, context).toBeGreaterThan(0);
    for (const line of reads)
      expect(line, context).toMatch(/^SEARCH report_rollups USING PRIMARY KEY \(metric=\? AND dimension=\? AND key=\? AND span=\? AND start[<>=]/);
  } else {
    expect(plan, context).not.toMatch(/Seq Scan on report_rollups/);
    expect(plan, context).toMatch(/report_rollups_span_pk/);
    expect(plan, context).toMatch(/Index Cond: .*start/);
  }
}

const period = { from: '2025-10-05', to: '2025-12-31', tz: 'Europe/Berlin' };

describe('the reports read one primary-key range per key', () => {
  it.each([
    ['the summary', (ctx: InboxContext) => reportSummary(ctx, period)],
    ['the summary for one agent', (ctx: InboxContext) => reportSummary(ctx, { ...period, agent: 3 })],
    ['first response by day', (ctx: InboxContext) => reportTimeseries(ctx, { ...period, series: 'first_response', groupBy: 'day' })],
    ['volume by week for one channel', (ctx: InboxContext) => reportTimeseries(ctx, { ...period, channel: 'email', series: 'volume', groupBy: 'week' })],
    ['volume by hour', (ctx: InboxContext) => reportTimeseries(ctx, { from: '2025-10-20', to: '2025-10-21', tz: 'UTC', series: 'volume', groupBy: 'hour' })],
  ] as const)('%s', async (what, work) => {
    const statements = (await statementsOf(work)).filter((q) => /sum\("count"\)/.test(q.sql));
    expect(statements.length, what).toBeGreaterThan(0);
    for (const statement of statements) expectPeriodRange(await planOf(statement), `${what}: ${statement.sql}`);
  });

  it('the per-agent table finds its agents by index seeks, then reads a range per agent', async () => {
    const statements = await statementsOf((ctx) => reportBreakdown(ctx, period, 'agent'));
    const cells = statements.filter((q) => /sum\("count"\)/.test(q.sql));
    const keys = statements.filter((q) => /with recursive/.test(q.sql));
    expect(cells.length).toBeGreaterThan(0);
    expect(keys.length).toBeGreaterThan(0);
    for (const statement of cells) expectPeriodRange(await planOf(statement), `agents: ${statement.sql}`);
    for (const statement of keys) {
      const plan = await planOf(statement);
      expect(plan, plan).not.toMatch(/SCAN report_rollups|SCAN r\b|Seq Scan on report_rollups/);
    }
  });
});
