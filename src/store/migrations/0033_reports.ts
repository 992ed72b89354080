import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { identity } from './0001_core.js';

// Reports (issue 19): facts written by the commands in the transaction of the action that
// causes them, and their hourly rollups, upserted in the same transaction — so every number
// is exact, and a crash can neither lose nor double one. Definitions: docs/reports.md.
//
// report_cycles: where each conversation's care cycle stands (start, first response,
//   waiting since), the state the next fact is measured from. One row per conversation.
// report_facts: one row per fact (a first response, a reply time, a resolution, a message,
//   a conversation created…) with its durations in calendar and business seconds, the
//   business ones under the calendar in force when the fact was recorded.
// report_rollups: per UTC hour × dimension (all, agent, team, channel, type, priority) ×
//   metric × histogram bin: count and sum. Any whole-hour time zone and any grouping is a sum
//   over hours; medians and p90 come from the bins. The calendar and the business histogram
//   are separate rows, so an hour holds a few dozen rows per metric, not one per pair of bins.

export function reportsMigration(dialect: Dialect) {
  const idType = dialect === 'sqlite' ? 'integer' : 'bigint';

  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('report_cycles')
      .addColumn('conversationId', idType, (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
      .addColumn('cycle', 'integer', (c) => c.notNull())
      .addColumn('startedAt', 'bigint', (c) => c.notNull())
      // The cycle's first public reply by a person of the team (null: none yet).
      .addColumn('respondedAt', 'bigint')
      // The first customer message since the team's last public reply (null: nobody waits).
      .addColumn('waitingSince', 'bigint')
      .execute();
    // The live panel's "waiting longest": oldest first, only those who wait.
    await db.schema
      .createIndex('report_cycles_waiting')
      .on('report_cycles')
      .columns(['waitingSince', 'conversationId'])
      .where(sql.ref('waitingSince'), 'is not', null)
      .execute();

    await db.schema
      .createTable('report_facts')
      .addColumn('id', idType, identity(dialect))
      // A merge moves its facts to the target; a delete takes them along (store/report-facts.ts).
      .addColumn('conversationId', idType, (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      // The conversation whose history made it: where an unmerge takes it back, what a rebuild recomputes.
      .addColumn('originConversationId', idType, (c) => c.notNull())
      .addColumn('cycle', 'integer', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      // Who it is attributed to: the replier, the resolver (null: nobody of the team).
      .addColumn('agentId', idType)
      .addColumn('teamId', idType)
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('seconds', 'bigint')
      .addColumn('businessSeconds', 'bigint')
      .addColumn('messageId', idType)
      .execute();
    await db.schema.createIndex('report_facts_conversation').on('report_facts').columns(['conversationId', 'id']).execute();
    await db.schema.createIndex('report_facts_origin').on('report_facts').column('originConversationId').execute();
    // The drill-down: a metric's facts in a period, newest first (keyset on at, id).
    await db.schema.createIndex('report_facts_metric_at').on('report_facts').columns(['metric', 'at', 'id']).execute();

    await db.schema
      .createTable('report_rollups')
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('dimension', 'text', (c) => c.notNull())
      // '' for `all`; the agent's or team's id, the channel, type or priority otherwise.
      .addColumn('key', 'text', (c) => c.notNull())
      // The UTC hour's start, in ms.
      .addColumn('hour', 'bigint', (c) => c.notNull())
      // -1: a volume metric's one row per hour. A duration metric has two histograms instead:
      // BIN_COUNT calendar bins from 0, business bins from BUSINESS_BIN_BASE (inbox/reports/metrics.ts),
      // each bin with its count and the sum of its durations in its own clock.
      .addColumn('bin', 'integer', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addColumn('sum', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('report_rollups_pk', ['metric', 'dimension', 'key', 'hour', 'bin'])
      // SQLite: the rows stored in key order, so a period's rows are one range of the table.
      .$call((t) => (dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t))
      .execute();
  }
  return { up };
}
