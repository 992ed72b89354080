import { BUSINESS_BIN_BASE, binOf, dayOf, hourOf, isDurationMetric, NO_BIN } from '../inbox/reports/metrics.js';
import type { Dialect } from './database.js';
import { FACT_COLUMNS, runFactWrite } from './report-fact-statements.js';
import type { ReportCycleRow, ReportFactRow } from './schema-reports.js';
import type { Tx } from './transaction.js';

// Writes of the reports' facts and rollups (migration 0033), by the commands only, in their
// transaction: a fact and its rollup rows commit together or not at all.

export type NewFact = Omit<ReportFactRow, 'id'>;

/** A conversation's care cycle as the reports keep it, the repliers parsed. */
export type CareCycle = Omit<ReportCycleRow, 'repliers'> & { repliers: number[] };

export async function readCycle(tx: Tx, conversationId: number): Promise<CareCycle | undefined> {
  const row = await tx.selectFrom('report_cycles').selectAll().where('conversationId', '=', conversationId).executeTakeFirst();
  // PostgreSQL hands bigints back as strings.
  return (
    row && {
      conversationId,
      cycle: Number(row.cycle),
      startedAt: Number(row.startedAt),
      respondedAt: row.respondedAt === null ? null : Number(row.respondedAt),
      waitingSince: row.waitingSince === null ? null : Number(row.waitingSince),
      repliers: JSON.parse(row.repliers) as number[],
    }
  );
}

/**
 * Writes facts, their rollup rows and, when given, the conversation's care cycle as it now
 * stands: on every message, so through fixed statement texts (report-fact-statements.ts).
 */
export async function insertFacts(tx: Tx, dialect: Dialect, facts: readonly NewFact[], cycle?: CareCycle): Promise<void> {
  await runFactWrite(tx, dialect, {
    ...(facts.length > 0 && { facts: facts.map((fact) => FACT_COLUMNS.map((column) => fact[column])), rollups: rollupRowsOf(facts, 1) }),
    ...(cycle && {
      cycle: [cycle.conversationId, cycle.cycle, cycle.startedAt, cycle.respondedAt, cycle.waitingSince, JSON.stringify(cycle.repliers)] as const,
    }),
  });
}

/**
 * A fact's rollup rows: one per dimension it has a value for (all, agent, team, channel).
 * Type and priority only split the conversations created (volume by type and priority), and
 * so do agent × channel and team × channel (the volume chart, by channel, filtered to one
 * agent or team): every dimension costs each fact a row in its transaction, and no report
 * splits other figures by them.
 */
function rollupKeysOf(fact: Pick<NewFact, 'metric' | 'agentId' | 'teamId' | 'channel' | 'type' | 'priority'>): [string, string][] {
  const keys: [string, string][] = [['all', '']];
  if (fact.agentId !== null) keys.push(['agent', String(fact.agentId)]);
  if (fact.teamId !== null) keys.push(['team', String(fact.teamId)]);
  keys.push(['channel', fact.channel]);
  if (fact.metric === 'created') {
    keys.push(['type', fact.type], ['priority', fact.priority]);
    if (fact.agentId !== null) keys.push(['agent_channel', pairKey(fact.agentId, fact.channel)]);
    if (fact.teamId !== null) keys.push(['team_channel', pairKey(fact.teamId, fact.channel)]);
  }
  return keys;
}

/** The key of a pair dimension's row (agent_channel, team_channel). */
export const pairKey = (id: number | string, channel: string): string => `${id}|${channel}`;

/** A rollup row's change: metric, dimension, key, span, start, bin, count, sum (the statement's JSON order). */
type RollupDelta = [string, string, string, number, number, number, number, number];

/** The rollup tiers every fact is added to (migration 0035): its UTC hour and its UTC day. */
const SPANS = [
  { span: 1, startOf: hourOf },
  { span: 24, startOf: dayOf },
];

/** A fact's rollup rows' bins and sums: one for a volume metric, one per clock for a duration. */
function binsOf(fact: Pick<NewFact, 'metric' | 'seconds' | 'businessSeconds'>): { bin: number; sum: number }[] {
  if (!isDurationMetric(fact.metric) || fact.seconds === null) return [{ bin: NO_BIN, sum: 0 }];
  const bins = [{ bin: binOf(fact.seconds), sum: fact.seconds }];
  if (fact.businessSeconds !== null) bins.push({ bin: BUSINESS_BIN_BASE + binOf(fact.businessSeconds), sum: fact.businessSeconds });
  return bins;
}

/** Adds (sign 1) or takes away (sign -1) the facts' counts and sums, one upsert for all of them. */
async function addToRollups(tx: Tx, dialect: Dialect, facts: readonly RolledFact[], sign: 1 | -1): Promise<void> {
  await runFactWrite(tx, dialect, { rollups: rollupRowsOf(facts, sign) });
}

type RolledFact = Omit<NewFact, 'conversationId' | 'originConversationId' | 'cycle' | 'messageId'>;

/** The facts' rollup deltas, one per row they touch, in key order (so two transactions lock rows alike on PostgreSQL). */
function rollupRowsOf(facts: readonly RolledFact[], sign: 1 | -1): RollupDelta[] {
  const deltas = new Map<string, RollupDelta>();
  for (const fact of facts) {
    for (const { span, startOf } of SPANS) {
      const start = startOf(fact.at);
      for (const { bin, sum } of binsOf(fact)) {
        for (const [dimension, key] of rollupKeysOf(fact)) {
          const id = `${fact.metric}\u0000${dimension}\u0000${key}\u0000${span}\u0000${start}\u0000${bin}`;
          const delta = deltas.get(id) ?? [fact.metric, dimension, key, span, start, bin, 0, 0];
          delta[6] += sign;
          delta[7] += sign * sum;
          deltas.set(id, delta);
        }
      }
    }
  }
  return [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
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
