import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { accountsContext, createApiToken, createSession } from '../src/accounts/index.js';
import { registerWebApp } from '../src/http/web-app.js';
import type { Store } from '../src/store/database.js';
import { type Instance, startInstance } from './http.js';
import { loadInbox } from './load.js';
import { openTarget, UsageError, wholeNumber } from './target.js';
import { createVocabulary } from './vocabulary.js';
import { chromiumPath, launchChromium } from './web-browser.js';
import { buildWebApp, weighBundle } from './web-bundle.js';
import { measureLive } from './web-live.js';
import { measurePaint } from './web-paint.js';
import { printWebReport, type WebBenchResult } from './web-report.js';

// `npm run bench:web [-- options]`: the admin inbox as an agent meets it. Builds the web
// app, weighs the JavaScript its page loads, loads a generated inbox, serves both with
// the real server and measures in Chromium the first paint and how fast a customer's
// message reaches agents' open lists. See bench/README.md.

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '100000' },
    messages: { type: 'string', default: '10' },
    samples: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '2' },
    'live-messages': { type: 'string', default: '100' },
    seed: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '2000' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const HELP = `npm run bench:web -- [options]
  --conversations N   conversations to load (default 100000)
  --messages M        messages per conversation (default 10)
  --samples S         page loads timed of each of the inbox and the trivial page (default 30)
  --warmup W          untimed page loads of each first (default 2)
  --live-messages N   customer messages posted one after another for the live latency (default 100)
  --seed X            data generator seed (default 1)
  --batch-size B      conversations per load transaction (default 2000)
  --data-dir DIR      SQLite: put the database here instead of a temp dir
  --keep              keep the database afterwards (prints where)
  --reuse             measure an existing bench database (--data-dir, or DATABASE_URL naming it) without loading
  --json              also print all figures as one JSON object on the last line
Chromium: /usr/bin/chromium, or CHROMIUM_PATH. PostgreSQL: set DATABASE_URL; the bench creates and drops onethread_bench_<random> there.`;

const count = (name: keyof typeof args) => wholeNumber(name, args[name]);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The smallest page a browser paints: what the server and Chromium cost before any app. */
const TRIVIAL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Onethread</title></head>
<body><h1>Onethread</h1><p>A page with nothing to load.</p></body></html>
`;
const TRIVIAL_PATH = '/bench-trivial-page';
/** Live messages posted untimed first: the first frames warm up the socket, the cache code and the JIT. */
const LIVE_WARMUP = 5;

/** API tokens of a few seeded customers, who write the live messages. */
async function customerTokens(store: Store, count: number): Promise<string[]> {
  const customers = await store.db.selectFrom('users').select('id').where('role', '=', 'customer').orderBy('id').limit(count).execute();
  if (customers.length === 0) throw new UsageError('the bench database has no customers; run without --reuse to load it');
  const accounts = accountsContext(store);
  return Promise.all(customers.map(async (c) => (await createApiToken(accounts, Number(c.id), 'web bench')).token));
}

async function main(): Promise<void> {
  if (args.help) return console.log(HELP);
  const size = { conversations: count('conversations'), messages: count('messages'), batchSize: count('batch-size') };
  if (size.conversations < 1 || size.messages < 1 || size.batchSize < 1)
    throw new UsageError('--conversations, --messages and --batch-size must be at least 1');
  const sampling = { samples: count('samples'), warmup: count('warmup') };
  if (sampling.samples < 1) throw new UsageError('--samples must be at least 1');
  const liveMessages = count('live-messages');
  if (liveMessages < 1) throw new UsageError('--live-messages must be at least 1');
  const seed = count('seed');
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new UsageError(
      `Chromium not found at ${process.env.CHROMIUM_PATH || '/usr/bin/chromium'}: apt-get install -y chromium, or set CHROMIUM_PATH=/path/to/chromium`,
    );

  log('building the web app (vite, production)…');
  const webRoot = await buildWebApp();
  let target: Awaited<ReturnType<typeof openTarget>> | null = null;
  let instance: Instance | null = null;
  let browser: Browser | null = null;
  try {
    const bundle = weighBundle(webRoot);
    log(`  admin page JavaScript: ${(bundle.admin.gzipBytes / 1000).toFixed(1)} kB gzipped in ${bundle.admin.js.length} file(s)`);

    target = await openTarget({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: args['data-dir'], reuse: args.reuse });
    const { store } = target;
    log(`database: ${target.description}`);
    if (!args.reuse) {
      log(`loading ${size.conversations.toLocaleString('en')} conversations × ${size.messages} messages…`);
      const load = await loadInbox(store, { ...size, seed, now: Date.now(), vocabulary: createVocabulary() }, log);
      log(`loaded in ${load.seconds.toFixed(1)} s`);
    }
    const agents = await store.db.selectFrom('users').select('id').where('role', '=', 'agent').orderBy('id').limit(2).execute();
    if (agents.length < 2) throw new UsageError('the bench database needs two agents; run without --reuse to load it');
    const totals = await store.db
      .selectFrom('conversations')
      .select((eb) => [eb.fn.countAll<number>().as('conversations'), eb.fn.sum<number>('messageCount').as('messages')])
      .executeTakeFirstOrThrow();
    const accounts = accountsContext(store);
    // Sessions as a sign-in would make them: the seeded agents have no password.
    const sessions = await Promise.all(agents.map(async (a) => (await createSession(accounts, Number(a.id), 24 * 3_600_000)).token));
    const customers = await customerTokens(store, 20);

    instance = await startInstance(store, async (app) => {
      app.get(TRIVIAL_PATH, { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(TRIVIAL_PAGE));
      await registerWebApp(app, { root: webRoot });
    });
    const urls = { inbox: `${instance.http}/inbox/open`, baseline: `${instance.http}${TRIVIAL_PATH}` };
    browser = await launchChromium(executablePath);
    log(`Chromium ${browser.version()}: first paint, ${sampling.samples} samples of each page in fresh contexts…`);
    const paint = await measurePaint(browser, urls, sessions[0]!, sampling, log);
    log(
      `  inbox FCP p50 ${paint.inboxFcp.p50.toFixed(0)} ms, first row p50 ${paint.firstRow.p50.toFixed(0)} ms, trivial page FCP p50 ${paint.baselineFcp.p50.toFixed(0)} ms`,
    );
    log(`live: ${liveMessages} customer messages, watched in ${sessions.length} agents' open lists…`);
    const live = await measureLive(browser, { inboxUrl: urls.inbox, sessions, customerTokens: customers, messages: liveMessages, warmup: LIVE_WARMUP }, log);
    log(`  p50 ${live.latency.p50.toFixed(0)} ms, p95 ${live.latency.p95.toFixed(0)} ms (${live.missed} missed)`);

    const result: WebBenchResult = {
      database: store.dialect,
      location: target.description,
      conversations: Number(totals.conversations),
      messages: Number(totals.messages),
      targets: { adminGzipBytes: 250_000, fcpP95Ms: 1000, liveP95Ms: 200 },
      bundle,
      paint,
      live,
    };
    printWebReport(result, (line) => console.log(line));
    if (args.keep) console.log(`\nkept: ${target.description}`);
    if (args.json) console.log(JSON.stringify(result));
  } finally {
    await browser?.close();
    await instance?.app.close();
    // A reused database was there before the run and stays.
    await target?.finish(args.keep || args.reuse);
    rmSync(webRoot, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `bench:web: ${error.message}` : error);
  process.exitCode = 1;
});
