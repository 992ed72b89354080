import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createRandom } from '../src/demo/random.js';
import { EventBus } from '../src/inbox/bus.js';
import { createConversation } from '../src/inbox/commands.js';
import { createInboxContext, type InboxContext } from '../src/inbox/context.js';
import { getConversation } from '../src/inbox/queries.js';
import { reportBreakdown, reportSummary, reportTimeseries } from '../src/inbox/reports/reports.js';
import { insertFacts, type NewFact } from '../src/store/report-facts.js';
import { CHANNELS, type Channel } from '../src/store/schema.js';
import { transact } from '../src/store/transaction.js';
import { bulkInsertUsers } from './bulk-load.js';
import { type Latency, measureLatency, type SampleOptions, timed } from './measure.js';
import { openTarget, UsageError, wholeNumber } from './target.js';

// `npx tsx bench/reports-bench.ts [-- options]` (issue 19's read side), in a database of its
// own: facts for N conversations over 12 months, written through insertFacts (the write
// path's own store function: facts and their hour and day rollups in one transaction), then
// the dashboard's reads — the summary plus two time series (volume by channel,
// first-response medians), for 90 days by day and for 12 months by week (as the dashboard
// groups them), with no filter and with each single filter — against a primary-key lookup
// in the same run. Issue 19's targets: p95 ≤ 30 ms (SQLite) /
// ≤ 50 ms (PostgreSQL) for 90 days, ≤ 60 ms for 12 months. Nothing here asserts a timing.
//
// The facts point at a pool of real conversations (the foreign key wants them); which one
// a fact names does not change what the dashboard reads (rollups and the facts' index).

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '1000000' },
    agents: { type: 'string', default: '30' },
    teams: { type: 'string', default: '5' },
    pool: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    'budget-seconds': { type: 'string', default: '60' },
    'batch-size': { type: 'string', default: '2000' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const HELP = `npx tsx bench/reports-bench.ts -- [options]
  --conversations N   conversations' worth of facts over 12 months (default 1000000; 9 facts each)
  --agents A          agents the replies and resolutions go to (default 30)
  --teams T           teams (default 5)
  --pool P            real conversations the facts point at (default 1000)
  --samples S         timed samples per read (default 200)
  --warmup W          untimed runs before each read (default 20)
  --budget-seconds T  stop one read measurement after T seconds, flagged (default 60)
  --batch-size B      conversations per insertFacts transaction (default 2000)
  --data-dir DIR      SQLite: put the database here instead of a temp dir
  --keep / --reuse    keep the database / measure a kept one without seeding
  --json              also print the figures as one JSON object on the last line
PostgreSQL: set DATABASE_URL to a server; the bench creates and drops onethread_bench_<random> there.`;

const count = (name: keyof typeof args) => wholeNumber(name, args[name]);
const log = (line: string) => process.stderr.write(`${line}\n`);
const DAY = 24 * 60 * 60 * 1000;
/** The 12 months the facts cover end here (a Monday, so week buckets are whole). */
const END = Date.UTC(2026, 0, 5);
const START = END - 364 * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

type People = { agentIds: number[]; teamIds: number[]; pool: number[] };

async function seedPeople(ctx: InboxContext, agents: number, teams: number, pool: number): Promise<People> {
  const agentIds = await bulkInsertUsers(
    ctx.store,
    Array.from({ length: agents }, (_, i) => ({ name: `Agent ${i + 1}`, email: `agent${i + 1}@reports.test`, role: 'agent' as const })),
    START,
  );
  const teamIds = Array.from({ length: teams }, (_, i) => i + 1);
  const ids: number[] = [];
  for (let i = 0; i < pool; i++) {
    const { conversation } = await createConversation(ctx, {
      from: { customerEmail: `c${i % 97}@reports.test` },
      channel: 'email',
      subject: `Pool ${i}`,
      body: 'hi',
    });
    ids.push(conversation.id);
  }
  return { agentIds, teamIds, pool: ids };
}

/** One conversation's facts: created, a first response (and so handled), a reply time, a resolution, two messages each way. */
function factsOf(i: number, total: number, people: People, random: ReturnType<typeof createRandom>): NewFact[] {
  const createdAt = START + Math.floor((i / total) * (END - START - DAY)) + random.int(0, 60_000);
  const conversationId = people.pool[i % people.pool.length]!;
  const channel: Channel = CHANNELS[random.int(0, CHANNELS.length - 1)]!;
  const teamId = random.int(0, people.teamIds.length) === 0 ? null : people.teamIds[random.int(0, people.teamIds.length - 1)]!;
  const agentId = people.agentIds[random.int(0, people.agentIds.length - 1)]!;
  const base = { conversationId, originConversationId: conversationId, cycle: 1, teamId, channel, type: 'support', priority: 'normal', messageId: null };
  const firstResponse = Math.round(30 * Math.exp(random.next() * 8));
  const reply = Math.round(60 * Math.exp(random.next() * 6));
  const resolution = firstResponse + Math.round(600 * Math.exp(random.next() * 6));
  const fact = (metric: string, at: number, who: number | null, seconds: number | null): NewFact => ({
    ...base,
    metric,
    at,
    agentId: who,
    seconds,
    businessSeconds: seconds === null ? null : Math.round(seconds * 0.4),
  });
  return [
    fact('created', createdAt, null, null),
    fact('message_in', createdAt, null, null),
    fact('first_response', createdAt + firstResponse * 1000, agentId, firstResponse),
    fact('message_out', createdAt + firstResponse * 1000, agentId, null),
    fact('handled', createdAt + firstResponse * 1000, agentId, null),
    fact('message_in', createdAt + (firstResponse + 300) * 1000, null, null),
    fact('reply_time', createdAt + (firstResponse + 300 + reply) * 1000, agentId, reply),
    fact('message_out', createdAt + (firstResponse + 300 + reply) * 1000, agentId, null),
    fact('resolved', createdAt + resolution * 1000, agentId, resolution),
  ];
}

async function seedFacts(ctx: InboxContext, total: number, people: People, batchSize: number): Promise<number> {
  const random = createRandom(19);
  let facts = 0;
  for (let from = 0; from < total; from += batchSize) {
    const batch: NewFact[][] = [];
    for (let i = from; i < Math.min(total, from + batchSize); i++) batch.push(factsOf(i, total, people, random));
    // SQLite: one insertFacts per conversation, as a command writes its own; PostgreSQL, where
    // each is a round trip, the batch in one (the rollup rows come out the same: they are sums).
    await transact(ctx.store, async (tx) => {
      if (ctx.store.dialect === 'postgres') await insertFacts(tx, ctx.store.dialect, batch.flat());
      else for (const own of batch) await insertFacts(tx, ctx.store.dialect, own);
    });
    facts += batch.length * 9;
    if ((from / batchSize) % 25 === 0) log(`  ${Math.min(total, from + batchSize).toLocaleString('en')} conversations, ${facts.toLocaleString('en')} facts`);
  }
  return facts;
}

type Filter = { name: string; query: { agent?: number; team?: number; channel?: Channel } };

async function main(): Promise<void> {
  if (args.help) return void console.log(HELP);
  const total = count('conversations');
  const options: SampleOptions = { samples: count('samples'), warmup: count('warmup'), budgetSeconds: count('budget-seconds') };
  const target = await openTarget({ databaseUrl: process.env.DATABASE_URL, dataDir: args['data-dir'], reuse: args.reuse });
  const ctx = createInboxContext({ store: target.store, bus: new EventBus(), clock: () => START });
  try {
    log(`reports bench on ${target.description}`);
    let people: People;
    let seedSeconds = 0;
    let facts = 0;
    if (args.reuse) {
      const agents = await target.store.db.selectFrom('users').select('id').where('role', '=', 'agent').execute();
      const pool = await target.store.db.selectFrom('conversations').select('id').execute();
      people = { agentIds: agents.map((a) => Number(a.id)), teamIds: [1, 2, 3, 4, 5], pool: pool.map((c) => Number(c.id)) };
    } else {
      people = await seedPeople(ctx, count('agents'), count('teams'), count('pool'));
      const seeded = await timed(() => seedFacts(ctx, total, people, count('batch-size')));
      seedSeconds = seeded.seconds;
      facts = seeded.result;
      log(`seeded ${facts.toLocaleString('en')} facts in ${seedSeconds.toFixed(0)} s`);
      // As autovacuum would on a live database: statistics for the planner (without them
      // PostgreSQL scans a metric's every hour for a list of hours), and the visibility map.
      if (target.store.dialect === 'postgres') await sql`vacuum (analyze) report_facts, report_rollups, report_cycles`.execute(target.store.db);
    }
    const filters: Filter[] = [
      { name: 'no filter', query: {} },
      { name: 'agent', query: { agent: people.agentIds[0] } },
      { name: 'team', query: { team: people.teamIds[0] } },
      { name: 'channel', query: { channel: 'email' } },
    ];
    // Grouped as the dashboard groups them (web/src/reports/query.ts autoGrouping): days up to 92, weeks up to 400.
    const periods = [
      { name: '90 days', from: isoDay(END - 90 * DAY), to: isoDay(END - DAY), groupBy: 'day' as const },
      { name: '12 months', from: isoDay(START), to: isoDay(END - DAY), groupBy: 'week' as const },
    ];
    const dashboard: Record<string, Latency> = {};
    for (const period of periods) {
      for (const filter of filters) {
        const query = { from: period.from, to: period.to, tz: 'Europe/Berlin', ...filter.query };
        const label = `${period.name}, ${filter.name}`;
        dashboard[label] = await measureLatency(async () => {
          await reportSummary(ctx, query);
          await reportTimeseries(ctx, { ...query, series: 'volume', groupBy: period.groupBy });
          await reportTimeseries(ctx, { ...query, series: 'first_response', groupBy: period.groupBy });
        }, options);
        log(`  ${label}: p95 ${dashboard[label]!.p95.toFixed(1)} ms`);
      }
    }
    // The dashboard's three tables (per agent, team and channel), no filter.
    for (const period of periods) {
      const label = `${period.name}, tables (agents, teams, channels)`;
      const query = { from: period.from, to: period.to, tz: 'Europe/Berlin' };
      dashboard[label] = await measureLatency(async () => {
        for (const by of ['agent', 'team', 'channel'] as const) await reportBreakdown(ctx, query, by);
      }, options);
      log(`  ${label}: p95 ${dashboard[label]!.p95.toFixed(1)} ms`);
    }
    const random = createRandom(7);
    const primaryKey = await measureLatency(() => getConversation(ctx, people.pool[random.int(0, people.pool.length - 1)]!), options);
    const figures = { database: target.store.dialect, conversations: total, facts, seedSeconds, dashboard, primaryKey };
    console.log(`\nReports dashboard (summary + 2 timeseries, Europe/Berlin) on ${target.store.dialect}, ${total.toLocaleString('en')} conversations`);
    console.log('| period, filter | p50 ms | p95 ms | p99 ms | samples |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const [label, latency] of Object.entries(dashboard)) {
      console.log(
        `| ${label} | ${latency.p50.toFixed(1)} | ${latency.p95.toFixed(1)} | ${latency.p99.toFixed(1)} | ${latency.samples}${latency.budgetExceeded ? ' (time budget)' : ''} |`,
      );
    }
    console.log(`| primary-key lookup | ${primaryKey.p50.toFixed(2)} | ${primaryKey.p95.toFixed(2)} | ${primaryKey.p99.toFixed(2)} | ${primaryKey.samples} |`);
    if (args.json) console.log(JSON.stringify(figures));
  } finally {
    await target.finish(args.keep);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(error.message);
  else console.error(error);
  process.exitCode = 1;
});
