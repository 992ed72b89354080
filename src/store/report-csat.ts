import { sql } from 'kysely';
import type { FactFilters } from './report-queries.js';
import type { Tx } from './transaction.js';

// CSAT figures for the reports, from `csat_surveys` (migration 0034, written by the CSAT
// commands): the surveys SENT in the period, so a response rate compares like with like;
// their responses and ratings (the current rating of each, not its history). The
// `csat_surveys_sent` index (sentAt, id) serves the period.

export type CsatCell = { key: string; sent: number; responses: number; ratingSum: number; distribution: [number, number, number, number, number] };

export type CsatGrouping = 'agent' | 'team' | 'channel';
const groupColumn = { agent: 'agentId', team: 'teamId', channel: 'channel' } as const;

/** Counts per key of `groupBy` (one cell with key '' without it) of the surveys sent in [from, to). */
export async function csatCells(db: Tx, query: { from: number; to: number; filters: FactFilters; groupBy?: CsatGrouping }): Promise<CsatCell[]> {
  const rating = (n: number) => sql<number>`sum(case when "rating" = ${sql.lit(n)} then 1 else 0 end)`;
  const column = query.groupBy ? groupColumn[query.groupBy] : null;
  const key = column ? sql<string>`${sql.ref(column)}` : sql<string>`''`;
  const { filters } = query;
  const rows = await db
    .selectFrom('csat_surveys')
    .select([
      key.as('key'),
      sql<number>`count(*)`.as('sent'),
      sql<number>`count("rating")`.as('responses'),
      sql<number>`coalesce(sum("rating"), 0)`.as('ratingSum'),
      rating(1).as('r1'),
      rating(2).as('r2'),
      rating(3).as('r3'),
      rating(4).as('r4'),
      rating(5).as('r5'),
    ])
    .where('sentAt', '>=', query.from)
    .where('sentAt', '<', query.to)
    .$if(filters.agentId !== undefined, (q) => q.where('agentId', '=', filters.agentId!))
    .$if(filters.teamId !== undefined, (q) => q.where('teamId', '=', filters.teamId!))
    .$if(filters.channel !== undefined, (q) => q.where('channel', '=', filters.channel!))
    .$if(column !== null, (q) => q.where(sql.ref(column!), 'is not', null).groupBy(sql.ref(column!)))
    .execute();
  return rows.map((row) => ({
    key: String(row.key),
    sent: Number(row.sent),
    responses: Number(row.responses),
    ratingSum: Number(row.ratingSum),
    distribution: [Number(row.r1 ?? 0), Number(row.r2 ?? 0), Number(row.r3 ?? 0), Number(row.r4 ?? 0), Number(row.r5 ?? 0)],
  }));
}
