import os from 'node:os';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { accountsContext, createApiToken } from '../src/accounts/index.js';
import { composeApp } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import type { ZodApp } from '../src/http/server.js';
import { openPostgres, type Store } from '../src/store/database.js';
import { type Latency, summarize } from './measure.js';
import { startSocketClients } from './socket-clients.js';
import { epochNow } from './threads.js';
import type { Population } from './views.js';

// The HTTP figures: POST /api/conversations/:id/messages over real sockets against a bare
// Fastify route measured the same way in the same run, and how long a new message takes
// from the POST to every connected agent's WebSocket. Load generator and servers share
// this process; the sockets' clients run on a worker thread (socket-clients.ts).

export type RateFigures = { requests: number; non2xx: number; errors: number; seconds: number; perSecond: number; latencyP50: number; latencyP99: number };

export type DeliveryFigures = {
  sockets: number;
  messages: number;
  /** (message, socket) deliveries timed; `missed` never arrived within the wait. */
  deliveries: number;
  missed: number;
  /** Seconds to connect every socket and see its 'ready' frame. */
  connectSeconds: number;
  latency: Latency;
};

export type HttpFigures = {
  connections: number;
  bare: RateFigures;
  post: RateFigures;
  /** post.perSecond / bare.perSecond */
  ratio: number;
  websocket: DeliveryFigures & { crossInstance?: DeliveryFigures };
};

export type HttpOptions = { seconds: number; connections: number; sockets: number; messages: number };

export type Instance = { app: ZodApp; http: string; ws: string };

/**
 * The real server, composed as the app composes it (src/compose.ts), on a free port of
 * 127.0.0.1; `extend` registers more before it listens (the web bench adds the web app).
 */
export async function startInstance(store: Store, extend?: (app: ZodApp) => Promise<void>): Promise<Instance> {
  const config = loadConfig({ DATA_DIR: os.tmpdir(), PORT: '0' }, '');
  const composed = await composeApp(config, {
    store,
    logger: false,
    host: '127.0.0.1',
    secureCookies: false,
    attachmentsDir: null,
    webApp: false,
    worker: { run: false },
  });
  await extend?.(composed.server);
  const http = await composed.start();
  return { app: composed.server, http, ws: `${http.replace(/^http/, 'ws')}/api/realtime` };
}

const pick = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

async function cannon(url: string, options: Omit<autocannon.Options, 'url'>): Promise<RateFigures> {
  const result = await autocannon({ url, ...options });
  const ok = result['2xx'];
  return {
    requests: ok,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
    perSecond: ok / result.duration,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
  };
}

export async function measureHttp(store: Store, people: Population, options: HttpOptions, log: (line: string) => void): Promise<HttpFigures> {
  const accounts = accountsContext(store);
  // One API token per seeded agent: the POSTs and the sockets are the agents'.
  const tokens = await Promise.all(people.agentIds.map(async (id) => (await createApiToken(accounts, id, 'bench')).token));
  const a = await startInstance(store);
  const bare = Fastify();
  bare.post('/bare', async () => ({ ok: true }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/bare`;
  try {
    // Both routes get the same requests: a JSON body, a bearer token, 10 connections.
    let n = 0;
    const base = {
      connections: options.connections,
      method: 'POST' as const,
      headers: { authorization: `Bearer ${tokens[0]!}`, 'content-type': 'application/json' },
    };
    const body = () => JSON.stringify({ body: `bench http reply ${++n}` });
    const requests = (path: (() => string) | null) => [
      { setupRequest: (req: autocannon.Request) => ({ ...req, ...(path ? { path: path() } : {}), body: body() }) },
    ];
    const postPath = () => `/api/conversations/${pick(people.minId, people.maxId)}/messages`;
    // autocannon counts whole seconds: two alternating rounds of half the time each.
    const half = Math.max(1, Math.round(options.seconds / 2));
    log(`measuring HTTP: bare route vs POST …/messages, ${options.connections} connections, 2 × ${half} s each…`);
    // A short untimed run of each warms up the JIT, statement caches and connections.
    await cannon(bareUrl, { ...base, duration: 1, requests: requests(null) });
    await cannon(`${a.http}/api/conversations/1/messages`, { ...base, duration: 1, requests: requests(postPath) });
    // Two alternating rounds of each, so a noisy neighbour slows both about alike.
    const bareRuns = [] as RateFigures[];
    const postRuns = [] as RateFigures[];
    for (let round = 0; round < 2; round++) {
      const runBare = () => cannon(bareUrl, { ...base, duration: half, requests: requests(null) }).then((r) => bareRuns.push(r));
      const runPost = () =>
        cannon(`${a.http}/api/conversations/1/messages`, { ...base, duration: half, requests: requests(postPath) }).then((r) => postRuns.push(r));
      if (round === 0) await runBare(), await runPost();
      else await runPost(), await runBare();
    }
    const bareFigures = combine(bareRuns);
    const postFigures = combine(postRuns);
    log(`  bare ${Math.round(bareFigures.perSecond)} /s, POST ${Math.round(postFigures.perSecond)} /s (${postFigures.non2xx} non-2xx)`);

    log(`measuring live delivery: ${options.sockets} sockets, ${options.messages} messages…`);
    const single = await measureDelivery({ post: a, listen: a }, tokens, people, options);
    log(`  one instance: p50 ${single.latency.p50.toFixed(1)} ms, p99 ${single.latency.p99.toFixed(1)} ms (${single.missed} missed)`);
    let crossInstance: DeliveryFigures | undefined;
    if (store.dialect === 'postgres' && store.connectionString) {
      // A second instance on the same database: sockets on B, posts on A, the wake-up by NOTIFY.
      const storeB = openPostgres(store.connectionString);
      const b = await startInstance(storeB);
      try {
        crossInstance = await measureDelivery({ post: a, listen: b }, tokens, people, options);
        log(
          `  across two instances: p50 ${crossInstance.latency.p50.toFixed(1)} ms, p99 ${crossInstance.latency.p99.toFixed(1)} ms (${crossInstance.missed} missed)`,
        );
      } finally {
        await b.app.close();
        await storeB.close();
      }
    }
    return {
      connections: options.connections,
      bare: bareFigures,
      post: postFigures,
      ratio: postFigures.perSecond / bareFigures.perSecond,
      websocket: { ...single, ...(crossInstance ? { crossInstance } : {}) },
    };
  } finally {
    await bare.close();
    await a.app.close();
  }
}

function combine(runs: RateFigures[]): RateFigures {
  const sum = (f: (r: RateFigures) => number) => runs.reduce((s, r) => s + f(r), 0);
  const requests = sum((r) => r.requests);
  const seconds = sum((r) => r.seconds);
  return {
    requests,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    seconds,
    perSecond: requests / seconds,
    // Per-run percentiles cannot be merged exactly; the worse of the runs is reported.
    latencyP50: Math.max(...runs.map((r) => r.latencyP50)),
    latencyP99: Math.max(...runs.map((r) => r.latencyP99)),
  };
}

/**
 * Connects `sockets` agent sockets to `listen` (each waits for its 'ready' frame), then
 * posts `messages` messages to `post` one after another; for each, the time from just
 * before the POST to each socket's receipt of its message.created frame.
 */
async function measureDelivery(on: { post: Instance; listen: Instance }, tokens: string[], people: Population, options: HttpOptions): Promise<DeliveryFigures> {
  const clients = await startSocketClients(on.listen.ws, tokens, options.sockets);
  try {
    const latencies: number[] = [];
    let missed = 0;
    const runId = Math.random().toString(36).slice(2, 8);
    for (let i = 0; i < options.messages; i++) {
      const body = `bench live ${runId} ${i}`;
      const conversation = pick(people.minId, people.maxId);
      const receipts = clients.receipts(body, 5000);
      const at = epochNow();
      const response = await fetch(`${on.post.http}/api/conversations/${conversation}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[i % tokens.length]!}`, 'content-type': 'application/json' },
        body: JSON.stringify({ body }),
      });
      if (response.status >= 300) throw new Error(`POST …/messages answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      const times = await receipts;
      for (const t of times) latencies.push(t - at);
      missed += clients.count - times.length;
    }
    return {
      sockets: clients.count,
      messages: options.messages,
      deliveries: latencies.length,
      missed,
      connectSeconds: clients.connectSeconds,
      latency: summarize(latencies),
    };
  } finally {
    await clients.close();
  }
}
