import { parseArgs } from 'node:util';
import { EventBus } from '../src/inbox/bus.js';
import { createInboxContext } from '../src/inbox/context.js';
import type { Store } from '../src/store/database.js';
import { measureAssignment } from './assignment-writes.js';
import { TEAMS } from './generate.js';
import { type HttpFigures, measureHttp } from './http.js';
import { type LoadFigures, loadInbox } from './load.js';
import { type BenchResult, printReport } from './report.js';
import { openTarget, UsageError, wholeNumber } from './target.js';
import { verifyConsistency } from './verify.js';
import { extraViews, loadedTeams, measureDeepPage, measurePrimaryKey, measureSearch, measureViews, type Population, requiredViews } from './views.js';
import { createVocabulary } from './vocabulary.js';
import { measureWrites } from './writes.js';

// `npm run bench [-- options]`: loads a generated inbox into a database of its own,
// then measures the inbox views, search, addMessage and what an assignment rule adds to
// createConversation. See bench/README.md.

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '100000' },
    messages: { type: 'string', default: '10' },
    samples: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    'budget-seconds': { type: 'string', default: '60' },
    'deep-pages': { type: 'string', default: '1000' },
    writes: { type: 'string', default: '5000' },
    creates: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '2000' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    'skip-extra': { type: 'boolean', default: false },
    'skip-http': { type: 'boolean', default: false },
    'http-seconds': { type: 'string', default: '5' },
    sockets: { type: 'string', default: '1000' },
    'live-messages': { type: 'string', default: '200' },
    verify: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const HELP = `npm run bench -- [options]
  --conversations N   conversations to load (default 100000)
  --messages M        messages per conversation (default 10)
  --samples S         timed samples per view and search (default 300, at least 200 advised)
  --warmup W          untimed runs before each measurement (default 30)
  --budget-seconds T  stop one measurement after T seconds with fewer samples, flagged (default 60)
  --deep-pages P      how deep the deep page is, in pages of 50 (default 1000)
  --writes K          addMessage calls and raw inserts each (default 5000)
  --creates K         createConversation calls with a round-robin rule and without one, each (default 2000)
  --seed X            data generator seed (default 1)
  --batch-size B      conversations per load transaction (default 2000)
  --data-dir DIR      SQLite: put the database here instead of a temp dir
  --keep              keep the database afterwards (prints where)
  --reuse             measure an existing bench database (--data-dir, or DATABASE_URL naming it) without loading
  --skip-extra        only the views the targets are about
  --skip-http         skip the HTTP figures (POST throughput vs a bare route, WebSocket delivery latency)
  --http-seconds T    seconds of load on each of the bare route and POST …/messages, in two alternating whole-second rounds (default 5)
  --sockets N         agent WebSockets connected for the delivery latency (default 1000)
  --live-messages N   messages posted one after another for the delivery latency (default 200)
  --verify            recompute counters, tag rows, message counts and FTS after the load and after the writes
  --json              also print all figures as one JSON object on the last line
PostgreSQL: set DATABASE_URL to a server; the bench creates and drops onethread_bench_<random> there.`;

const count = (name: keyof typeof args) => wholeNumber(name, args[name]);

// Progress goes to stderr so stdout holds only the report (and the JSON line).
const log = (line: string) => process.stderr.write(`${line}\n`);

async function population(store: Store): Promise<Population & { adminId: number; conversations: number; messages: number }> {
  const agents = await store.db.selectFrom('users').select('id').where('role', '=', 'agent').orderBy('id').execute();
  const admin = await store.db.selectFrom('users').select('id').where('role', '=', 'admin').orderBy('id').executeTakeFirst();
  const range = await store.db
    .selectFrom('conversations')
    .select((eb) => [eb.fn.min<number>('id').as('minId'), eb.fn.max<number>('id').as('maxId'), eb.fn.countAll<number>().as('n')])
    .executeTakeFirstOrThrow();
  const messages = await store.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (agents.length === 0 || Number(range.n) === 0) throw new UsageError('the bench database is empty; run without --reuse to load it');
  if (!admin) throw new UsageError('the bench database has no admin (loaded before teams existed); run without --reuse to load it again');
  return {
    adminId: Number(admin.id),
    agentIds: agents.map((a) => Number(a.id)),
    teams: await loadedTeams(
      store,
      TEAMS.map((t) => t.name),
    ),
    minId: Number(range.minId),
    maxId: Number(range.maxId),
    conversations: Number(range.n),
    messages: Number(messages.n),
  };
}

async function verify(store: Store, when: string): Promise<void> {
  const problems = await verifyConsistency(store);
  if (problems.length > 0) throw new Error(`inconsistent database ${when}:\n  ${problems.slice(0, 20).join('\n  ')}`);
  log(`verified ${when}: counters, tag rows, message counts and search index agree`);
}

async function main(): Promise<void> {
  if (args.help) return console.log(HELP);
  // Every number is checked before a database is created for it.
  const sampling = { samples: count('samples'), warmup: count('warmup'), budgetSeconds: count('budget-seconds') };
  const seed = count('seed');
  const size = { conversations: count('conversations'), messages: count('messages'), batchSize: count('batch-size') };
  if (size.conversations < 1 || size.messages < 1 || size.batchSize < 1)
    throw new UsageError('--conversations, --messages and --batch-size must be at least 1');
  if (sampling.samples < 1) throw new UsageError('--samples must be at least 1');
  const deepPages = count('deep-pages');
  const writeCount = count('writes');
  const createCount = count('creates');
  const httpOptions = { seconds: count('http-seconds'), connections: 10, sockets: count('sockets'), messages: count('live-messages') };
  if (httpOptions.seconds < 1) throw new UsageError('--http-seconds must be at least 1');
  const vocabulary = createVocabulary();
  const target = await openTarget({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: args['data-dir'], reuse: args.reuse });
  const { store } = target;
  log(`database: ${target.description}`);
  try {
    let load: LoadFigures | null = null;
    if (!args.reuse) {
      log(`loading ${size.conversations.toLocaleString('en')} conversations × ${size.messages} messages…`);
      load = await loadInbox(store, { ...size, seed, now: Date.now(), vocabulary }, log);
      log(`loaded in ${load.seconds.toFixed(1)} s`);
    }
    if (args.verify) await verify(store, 'after the load');
    const people = await population(store);
    const ctx = createInboxContext({ store, bus: new EventBus() });

    log('measuring reads…');
    const primaryKeyLookup = await measurePrimaryKey(ctx, people, sampling);
    const views: BenchResult['views'] = await measureViews(ctx, requiredViews(people), primaryKeyLookup, sampling, log);
    views.deepPage = await measureDeepPage(ctx, deepPages, people.agentIds[0]!, primaryKeyLookup, sampling);
    log(`  deepPage: p95 ${views.deepPage.p95.toFixed(2)} ms at ${views.deepPage.depth} pages`);
    const extra = args['skip-extra'] ? {} : await measureViews(ctx, extraViews(people), primaryKeyLookup, sampling, log);
    const search = {
      rare: await measureSearch(ctx, vocabulary.rare, sampling),
      medium: await measureSearch(ctx, vocabulary.medium, sampling),
      common: await measureSearch(ctx, vocabulary.common, sampling),
    };
    log(`  search: rare p95 ${search.rare.p95.toFixed(2)} ms, medium p95 ${search.medium.p95.toFixed(2)} ms, common p95 ${search.common.p95.toFixed(2)} ms`);

    log('measuring writes…');
    const writes = await measureWrites(ctx, people, vocabulary, { operations: writeCount, rounds: 10 });
    const assignment = await measureAssignment(ctx, people, vocabulary, { operations: createCount, rounds: 10 });
    log(`  createConversation: round robin ${assignment.costRatio.toFixed(2)}× the time without a rule`);
    let http: HttpFigures | null = null;
    if (!args['skip-http']) {
      http = await measureHttp(store, people, httpOptions, log);
    }
    if (args.verify) await verify(store, 'after the writes');

    const result: BenchResult = {
      database: store.dialect,
      location: target.description,
      conversations: people.conversations,
      messages: people.messages,
      seed,
      load,
      targets: {
        listP95Ms: store.dialect === 'sqlite' ? 5 : 10,
        searchP95Ms: 50,
        addMessageRatio: 0.2,
        assignmentCostRatio: 1.25,
        httpPostRatio: 0.35,
        liveP99Ms: 50,
        liveCrossInstanceP99Ms: 100,
      },
      baseline: { primaryKeyLookup },
      views,
      extraViews: extra,
      search,
      writes,
      assignment,
      http,
    };
    printReport(result, (line) => console.log(line));
    if (args.keep) console.log(`\nkept: ${target.description}`);
    if (args.json) console.log(JSON.stringify(result));
  } finally {
    // A reused database was there before the run and stays.
    await target.finish(args.keep || args.reuse);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `bench: ${error.message}` : error);
  process.exitCode = 1;
});
