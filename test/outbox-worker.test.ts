import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SideEffectPlanner } from '../src/inbox/context.js';
import { retryDelay } from '../src/jobs/backoff.js';
import { createOutboxWorker, type JobHandler, type OutboxJob, type OutboxWorkerOptions } from '../src/jobs/outbox-worker.js';
import { openPostgres, type Store } from '../src/store/database.js';
import { claimDueJobs, enqueueJobs, findJob, type NewJob } from '../src/store/outbox.js';
import { transact } from '../src/store/transaction.js';
import { drain } from './support/drain.js';
import { makeConversation, useTestInbox } from './support/inbox.js';
import { makeTestStore } from './support/store.js';

const T0 = Date.UTC(2026, 0, 1);
const quiet = () => {};

function fakeClock() {
  const clock = { now: T0, read: () => clock.now };
  return clock;
}

function enqueue(store: Store, jobs: Array<Partial<NewJob> & { idempotencyKey: string }>, now = T0) {
  const full = jobs.map((job) => ({ kind: 'test', payload: {}, runAt: now, ...job }));
  return transact(store, (tx) => enqueueJobs(tx, full, now));
}

const job = async (store: Store, key: string) => (await findJob(store.db, key))!;

/** A handler that records every call, and fails while `failing` says so. */
function recorder(failing: (call: number) => Error | null = () => null) {
  const calls: Array<{ payload: unknown; job: OutboxJob }> = [];
  const handler: JobHandler = async (payload, job) => {
    calls.push({ payload, job });
    const error = failing(calls.length);
    if (error) throw error;
  };
  return { calls, handler };
}

/** A handler that waits until the test lets it finish, or fail. */
function gate() {
  let entered!: () => void;
  let release!: (error?: Error) => void;
  const started = new Promise<void>((resolve) => (entered = resolve));
  const finished = new Promise<Error | undefined>((resolve) => (release = resolve));
  const handler: JobHandler = async () => {
    entered();
    const error = await finished;
    if (error) throw error;
  };
  return { handler, started, release };
}

describe('outbox worker', () => {
  let store: Store;
  let clock: ReturnType<typeof fakeClock>;
  const worker = (handlers: OutboxWorkerOptions['handlers'], options: Partial<OutboxWorkerOptions> = {}) =>
    createOutboxWorker({ store, handlers, clock: clock.read, log: quiet, ...options });

  beforeEach(async () => {
    store = await makeTestStore();
    clock = fakeClock();
  });
  afterEach(async () => {
    await store.close();
  });

  it('runs a queued job once, with its payload and idempotency key, and marks it done', async () => {
    const { calls, handler } = recorder();
    await enqueue(store, [{ kind: 'mail', payload: { to: 'casey@example.test' }, idempotencyKey: 'mail:1' }]);
    const w = worker({ mail: handler });

    expect(await w.runOnce()).toBe(1);
    expect(calls).toEqual([{ payload: { to: 'casey@example.test' }, job: expect.objectContaining({ kind: 'mail', idempotencyKey: 'mail:1', attempts: 1 }) }]);
    expect(await job(store, 'mail:1')).toMatchObject({ doneAt: T0, lockedUntil: null, lastError: null, failedAt: null });

    clock.now += 86_400_000;
    expect(await w.runOnce()).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it("drops a secret job's payload once it is done or failed for good, handler or not, and keeps every other payload", async () => {
    const sent = recorder();
    const refused = recorder(() => new Error('550 no such user'));
    const plain = recorder();
    await enqueue(store, [
      { kind: 'link', payload: { url: 'https://help.test/reset?token=one' }, idempotencyKey: 'link:sent', secret: true },
      { kind: 'refused', payload: { url: 'https://help.test/reset?token=two' }, idempotencyKey: 'link:refused', secret: true },
      { kind: 'unhandled', payload: { url: 'https://help.test/reset?token=three' }, idempotencyKey: 'link:unhandled', secret: true },
      { kind: 'plain', payload: { to: 'casey@example.test' }, idempotencyKey: 'plain' },
    ]);
    const w = worker({ link: sent.handler, refused: refused.handler, plain: plain.handler }, { maxAttempts: 2, backoff: () => 1_000 });

    expect(await w.runOnce()).toBe(4);
    expect(sent.calls[0]!.payload).toEqual({ url: 'https://help.test/reset?token=one' });
    expect(await job(store, 'link:sent')).toMatchObject({ doneAt: T0, payload: 'null' });
    // A failed attempt is retried with its payload; only the last one lets it go.
    expect(await job(store, 'link:refused')).toMatchObject({ failedAt: null, payload: JSON.stringify({ url: 'https://help.test/reset?token=two' }) });
    clock.now += 1_000;
    expect(await w.runOnce()).toBe(2);
    expect(refused.calls.map((c) => c.payload)).toEqual([{ url: 'https://help.test/reset?token=two' }, { url: 'https://help.test/reset?token=two' }]);
    expect(await job(store, 'link:refused')).toMatchObject({ failedAt: clock.now, lastError: '550 no such user', payload: 'null' });
    // A server without mail has no handler for it: the link still goes when the job gives up.
    expect(await job(store, 'link:unhandled')).toMatchObject({ failedAt: clock.now, lastError: 'no handler for kind unhandled', payload: 'null' });
    expect(await job(store, 'plain')).toMatchObject({ doneAt: T0, payload: JSON.stringify({ to: 'casey@example.test' }) });
  });

  it('does not run a job before its runAt', async () => {
    const { calls, handler } = recorder();
    await enqueue(store, [{ idempotencyKey: 'later', runAt: T0 + 60_000 }]);
    const w = worker({ test: handler });

    clock.now = T0 + 59_999;
    expect(await w.runOnce()).toBe(0);
    clock.now = T0 + 60_000;
    expect(await w.runOnce()).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it('records the error of a failing handler and retries later, each delay longer than the one before', async () => {
    const { calls, handler } = recorder((call) => (call <= 4 ? new Error(`smtp 451 try again (${call}) ${'x'.repeat(5000)}`) : null));
    await enqueue(store, [{ idempotencyKey: 'flaky' }]);
    const w = worker({ test: handler });

    let previousDelay = 0;
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await w.runOnce()).toBe(1);
      const row = await job(store, 'flaky');
      expect(row.attempts).toBe(attempt);
      expect(row.lastError).toMatch(new RegExp(`^smtp 451 try again \\(${attempt}\\)`));
      expect(row.lastError!.length).toBeLessThanOrEqual(2000);
      expect(row).toMatchObject({ lockedUntil: null, doneAt: null, failedAt: null });

      const delay = row.runAt - clock.now;
      const ceiling = 5_000 * 2 ** (attempt - 1);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
      expect(delay).toBeGreaterThan(previousDelay);
      previousDelay = delay;

      clock.now = row.runAt - 1;
      expect(await w.runOnce()).toBe(0);
      clock.now = row.runAt;
    }
    expect(await w.runOnce()).toBe(1);
    expect(calls.map((c) => c.job.attempts)).toEqual([1, 2, 3, 4, 5]);
    expect(await job(store, 'flaky')).toMatchObject({ doneAt: clock.now, lastError: null, failedAt: null });
  });

  it('fails a job for good after maxAttempts and never retries it', async () => {
    const { calls, handler } = recorder(() => new Error('mailbox does not exist'));
    await enqueue(store, [{ idempotencyKey: 'doomed' }]);
    const w = worker({ test: handler }, { maxAttempts: 3, backoff: () => 1_000 });

    for (let i = 0; i < 3; i++) {
      expect(await w.runOnce()).toBe(1);
      clock.now += 1_000;
    }
    expect(await job(store, 'doomed')).toMatchObject({ attempts: 3, failedAt: clock.now - 1_000, lastError: 'mailbox does not exist', doneAt: null });
    // The handler was told which attempt was its last, so it can show the failure where it keeps progress.
    expect(calls.map((c) => c.job.lastAttempt)).toEqual([false, false, true]);

    clock.now += 30 * 86_400_000;
    expect(await w.runOnce()).toBe(0);
    expect(calls).toHaveLength(3);
  });

  it('fails the attempt of a job whose kind has no handler, saying so, and retries it later', async () => {
    await enqueue(store, [
      { kind: 'sms', idempotencyKey: 'sms:1' },
      { kind: 'constructor', idempotencyKey: 'odd:1' },
    ]);
    const w = worker({});

    expect(await w.runOnce()).toBe(2);
    expect(await job(store, 'sms:1')).toMatchObject({ lastError: 'no handler for kind sms', failedAt: null, doneAt: null, attempts: 1 });
    expect(await job(store, 'odd:1')).toMatchObject({ lastError: 'no handler for kind constructor', failedAt: null });
    expect((await job(store, 'sms:1')).runAt).toBeGreaterThan(clock.now);
  });

  it('claims a job again once the lease of the worker that claimed it and died has expired', async () => {
    await enqueue(store, [{ idempotencyKey: 'orphan' }]);
    // The dead worker: it claimed with a one-minute lease and never recorded an outcome.
    const [claimed] = await transact(store, (tx) => claimDueJobs(tx, store, clock.now, clock.now + 60_000, 10));
    expect(claimed?.idempotencyKey).toBe('orphan');

    const { calls, handler } = recorder();
    const w = worker({ test: handler });
    clock.now += 59_999;
    expect(await w.runOnce()).toBe(0);
    clock.now += 1;
    expect(await w.runOnce()).toBe(1);
    expect(calls.map((c) => c.job.attempts)).toEqual([2]);
    expect(await job(store, 'orphan')).toMatchObject({ doneAt: clock.now, lockedUntil: null });
  });

  it('fails a job that never finished in maxAttempts claims instead of claiming it forever', async () => {
    await enqueue(store, [{ idempotencyKey: 'poison' }]);
    for (let i = 0; i < 2; i++) {
      await transact(store, (tx) => claimDueJobs(tx, store, clock.now, clock.now + 1_000, 10));
      clock.now += 1_000;
    }
    const { calls, handler } = recorder();
    const abandoned: { payload: unknown; error: string }[] = [];
    const w = worker(
      { test: Object.assign(handler, { abandon: async (payload: unknown, error: string) => void abandoned.push({ payload, error }) }) },
      { maxAttempts: 2 },
    );

    expect(await w.runOnce()).toBe(1);
    expect(calls).toHaveLength(0);
    const row = await job(store, 'poison');
    expect(row).toMatchObject({ attempts: 3, failedAt: clock.now, doneAt: null });
    expect(row.lastError).toMatch(/gave up after 2 attempts: the last one never finished/);
    // The handler heard it, once, to show the failure where it keeps its progress.
    expect(abandoned).toEqual([{ payload: JSON.parse(row.payload), error: row.lastError }]);
  });

  it('leaves the outcome to the worker that took a job over when the first outlived its lease', async () => {
    await enqueue(store, [{ idempotencyKey: 'slow' }]);
    const slow = gate();
    const first = worker({ test: slow.handler }, { leaseMs: 1_000, maxAttempts: 1 });
    const firstRun = first.runOnce();
    await slow.started;

    clock.now += 1_000;
    const { calls, handler } = recorder();
    expect(await worker({ test: handler }).runOnce()).toBe(1);
    expect(calls).toHaveLength(1);
    const done = await job(store, 'slow');
    expect(done.doneAt).toBe(clock.now);

    // Had it been recorded, this failure (on its last attempt) would fail a job that is done.
    slow.release(new Error('timed out'));
    await firstRun;
    expect(await job(store, 'slow')).toEqual(done);
  });

  it('never runs a job twice when two workers run batches at the same time', async () => {
    const jobs = Array.from({ length: 50 }, (_, i) => ({ idempotencyKey: `race:${i}`, payload: { i } }));
    await enqueue(store, jobs);
    // PostgreSQL: a second pool, as a second instance would have. SQLite: one process
    // shares one connection (a second one would block the event loop on the file lock).
    const other = store.dialect === 'postgres' ? await connectAgain(store) : store;
    const runs = new Map<number, string[]>();
    const handlerFor =
      (name: string): JobHandler =>
      async (payload) => {
        const { i } = payload as { i: number };
        runs.set(i, [...(runs.get(i) ?? []), name]);
        await sleep(Math.random() * 5);
      };

    try {
      const [a, b] = await Promise.all([
        drain(worker({ test: handlerFor('a') }, { batchSize: 5 }), 5),
        drain(createOutboxWorker({ store: other, handlers: { test: handlerFor('b') }, clock: clock.read, log: quiet, batchSize: 5 }), 5),
      ]);
      expect(a + b).toBe(50);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      expect([...runs.values()].filter((by) => by.length !== 1)).toEqual([]);
      expect(runs.size).toBe(50);
      for (const { idempotencyKey } of jobs) expect((await job(store, idempotencyKey)).doneAt).toBe(T0);
    } finally {
      // afterEach waits for these connections to be gone too.
      if (other !== store) await other.db.destroy();
    }
  });

  it('queues one job for an idempotency key, however often it is enqueued', async () => {
    await enqueue(store, [{ idempotencyKey: 'once', payload: { n: 1 } }]);
    await enqueue(store, [{ idempotencyKey: 'once', payload: { n: 2 } }]);
    await enqueue(store, [
      { idempotencyKey: 'once', payload: { n: 3 } },
      { idempotencyKey: 'twice-in-one-batch', payload: { n: 4 } },
      { idempotencyKey: 'twice-in-one-batch', payload: { n: 5 } },
    ]);
    const { calls, handler } = recorder();

    expect(await worker({ test: handler }).runOnce()).toBe(2);
    expect(calls.map((c) => c.payload)).toEqual([{ n: 1 }, { n: 4 }]);
  });

  it('runs jobs in the background when woken, and stop waits for the job in flight', async () => {
    const slow = gate();
    const w = createOutboxWorker({ store, handlers: { test: slow.handler }, log: quiet, pollIntervalMs: 3_600_000 });
    w.start();
    await sleep(20); // the first poll finds nothing; the next is an hour away
    await enqueue(store, [{ idempotencyKey: 'woken' }], Date.now());
    w.wake();
    await slow.started;

    let stopped = false;
    const stopping = w.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);
    slow.release();
    await stopping;
    expect((await job(store, 'woken')).doneAt).not.toBeNull();
  });
});

const databaseName = async (store: Store) => (await sql<{ name: string }>`select current_database() as name`.execute(store.db)).rows[0]!.name;

async function connectAgain(store: Store): Promise<Store> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${await databaseName(store)}`;
  return openPostgres(url.toString());
}

describe('jobs planned by commands', () => {
  // Plans a notification for every new conversation; refuses to plan for an "explode" subject.
  const notifyOnCreate: SideEffectPlanner = (event, conversation) => {
    if (event.eventType !== 'created' || !conversation) return [];
    if (conversation.subject.includes('explode')) throw new Error('planner failed');
    return [{ kind: 'notify', payload: { conversationId: conversation.id }, idempotencyKey: `notify:${event.id}`, runAt: event.createdAt }];
  };
  const inbox = useTestInbox({ sideEffects: [notifyOnCreate] });

  it('delivers a job a command queued through a side-effect planner', async () => {
    const { calls, handler } = recorder();
    const { conversation } = await makeConversation(inbox);
    const w = createOutboxWorker({ store: inbox.store, handlers: { notify: handler }, clock: () => inbox.clock.now, log: quiet });

    expect(await w.runOnce()).toBe(1);
    expect(calls).toEqual([{ payload: { conversationId: conversation.id }, job: expect.objectContaining({ kind: 'notify', attempts: 1 }) }]);
    expect((await findJob(inbox.store.db, calls[0]!.job.idempotencyKey))?.doneAt).not.toBeNull();
  });

  it('queues nothing for a command that fails', async () => {
    await expect(makeConversation(inbox, { subject: 'please explode' })).rejects.toThrow('planner failed');
    const run = vi.fn<JobHandler>(async () => {});
    const w = createOutboxWorker({ store: inbox.store, handlers: { notify: run }, clock: () => inbox.clock.now + 86_400_000, log: quiet });

    expect(await w.runOnce()).toBe(0);
    expect(run).not.toHaveBeenCalled();
  });

  it('queues nothing when the transaction that enqueued rolls back', async () => {
    const now = inbox.clock.now;
    await expect(
      transact(inbox.store, async (tx) => {
        await enqueueJobs(tx, [{ kind: 'notify', payload: {}, idempotencyKey: 'rolled-back', runAt: now }], now);
        throw new Error('the change this job belonged to failed');
      }),
    ).rejects.toThrow('the change this job belonged to failed');
    expect(await findJob(inbox.store.db, 'rolled-back')).toBeUndefined();
  });
});

describe('retry delay', () => {
  it('doubles from 5 s up to an hour, with the random half of each delay between the bounds', () => {
    const lowest = [1, 2, 3, 4, 20].map((n) => retryDelay(n, { random: () => 0 }));
    const highest = [1, 2, 3, 4, 20].map((n) => retryDelay(n, { random: () => 1 }));
    expect(lowest).toEqual([2_500, 5_000, 10_000, 20_000, 1_800_000]);
    expect(highest).toEqual([5_000, 10_000, 20_000, 40_000, 3_600_000]);
    expect(retryDelay(1_000, { random: () => 1 })).toBe(3_600_000);
  });
});
