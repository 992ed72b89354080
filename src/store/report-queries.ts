import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { BUSINESS_BIN_BASE, NO_BIN } from '../inbox/reports/metrics.js';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';
import type { Tx } from './transaction.js';

// The reports' reads (issue 19): sums over the hourly rollups, the facts for what the
// rollups cannot answer (a half-hour time zone, two filters at once, distinct
// conversations), the drill-down's keyset pages, and the live panel's counters.
// A Cell is the common shape both paths end in: counts and sums per metric, grouping key,
// local time slot and histogram bin of the chosen clock (calendar or business).

export type Cell = { metric: string; key: string; slot: number; bin: number; count: number; sum: number };

/** Which clock's bins and sums are read. */
export type Clock = 'calendar' | 'business';

export type FactFilters = { agentId?: number; teamId?: number; channel?: string };

/**
 * A clock's rows of a rollup (migration 0033): the volume metrics' (bin -1) and its own
 * histogram — calendar bins from 0, business bins from BUSINESS_BIN_BASE — with the bin
 * as read (0-based either way).
 */
function clockBins(clock: Clock) {
  const base = sql.lit(BUSINESS_BIN_BASE);
  return clock === 'business'
    ? {
        where: sql<SqlBool>`("bin" = ${sql.lit(NO_BIN)} or "bin" >= ${base})`,
        bin: sql<number>`case when "bin" >= ${base} then "bin" - ${base} else "bin" end`,
      }
    : { where: sql<SqlBool>`"bin" < ${base}`, bin: sql<number>`"bin"` };
}

/** Which rollup rows a read sums: one tier (span 1: hours, 24: UTC days) over [from, to), or the hours starting at `starts`. */
export type RollupRows = { span: 1 | 24; from: number; to: number } | { span: 1; starts: readonly number[] };

/**
 * Rollup sums of one dimension's `keys` over some rows of one tier
 * (migration 0035). With `slot`, also per slot: (start + offset) / unit in integer
 * arithmetic, where the offset is constant over the rows (the caller splits at DST changes).
 */
export async function rollupCells(
  db: Tx,
  dialect: Dialect,
  query: {
    metrics: readonly string[];
    dimension: string;
    /** The keys read, named so each is a range of the primary key (rollupKeys finds a dimension's). */
    keys: readonly string[];
    rows: RollupRows;
    clock: Clock;
    slot?: { offsetMs: number; unitMs: number };
  },
): Promise<Cell[]> {
  const { where: ofClock, bin } = clockBins(query.clock);
  const { rows: which, keys } = query;
  if (keys.length === 0) return [];
  const range = 'from' in which ? which : null;
  const slot = query.slot ? sql<number>`("start" + ${sql.lit(query.slot.offsetMs)}) / ${sql.lit(query.slot.unitMs)}` : sql<number>`0`;
  // A list of hours as ONE parameter (the same statement text for 2 hours or 2,000).
  const starts = 'starts' in which ? (dialect === 'sqlite' ? `[${which.starts.join(',')}]` : `{${which.starts.join(',')}}`) : '';
  const rows = await db
    .selectFrom('report_rollups')
    .select(['metric', 'key', slot.as('slot'), bin.as('bin'), sql<number>`sum("count")`.as('count'), sql<number>`sum("sum")`.as('sum')])
    .where('metric', 'in', [...query.metrics])
    .where('dimension', '=', query.dimension)
    .where('key', 'in', [...keys])
    .where('span', '=', which.span)
    .$if(range !== null, (q) => q.where('start', '>=', range!.from).where('start', '<', range!.to))
    .$if('starts' in which, (q) =>
      q.where(
        dialect === 'sqlite' ? sql<SqlBool>`"start" in (select value from json_each(${starts}))` : sql<SqlBool>`"start" = any(cast(${starts} as bigint[]))`,
      ),
    )
    .where(ofClock)
    .groupBy(['metric', 'key'])
    // A constant in GROUP BY would be read as a column position: only a real slot is grouped by.
    .$if(query.slot !== undefined, (q) => q.groupBy(slot))
    .groupBy(bin)
    .execute();
  return rows.map(toCell);
}

/**
 * Every key some metrics' rows of a dimension have (the agents or teams a table lists), one
 * index seek per key: a loose index scan, which neither database does by itself from a plain
 * DISTINCT. Naming the keys makes each read a range of the primary key (metric, dimension,
 * key, span, start): with the key left open, a period's rows are picked out of all time's.
 */
export async function rollupKeys(db: Tx, metrics: readonly string[], dimension: string): Promise<string[]> {
  const found = new Set<string>();
  for (const metric of metrics) {
    const { rows } = await sql<{ key: string }>`
      with recursive k(key) as (
        select min(key) from report_rollups where metric = ${metric} and dimension = ${dimension}
        union all
        select (select min(r.key) from report_rollups r where r.metric = ${metric} and r.dimension = ${dimension} and r.key > k.key)
        from k where k.key is not null
      )
      select key from k where key is not null`.execute(db);
    for (const row of rows) found.add(row.key);
  }
  return [...found];
}

const toCell = (row: { metric: string; key: string; slot: unknown; bin: unknown; count: unknown; sum: unknown }): Cell => ({
  metric: row.metric,
  key: row.key,
  slot: Number(row.slot),
  bin: Number(row.bin),
  count: Number(row.count),
  sum: Number(row.sum),
});

/** A fact as the reports read it: when, what, whose, and its durations. */
export type FactRow = {
  metric: string;
  at: number;
  agentId: number | null;
  teamId: number | null;
  channel: string;
  seconds: number | null;
  businessSeconds: number | null;
};

const filtered = (filters: FactFilters) => (eb: ExpressionBuilder<Database, 'report_facts'>) => {
  const conditions: Expression<SqlBool>[] = [];
  if (filters.agentId !== undefined) conditions.push(eb('report_facts.agentId', '=', filters.agentId));
  if (filters.teamId !== undefined) conditions.push(eb('report_facts.teamId', '=', filters.teamId));
  if (filters.channel !== undefined) conditions.push(eb('report_facts.channel', '=', filters.channel));
  return eb.and(conditions);
};

/** The facts of some metrics in [from, to), walking the (metric, at) index. */
export async function readFacts(db: Tx, query: { metrics: readonly string[]; from: number; to: number; filters: FactFilters }): Promise<FactRow[]> {
  return db
    .selectFrom('report_facts')
    .select(['metric', 'at', 'agentId', 'teamId', 'channel', 'seconds', 'businessSeconds'])
    .where('metric', 'in', [...query.metrics])
    .where('at', '>=', query.from)
    .where('at', '<', query.to)
    .where(filtered(query.filters))
    .execute();
}

export type DrilldownFact = {
  id: number;
  conversationId: number;
  number: number;
  subject: string;
  at: number;
  agentId: number | null;
  agentName: string | null;
  channel: string;
  seconds: number | null;
  businessSeconds: number | null;
};

/** One page of a metric's facts in [from, to), newest first, after the keyset `before` (at, id). */
export async function factPage(
  db: Tx,
  query: { metric: string; from: number; to: number; filters: FactFilters; before: { at: number; id: number } | null; limit: number },
): Promise<DrilldownFact[]> {
  const rows = await db
    .selectFrom('report_facts')
    .innerJoin('conversations', 'conversations.id', 'report_facts.conversationId')
    .leftJoin('users', 'users.id', 'report_facts.agentId')
    .select([
      'report_facts.id',
      'report_facts.conversationId',
      'conversations.number',
      'conversations.subject',
      'report_facts.at',
      'report_facts.agentId',
      'users.name as agentName',
      'report_facts.channel',
      'report_facts.seconds',
      'report_facts.businessSeconds',
    ])
    .where('report_facts.metric', '=', query.metric)
    .where('report_facts.at', '>=', query.from)
    .where('report_facts.at', '<', query.to)
    .where(filtered(query.filters))
    .$if(query.before !== null, (q) =>
      q.where((eb) => eb(eb.refTuple('report_facts.at', 'report_facts.id'), '<', eb.tuple(query.before!.at, query.before!.id))),
    )
    .orderBy('report_facts.at', 'desc')
    .orderBy('report_facts.id', 'desc')
    .limit(query.limit)
    .execute();
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    conversationId: Number(row.conversationId),
    number: Number(row.number),
    at: Number(row.at),
    agentId: row.agentId === null ? null : Number(row.agentId),
    seconds: row.seconds === null ? null : Number(row.seconds),
    businessSeconds: row.businessSeconds === null ? null : Number(row.businessSeconds),
  }));
}

/** Names for the breakdown tables. */
export async function userNames(db: Tx, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [Number(row.id), row.name]));
}

/** The team members who can appear in the per-agent table: admins and agents, active ones. */
export async function teamMemberNames(db: Tx): Promise<Map<number, string>> {
  const rows = await db.selectFrom('users').select(['id', 'name']).where('role', 'in', ['admin', 'agent']).where('deactivatedAt', 'is', null).execute();
  return new Map(rows.map((row) => [Number(row.id), row.name]));
}

export async function teamNames(db: Tx): Promise<Map<number, string>> {
  const rows = await db.selectFrom('teams').select(['id', 'name']).execute();
  return new Map(rows.map((row) => [Number(row.id), row.name]));
}

export type WaitingConversation = { conversationId: number; number: number; subject: string; waitingSince: number };

/**
 * The open conversations whose customer has waited longest: by lastCustomerMessageAt,
 * oldest first (spam and merged tombstones are closed, so never open).
 */
export async function longestWaiting(db: Tx, limit: number): Promise<WaitingConversation[]> {
  // The care cycle's own "waiting since" (the first customer message since the team's last
  // public reply), walked oldest first on its partial index: no sort, whatever the inbox's size.
  const rows = await db
    .selectFrom('report_cycles as r')
    .innerJoin('conversations as c', 'c.id', 'r.conversationId')
    .select(['c.id', 'c.number', 'c.subject', 'r.waitingSince'])
    .where('r.waitingSince', 'is not', null)
    .where('c.status', '=', 'open')
    .where('c.shelf', 'is', null)
    .orderBy('r.waitingSince', 'asc')
    .orderBy('r.conversationId', 'asc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    conversationId: Number(row.id),
    number: Number(row.number),
    subject: row.subject,
    waitingSince: Number(row.waitingSince),
  }));
}
