import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Dialect } from '../database.js';

// The reports' rollups get a second tier: UTC days beside UTC hours (issue 19's read target).
// A 90-day dashboard summed ~2,000 hourly rows per metric and bin; whole days are read from
// day rows and only the hours a local day or a period edge cuts off a UTC day come from the
// hourly ones (inbox/reports/source.ts), so a whole-hour time zone stays exact.
//
// `span` is the hours a row covers (1 or 24) and `start` its first ms (the old `hour`). The
// table is rebuilt for its new primary key; the day rows are summed from the hourly ones,
// which hold the same facts. Conversations created also get agent × channel and team ×
// channel rows (store/report-facts.ts rollupKeysOf), and a new volume metric, `handled`,
// its facts and rows from the replies' facts (inbox/reports/cycle.ts).

const DAY_MS = 24 * 60 * 60 * 1000;

export function reportDayRollupsMigration(dialect: Dialect) {
  async function up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('report_rollups_spans')
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('dimension', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('span', 'integer', (c) => c.notNull())
      .addColumn('start', 'bigint', (c) => c.notNull())
      .addColumn('bin', 'integer', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addColumn('sum', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('report_rollups_span_pk', ['metric', 'dimension', 'key', 'span', 'start', 'bin'])
      .$call((t) => (dialect === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t))
      .execute();
    await sql`insert into report_rollups_spans (metric, dimension, key, span, start, bin, count, sum)
      select metric, dimension, key, 1, hour, bin, count, sum from report_rollups where count <> 0`.execute(db);
    await sql`insert into report_rollups_spans (metric, dimension, key, span, start, bin, count, sum)
      select metric, dimension, key, 24, hour - hour % ${sql.lit(DAY_MS)}, bin, sum(count), sum(sum) from report_rollups
      group by metric, dimension, key, hour - hour % ${sql.lit(DAY_MS)}, bin having sum(count) <> 0`.execute(db);
    const text = (column: string) => (dialect === 'sqlite' ? sql.ref(column) : sql`cast(${sql.ref(column)} as text)`);
    /** Volume rows (bin -1) of one metric's facts per `key` (a constant for `all`: not grouped by), by hour and by day. */
    const rollFacts = async (metric: string, dimension: string, key: RawBuilder<unknown>, where: RawBuilder<unknown>) => {
      for (const span of [1, 24]) {
        const ms = sql.lit(span * 3_600_000);
        await sql`insert into report_rollups_spans (metric, dimension, key, span, start, bin, count, sum)
          select ${metric}, ${dimension}, ${key}, ${sql.lit(span)}, at - at % ${ms}, -1, count(*), 0
          from report_facts where metric = ${metric} and ${where}
          group by ${dimension === 'all' ? sql`` : sql`${key}, `}at - at % ${ms}`.execute(db);
      }
    };
    // Conversations created per agent × channel and team × channel (the volume chart
    // filtered to one agent or team).
    await rollFacts('created', 'agent_channel', sql`${text('agentId')} || '|' || channel`, sql`"agentId" is not null`);
    await rollFacts('created', 'team_channel', sql`${text('teamId')} || '|' || channel`, sql`"teamId" is not null`);

    // `handled`: each agent's first public reply in a care cycle (inbox/reports/cycle.ts),
    // from the replies' facts, and each cycle's repliers so far.
    await sql`insert into report_facts ("conversationId", "originConversationId", cycle, metric, at, "agentId", "teamId", channel, type, priority, "messageId")
      select "conversationId", "originConversationId", cycle, 'handled', at, "agentId", "teamId", channel, type, priority, "messageId"
      from (select f.*, row_number() over (partition by "originConversationId", cycle, "agentId" order by at, id) as k
            from report_facts f where metric = 'message_out' and "agentId" is not null) first_replies
      where k = 1`.execute(db);
    await rollFacts('handled', 'all', sql`''`, sql`true`);
    await rollFacts('handled', 'agent', text('agentId'), sql`true`);
    await rollFacts('handled', 'team', text('teamId'), sql`"teamId" is not null`);
    await rollFacts('handled', 'channel', sql`channel`, sql`true`);
    await db.schema
      .alterTable('report_cycles')
      .addColumn('repliers', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    const agents = dialect === 'sqlite' ? sql`json_group_array(distinct f."agentId")` : sql`cast(json_agg(distinct f."agentId") as text)`;
    await sql`update report_cycles set repliers = coalesce((select ${agents} from report_facts f
      where f."originConversationId" = report_cycles."conversationId" and f.cycle = report_cycles.cycle and f.metric = 'handled'), '[]')`.execute(db);

    await db.schema.dropTable('report_rollups').execute();
    await db.schema.alterTable('report_rollups_spans').renameTo('report_rollups').execute();
  }
  return { up };
}
