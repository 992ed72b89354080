import { sql } from 'kysely';
import { BUSINESS_BIN_BASE, binOf, hourOf, isDurationMetric, NO_BIN } from '../inbox/reports/metrics.js';
import type { Dialect } from './database.js';
import type { ReportCycleRow, ReportFactRow } from './schema-reports.js';
import type { Tx } from './transaction.js';

// Writes of the reports' facts and rollups (migration 0033), by the commands only, in their
// transaction: a fact and its rollup rows commit together or not at all.

export type NewFact = Omit<ReportFactRow, 'id'>;

export async function readCycle(tx: Tx, conversationId: number): Promise<ReportCycleRow | undefined> {
  const row = await tx.selectFrom('report_cycles').selectAll().where('conversationId', '=', conversationId).executeTakeFirst();
  // PostgreSQL hands bigints back as strings.
  return (
    row && {
      conversationId,
      cycle: Number(row.cycle),
      startedAt: Number(row.startedAt),
      respondedAt: row.respondedAt === null ? null : Number(row.respondedAt),
      waitingSince: row.waitingSince === null ? null : Number(row.waitingSince),
    }
  );
}

export async function saveCycle(tx: Tx, row: ReportCycleRow): Promise<void> {
  await tx
    .insertInto('report_cycles')
    .values(row)
    .onConflict((oc) =>
      oc.column('conversationId').doUpdateSet({
        cycle: row.cycle,
        startedAt: row.startedAt,
        respondedAt: row.respondedAt,
        waitingSince: row.waitingSince,
      }),
    )
    .execute();
}

/** Facts a statement (13 parameters each, under SQLite's limit). */
const FACT_SLICE = 1000;

export async function insertFacts(tx: Tx, dialect: Dialect, facts: readonly NewFact[]): Promise<void> {
  if (facts.length === 0) return;
  for (let i = 0; i < facts.length; i += FACT_SLICE)
    await tx
      .insertInto('report_facts')
      .values(facts.slice(i, i + FACT_SLICE))
      .execute();
  await addToRollups(tx, dialect, facts, 1);
}

/**
 * A fact's rollup rows: one per dimension it has a value for (all, agent, team, channel). Type and priority only split
 * the conversations created (volume by type and priority): every dimension costs each fact
 * a row in its transaction, and no report filters other figures by them.
 */
function rollupKeysOf(fact: Pick<NewFact, 'metric' | 'agentId' | 'teamId' | 'channel' | 'type' | 'priority'>): [string, string][] {
  const keys: [string, string][] = [['all', '']];
  if (fact.agentId !== null) keys.push(['agent', String(fact.agentId)]);
  if (fact.teamId !== null) keys.push(['team', String(fact.teamId)]);
  keys.push(['channel', fact.channel]);
  if (fact.metric === 'created') keys.push(['type', fact.type], ['priority', fact.priority]);
  return keys;
}

type RollupDelta = { metric: string; dimension: string; key: string; hour: number; bin: number; count: number; sum: number };

/** A fact's rollup rows' bins and sums: one for a volume metric, one per clock for a duration. */
function binsOf(fact: Pick<NewFact, 'metric' | 'seconds' | 'businessSeconds'>): { bin: number; sum: number }[] {
  if (!isDurationMetric(fact.metric) || fact.seconds === null) return [{ bin: NO_BIN, sum: 0 }];
  const bins = [{ bin: binOf(fact.seconds), sum: fact.seconds }];
  if (fact.businessSeconds !== null) bins.push({ bin: BUSINESS_BIN_BASE + binOf(fact.businessSeconds), sum: fact.businessSeconds });
  return bins;
}

/**
 * Adds (sign 1) or takes away (sign -1) the facts' counts and sums, one upsert for all of
 * them. A row whose last fact went stays, at zero: it sums to nothing, and deleting it
 * would cost a statement per row (readers skip count 0).
 */
async function addToRollups(
  tx: Tx,
  dialect: Dialect,
  facts: readonly Omit<NewFact, 'conversationId' | 'originConversationId' | 'cycle' | 'messageId'>[],
  sign: 1 | -1,
): Promise<void> {
  const deltas = new Map<string, RollupDelta>();
  for (const fact of facts) {
    const hour = hourOf(fact.at);
    for (const { bin, sum } of binsOf(fact)) {
      for (const [dimension, key] of rollupKeysOf(fact)) {
        const id = `${fact.metric}\u0000${dimension}\u0000${key}\u0000${hour}\u0000${bin}`;
        const delta = deltas.get(id) ?? { metric: fact.metric, dimension, key, hour, bin, count: 0, sum: 0 };
        delta.count += sign;
        delta.sum += sign * sum;
        deltas.set(id, delta);
      }
    }
  }
  // In key order, so two transactions lock rows alike on PostgreSQL.
  const rows = [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  // ONE JSON parameter the database expands: the statement's text is the same for 3 rows or
  // 300, so each database prepares it once, and no row count meets SQLite's parameter limit.
  const json = JSON.stringify(rows);
  const source =
    dialect === 'sqlite'
      ? sql`select r.value->>'metric', r.value->>'dimension', r.value->>'key', r.value->>'hour', r.value->>'bin', r.value->>'count', r.value->>'sum'
          from json_each(${json}) r where true`
      : sql`select r.metric, r.dimension, r.key, r.hour, r.bin, r.count, r.sum
          from jsonb_to_recordset(cast(${json} as jsonb)) as r(metric text, dimension text, key text, hour bigint, bin integer, count bigint, sum bigint)`;
  await sql`
    insert into report_rollups (metric, dimension, key, hour, bin, count, sum) ${source}
    on conflict (metric, dimension, key, hour, bin) do update set count = report_rollups.count + excluded.count, sum = report_rollups.sum + excluded.sum`.execute(
    tx,
  );
}

const orNull = (v: number | null) => (v === null ? null : Number(v));
/** A fact as numbers (PostgreSQL hands bigints back as strings). */
const numeric = (row: ReportFactRow): ReportFactRow => ({
  ...row,
  at: Number(row.at),
  agentId: orNull(row.agentId),
  teamId: orNull(row.teamId),
  seconds: orNull(row.seconds),
  businessSeconds: orNull(row.businessSeconds),
});

/** Takes a conversation's facts out of the reports (deleted, marked as spam): the rollups lose them too. */
export async function forgetFacts(tx: Tx, dialect: Dialect, conversationId: number): Promise<void> {
  const facts = (await tx.selectFrom('report_facts').selectAll().where('conversationId', '=', conversationId).execute()).map(numeric);
  if (facts.length === 0) return;
  await addToRollups(tx, dialect, facts, -1);
  await tx.deleteFrom('report_facts').where('conversationId', '=', conversationId).execute();
}

/** `id` and every conversation merged into it, directly or through a chain of merges. */
export async function conversationsOwnedBy(tx: Tx, id: number): Promise<number[]> {
  const owned = [id];
  for (let frontier = [id]; frontier.length > 0; ) {
    const rows = await tx.selectFrom('conversations').select('id').where('shelf', '=', 'merged').where('mergedInto', 'in', frontier).execute();
    frontier = rows.map((r) => Number(r.id)).filter((found) => !owned.includes(found));
    owned.push(...frontier);
  }
  return owned;
}

/** What a rebuild replaces: the facts `origin`'s own history made, wherever a merge took them. */
export async function forgetFactsFrom(tx: Tx, dialect: Dialect, origin: number): Promise<void> {
  const facts = (await tx.selectFrom('report_facts').selectAll().where('originConversationId', '=', origin).execute()).map(numeric);
  if (facts.length === 0) return;
  await addToRollups(tx, dialect, facts, -1);
  await tx.deleteFrom('report_facts').where('originConversationId', '=', origin).execute();
}

export type RebuildRange = { from?: number; to?: number };

/** The conversations a rebuild of `range` visits: those with activity in it, by id after `after`. */
export async function listConversationIdsForRebuild(tx: Tx, range: RebuildRange, after: number, limit: number): Promise<number[]> {
  let query = tx.selectFrom('conversations').select('id').where('id', '>', after);
  if (range.from !== undefined) query = query.where('updatedAt', '>=', range.from);
  if (range.to !== undefined) query = query.where('createdAt', '<', range.to);
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

/** How many conversations a rebuild of `range` visits (once, for its progress bar). */
export async function countConversationsForRebuild(tx: Tx, range: RebuildRange): Promise<number> {
  let query = tx.selectFrom('conversations').select((eb) => eb.fn.countAll<string | number>().as('n'));
  if (range.from !== undefined) query = query.where('updatedAt', '>=', range.from);
  if (range.to !== undefined) query = query.where('createdAt', '<', range.to);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
