import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsContext, createApiToken, createUser } from '../src/accounts/index.js';
import { openPostgres } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { Live, sleep } from './support/live.js';
import { freePort, type PrivatePostgres, privatePostgresUnavailable, startPrivatePostgres } from './support/private-postgres.js';
import { ROOT } from './support/run.js';

// Issue 13, item 3: a lost PostgreSQL connection must not kill the server. The app runs as
// `onethread serve` in a child process (whether the process survives is the claim) against
// a PostgreSQL cluster of this file's own: its backends are terminated and the cluster is
// restarted, which the shared server other test files use must never see.

const skip = process.env.DATABASE_URL ? privatePostgresUnavailable() : 'this run is on SQLite; the faults are PostgreSQL connection losses';
if (skip) console.log(`[pg-faults] skipped: ${skip}`);

const DB = 'onethread';
const ADMIN = 'admin@example.test';
const LOAD_WRITERS = 8;

type Outcome = { key: string; status: number; code?: string; message?: string; retryAfter?: string | null; messageId?: number; error?: string };

describe.skipIf(skip !== null)('a lost PostgreSQL connection', () => {
  let cluster: PrivatePostgres;
  let server: ChildProcess;
  let output = '';
  let url = '';
  let token = '';
  let dataDir = '';
  let sink: SMTPServer;
  const mails: string[] = [];
  const conversations: number[] = [];
  let live: Live;
  let keyCounter = 0;

  const appUrl = () => `postgres://postgres@127.0.0.1:${cluster.port}/${DB}`;

  async function admin<T extends pg.QueryResultRow>(database: string, text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${cluster.port}/${database}` });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    await admin('postgres', `create database ${DB}`);
    const store = openPostgres(appUrl());
    try {
      await migrateToLatest(store);
      const accounts = accountsContext(store);
      const user = await createUser(accounts, { role: 'admin', email: ADMIN, name: 'Admin', password: 'correct horse 1' });
      token = (await createApiToken(accounts, user.id, 'fault test')).token;
    } finally {
      await store.close();
    }

    // The outbox's proof of life: an account-link mail, sent through this SMTP sink.
    const smtpPort = await freePort();
    sink = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
        stream.on('end', () => {
          mails.push(`To: ${session.envelope.rcptTo.map((r) => r.address).join(', ')}\n${raw}`);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => sink.listen(smtpPort, '127.0.0.1', resolve));

    dataDir = mkdtempSync(path.join(os.tmpdir(), 'onethread-pg-faults-'));
    server = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: appUrl(),
        DATA_DIR: dataDir,
        PORT: '0',
        SUPPORT_ADDRESSES: 'support@example.test',
        SMTP_LISTEN_PORT: 'off',
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        // For Fastify's "Server listening at" line, which tells the port.
        LOG_LEVEL: 'info',
      },
    });
    server.stdout!.on('data', (chunk) => (output += chunk));
    server.stderr!.on('data', (chunk) => (output += chunk));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
      const look = () => {
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      server.stdout!.on('data', look);
      server.on('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
    });

    for (let i = 0; i < 4; i++) {
      const created = await api('POST', '/api/conversations', {
        subject: `Load ${i}`,
        body: 'first',
        customer: { email: `c${i}@example.test`, name: `C ${i}` },
      });
      conversations.push((created.json as { conversation: { id: number } }).conversation.id);
    }
    live = await Live.open(`${url.replace('http', 'ws')}/api/realtime`, { authorization: `Bearer ${token}` });
  }, 60_000);

  afterAll(async () => {
    await live?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
    cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function api(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(url + route, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
      // A request the fault leaves hanging is a failure as much as a 500.
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, any>) : null };
  }

  async function write(key: string, conversationId: number): Promise<Outcome> {
    try {
      const { status, headers, json } = await api('POST', `/api/conversations/${conversationId}/messages`, { body: `load ${key}` }, { 'idempotency-key': key });
      return { key, status, code: json?.error?.code, message: json?.error?.message, retryAfter: headers.get('retry-after'), messageId: json?.message?.id };
    } catch (error) {
      return { key, status: 0, error: String(error) };
    }
  }

  /** Writes from several clients at once, from before `fault` until well after it; every request gets a fresh idempotency key. */
  async function underLoad(label: string, fault: () => Promise<void>): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const acknowledged = () => outcomes.filter((o) => o.status === 201).length;
    let done = false;
    const writer = async (n: number) => {
      while (!done) {
        const key = `${label}-${n}-${++keyCounter}`;
        outcomes.push(await write(key, conversations[keyCounter % conversations.length]!));
      }
    };
    const writers = Array.from({ length: LOAD_WRITERS }, (_, n) => writer(n));
    try {
      await within(10_000, async () => (acknowledged() >= 20 ? true : null), 'the load getting going');
      await fault();
      const after = acknowledged();
      await within(10_000, async () => (acknowledged() >= after + 20 ? true : null), 'writes acknowledged after the fault');
    } finally {
      done = true;
      await Promise.all(writers);
    }
    return outcomes;
  }

  /** Terminates the app's backends, as a failover or pgbouncer restart would; returns how many were inside a transaction. */
  async function terminateBackends(): Promise<{ all: number; inTransaction: number }> {
    const rows = await admin<{ busy: boolean; done: boolean }>(
      'postgres',
      'select xact_start is not null as busy, pg_terminate_backend(pid) as done from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [DB],
    );
    return { all: rows.filter((r) => r.done).length, inTransaction: rows.filter((r) => r.done && r.busy).length };
  }

  async function within<T>(ms: number, attempt: () => Promise<T | null>, what: string): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const result = await attempt().catch(() => null);
      if (result !== null) return result;
      if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms; server output:\n${output.slice(-4000)}`);
      await sleep(100);
    }
  }

  /** What the clients of a write load saw, against what the database holds and the live stream sent. */
  async function expectLoadHonoured(label: string, outcomes: Outcome[]): Promise<void> {
    // Every answer was an acknowledgement or a 503 the client may retry: no 500, no hang, no reset.
    const unexpected = outcomes.filter((o) => o.status !== 201 && o.status !== 503);
    expect(unexpected, JSON.stringify(unexpected.slice(0, 5))).toEqual([]);
    for (const refused of outcomes.filter((o) => o.status === 503)) {
      expect(refused.code).toBe('unavailable');
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    }
    expect(outcomes.filter((o) => o.status === 201).length).toBeGreaterThanOrEqual(40);

    // Every acknowledged write is stored exactly once, as acknowledged; no write is doubled.
    const stored = await admin<{ externalKey: string; ids: number[] }>(
      DB,
      `select "externalKey", array_agg(id order by id) as ids from messages where "externalKey" like $1 group by "externalKey"`,
      [`http:%:${label}-%`],
    );
    const byKey = new Map(stored.map((row) => [row.externalKey.replace(/^http:\d+:/, ''), row.ids.map(Number)]));
    for (const [key, ids] of byKey) expect(ids, key).toHaveLength(1);
    for (const acknowledged of outcomes.filter((o) => o.status === 201))
      expect(byKey.get(acknowledged.key), acknowledged.key).toEqual([acknowledged.messageId]);

    // A refused write may or may not have committed (a broken COMMIT cannot be known): the
    // client's retry with the same key lands it exactly once either way.
    for (const refused of outcomes.filter((o) => o.status === 503)) {
      const retried = await write(refused.key, conversations[0]!);
      expect([200, 201]).toContain(retried.status);
      if (byKey.has(refused.key)) expect(retried.status, `${refused.key} had committed`).toBe(200);
    }

    // The live stream sent every acknowledged message, each once, on the socket opened before the fault.
    const acknowledged = outcomes.filter((o) => o.status === 201).map((o) => o.messageId!);
    await within(5_000, async () => (acknowledged.every((id) => sentLive().includes(id)) ? true : null), 'every acknowledged message on the live stream');
    expect(new Set(sentLive()).size).toBe(sentLive().length);
  }

  const sentLive = () =>
    live
      .events()
      .filter((f) => f.type === 'message.created')
      .map((f) => f.data.message.id as number);

  /** Everything the issue asks of the server once the database is back: alive, answering within seconds, live stream and outbox resumed. */
  async function expectServing(label: string): Promise<void> {
    expect(server.exitCode, `the server exited:\n${output.slice(-4000)}`).toBeNull();
    expect(server.signalCode).toBeNull();

    const started = Date.now();
    await within(5_000, async () => ((await api('GET', '/api/health')).status === 200 ? true : null), 'health 200');
    const fresh = await within(
      5_000,
      async () => {
        const outcome = await write(`${label}-after`, conversations[0]!);
        return outcome.status === 201 ? outcome : null;
      },
      'a write after the fault',
    );
    expect(Date.now() - started).toBeLessThan(5_000);

    // The socket opened before the fault is still open and gets the new event.
    await live.waitFor((f) => f.type === 'message.created' && f.data.message.id === fresh.messageId, 5_000);
    expect(live.closedWith).toBeNull();

    // A job queued now runs: the reset link is mailed.
    const before = mails.length;
    expect((await api('POST', '/api/auth/password-reset', { email: ADMIN })).status).toBe(202);
    await within(5_000, async () => (mails.length > before ? true : null), 'the outbox job queued after the fault');
    expect(mails.at(-1)).toContain(`To: ${ADMIN}`);

    // …and it got there by the fixes, not by the process-wide safety net in cli.ts.
    expect(output).not.toContain('carrying on');
  }

  it('survives backends terminated mid-transaction under a write load', async () => {
    let hits = { all: 0, inTransaction: 0 };
    const outcomes = await underLoad('terminate', async () => {
      // Until three rounds have caught a transaction in flight (a handful of tries under this load).
      for (let round = 0, caught = 0; caught < 3 && round < 30; round++) {
        const hit = await terminateBackends();
        hits = { all: hits.all + hit.all, inTransaction: hits.inTransaction + hit.inTransaction };
        if (hit.inTransaction > 0) caught++;
        await sleep(150);
      }
    });
    expect(hits.inTransaction, `backends terminated: ${JSON.stringify(hits)}`).toBeGreaterThanOrEqual(3);
    await expectServing('terminate');
    await expectLoadHonoured('terminate', outcomes);
  });

  it('a connection cut during COMMIT answers 503 "may or may not have been saved" and is not run again', async () => {
    // A deferred trigger makes COMMIT itself take a while, so the cut lands inside it.
    await admin(DB, `create function slow_commit() returns trigger language plpgsql as $$ begin perform pg_sleep(2); return null; end $$`);
    await admin(DB, `create constraint trigger slow_commit after insert on messages deferrable initially deferred for each row execute function slow_commit()`);
    try {
      const pending = write('commit-cut', conversations[0]!);
      const [cut] = await within(
        5_000,
        async () => {
          const rows = await admin<{ pid: number }>(
            'postgres',
            `select pid from pg_stat_activity where datname = $1 and state = 'active' and query ilike 'commit%'`,
            [DB],
          );
          return rows.length > 0 ? rows : null;
        },
        'a COMMIT in progress',
      );
      await admin('postgres', 'select pg_terminate_backend($1)', [cut!.pid]);
      const answer = await pending;
      expect(answer).toMatchObject({ status: 503, code: 'unavailable' });
      expect(answer.message).toMatch(/may or may not have been saved/);
    } finally {
      await admin(DB, 'drop trigger slow_commit on messages; drop function slow_commit()');
    }
    // Cut inside COMMIT, this one did not commit; the server did not run it again on its own.
    const stored = await admin(DB, `select id from messages where "externalKey" like '%:commit-cut'`);
    expect(stored).toEqual([]);
    const retried = await write('commit-cut', conversations[0]!);
    expect(retried.status).toBe(201);
    expect(await admin(DB, `select id from messages where "externalKey" like '%:commit-cut'`)).toHaveLength(1);
  });

  it('survives PostgreSQL restarting under a write load', async () => {
    const outcomes = await underLoad('restart', () => cluster.restart());
    await expectServing('restart');
    await expectLoadHonoured('restart', outcomes);
  });

  it('answers 503 at once while PostgreSQL is down, and serves again when it is back', async () => {
    await cluster.halt();
    try {
      const health = await api('GET', '/api/health');
      expect(health.status).toBe(503);
      expect(health.headers.get('retry-after')).toBeTruthy();
      const started = Date.now();
      const refused = await write('down-1', conversations[0]!);
      expect(refused).toMatchObject({ status: 503, code: 'unavailable' });
      const read = await api('GET', '/api/conversations');
      expect(read.status).toBe(503);
      expect(read.json).toMatchObject({ error: { code: 'unavailable' } });
      // The write waits out a short reconnect budget, then answers: no hang.
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      await cluster.start();
    }
    await expectServing('down');
  });
});
