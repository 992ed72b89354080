import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutboxWorker, type OutboxWorkerOptions } from '../src/jobs/outbox-worker.js';
import type { TimerHandler, TimerInfo } from '../src/jobs/timers.js';
import { openPostgres, openSqlite, type Store } from '../src/store/database.js';
import { enqueueJobs } from '../src/store/outbox.js';
import { cancelTimer, claimDueTimers, findTimer, type NewTimer, setTimer } from '../src/store/timers.js';
import { transact } from '../src/store/transaction.js';
import { drain } from './support/drain.js';
import { makeTestStore } from './support/store.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const quiet = () => {};

function fakeClock() {
  const clock = { now: T0, read: () => clock.now };
  return clock;
}

function arm(store: Store, timers: Array<Partial<NewTimer> & { key: string }>, now = T0) {
  return transact(store, async (tx) => {
    for (const timer of timers) await setTimer(tx, { kind: 'test', payload: {}, dueAt: now, ...timer }, now);
  });
}

const timer = (store: Store, key: string) => findTimer(store.db, key);

/** A timer handler that records every call, and fails while `failing` says so. */
function recorder(failing: (call: number) => Error | null = () => null) {
  const calls: Array<{ payload: unknown; timer: TimerInfo }> = [];
  const handler: TimerHandler = async (payload, timer) => {
    calls.push({ payload, timer });
    const error = failing(calls.length);
    if (error) throw error;
  };
  return { calls, handler };
}

/** A timer handler that waits until the test lets it finish. */
function gate() {
  let entered!: () => void;
  let release!: () => void;
  const started = new Promise<void>((resolve) => (entered = resolve));
  const finished = new Promise<void>((resolve) => (release = resolve));
  const calls: unknown[] = [];
  const handler: TimerHandler = async (payload) => {
    calls.push(payload);
    entered();
    await finished;
  };
  return { handler, started, release, calls };
}

/** The same database through a new connection (pool), as another instance or a restarted server has. */
async function connectAgain(store: Store): Promise<Store> {
  if (store.dialect === 'sqlite') return openSqlite(store.location);
  const { name } = (await sql<{ name: string }>`select current_database() as name`.execute(store.db)).rows[0]!;
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  return openPostgres(url.toString());
}

describe('durable timers', () => {
  let store: Store;
  let clock: ReturnType<typeof fakeClock>;
  const worker = (timerHandlers: Record<string, TimerHandler>, options: Partial<OutboxWorkerOptions> = {}) =>
    createOutboxWorker({ store, handlers: {}, timerHandlers, clock: clock.read, log: quiet, ...options });

  beforeEach(async () => {
    store = await makeTestStore();
    clock = fakeClock();
  });
  afterEach(async () => {
    await store.close();
  });

  it('fires a timer once, at its due time, with its payload', async () => {
    const { calls, handler } = recorder();
    await arm(store, [{ key: 'sla:1', kind: 'sla', dueAt: T0 + MINUTE, payload: { conversationId: 1 } }]);
    const w = worker({ sla: handler });

    clock.now = T0 + MINUTE - 1;
    expect(await w.runOnce()).toBe(0);
    clock.now = T0 + MINUTE;
    expect(await w.runOnce()).toBe(1);
    expect(calls).toEqual([{ payload: { conversationId: 1 }, timer: { key: 'sla:1', kind: 'sla', dueAt: T0 + MINUTE, attempts: 1 } }]);
    expect(await timer(store, 'sla:1')).toMatchObject({ firedAt: T0 + MINUTE, outcome: 'fired', lockedUntil: null, lastError: null });

    clock.now += 86_400_000;
    expect(await w.runOnce()).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('re-arms a key: fires at the new time with the new payload, not at the old one; a fired key is armed anew', async () => {
    const { calls, handler } = recorder();
    await arm(store, [{ key: 'snooze:7', dueAt: T0 + MINUTE, payload: { n: 1 } }]);
    await arm(store, [{ key: 'snooze:7', dueAt: T0 + 2 * MINUTE, payload: { n: 2 } }], T0 + 1_000);
    const w = worker({ test: handler });

    clock.now = T0 + MINUTE;
    expect(await w.runOnce()).toBe(0);
    clock.now = T0 + 2 * MINUTE;
    expect(await w.runOnce()).toBe(1);
    expect(calls.map((c) => [c.payload, c.timer.dueAt])).toEqual([[{ n: 2 }, T0 + 2 * MINUTE]]);

    // Fired, then set again: one row per key, armed for its new time.
    await arm(store, [{ key: 'snooze:7', dueAt: T0 + 3 * MINUTE, payload: { n: 3 } }], clock.now);
    expect(await timer(store, 'snooze:7')).toMatchObject({ firedAt: null, outcome: null, attempts: 0, dueAt: T0 + 3 * MINUTE, createdAt: T0 });
    clock.now = T0 + 3 * MINUTE;
    expect(await w.runOnce()).toBe(1);
    expect(calls.map((c) => c.payload)).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('cancels an armed timer, and says when there was none', async () => {
    const { calls, handler } = recorder();
    await arm(store, [
      { key: 'keep', dueAt: T0 + MINUTE },
      { key: 'drop', dueAt: T0 + MINUTE },
    ]);
    expect(await transact(store, (tx) => cancelTimer(tx, 'drop'))).toBe(true);
    expect(await transact(store, (tx) => cancelTimer(tx, 'drop'))).toBe(false);
    expect(await transact(store, (tx) => cancelTimer(tx, 'never-set'))).toBe(false);

    clock.now = T0 + MINUTE;
    expect(await worker({ test: handler }).runOnce()).toBe(1);
    expect(calls.map((c) => c.timer.key)).toEqual(['keep']);
    // A fired timer is no longer armed: nothing to cancel.
    expect(await transact(store, (tx) => cancelTimer(tx, 'keep'))).toBe(false);
  });

  it('sets nothing when the transaction that set the timer rolls back', async () => {
    await expect(
      transact(store, async (tx) => {
        await setTimer(tx, { key: 'doomed', kind: 'test', dueAt: T0, payload: {} }, T0);
        throw new Error('the command was refused');
      }),
    ).rejects.toThrow('the command was refused');
    expect(await timer(store, 'doomed')).toBeUndefined();
    clock.now += 86_400_000;
    expect(await worker({ test: recorder().handler }).runOnce()).toBe(0);
  });

  it('never fires a timer twice when two workers claim at the same time', async () => {
    await arm(
      store,
      Array.from({ length: 50 }, (_, i) => ({ key: `race:${i}`, payload: { i } })),
    );
    // PostgreSQL: a second pool, as a second instance would have. SQLite: one process
    // shares one connection (a second one would block the event loop on the file lock).
    const other = store.dialect === 'postgres' ? await connectAgain(store) : store;
    const fires = new Map<number, string[]>();
    const handlerFor =
      (name: string): TimerHandler =>
      async (payload) => {
        const { i } = payload as { i: number };
        fires.set(i, [...(fires.get(i) ?? []), name]);
        await sleep(Math.random() * 5);
      };

    try {
      const [a, b] = await Promise.all([
        drain(worker({ test: handlerFor('a') }, { batchSize: 5 }), 5),
        drain(createOutboxWorker({ store: other, handlers: {}, timerHandlers: { test: handlerFor('b') }, clock: clock.read, log: quiet, batchSize: 5 }), 5),
      ]);
      expect(a + b).toBe(50);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      expect([...fires.values()].filter((by) => by.length !== 1)).toEqual([]);
      expect(fires.size).toBe(50);
    } finally {
      if (other !== store) await other.db.destroy();
    }
  });

  it('fires a timer again once the lease of the worker that claimed it and died has run out', async () => {
    await arm(store, [{ key: 'orphan' }]);
    // The dead worker: it claimed with a one-minute lease and never recorded an outcome.
    const [claimed] = await transact(store, (tx) => claimDueTimers(tx, store, clock.now, clock.now + MINUTE, 10));
    expect(claimed?.key).toBe('orphan');

    const { calls, handler } = recorder();
    const w = worker({ test: handler });
    clock.now += MINUTE - 1;
    expect(await w.runOnce()).toBe(0);
    clock.now += 1;
    expect(await w.runOnce()).toBe(1);
    expect(calls.map((c) => c.timer.attempts)).toEqual([2]);
    expect(await timer(store, 'orphan')).toMatchObject({ firedAt: clock.now, outcome: 'fired', lockedUntil: null });
  });

  it('retries a timer whose handler throws, later, keeping its due time; gives it up after maxAttempts', async () => {
    const { calls, handler } = recorder((call) => (call <= 2 ? new Error(`mail server down (${call})`) : null));
    await arm(store, [
      { key: 'flaky', payload: { n: 1 } },
      { key: 'hopeless', kind: 'hopeless' },
    ]);
    const hopeless = recorder(() => new Error('never works'));
    const w = worker({ test: handler, hopeless: hopeless.handler }, { maxAttempts: 3, backoff: (attempt) => attempt * 1_000 });

    expect(await w.runOnce()).toBe(2);
    expect(await timer(store, 'flaky')).toMatchObject({ lastError: 'mail server down (1)', firedAt: null, dueAt: T0, lockedUntil: T0 + 1_000, attempts: 1 });
    clock.now = T0 + 999;
    expect(await w.runOnce()).toBe(0);
    clock.now = T0 + 1_000;
    expect(await w.runOnce()).toBe(2);
    expect(await timer(store, 'flaky')).toMatchObject({ lastError: 'mail server down (2)', lockedUntil: T0 + 3_000, attempts: 2 });
    clock.now = T0 + 3_000;
    expect(await w.runOnce()).toBe(2);
    expect(calls.map((c) => [c.payload, c.timer.attempts, c.timer.dueAt])).toEqual([
      [{ n: 1 }, 1, T0],
      [{ n: 1 }, 2, T0],
      [{ n: 1 }, 3, T0],
    ]);
    expect(await timer(store, 'flaky')).toMatchObject({ firedAt: T0 + 3_000, outcome: 'fired', lastError: null });
    expect(await timer(store, 'hopeless')).toMatchObject({ firedAt: T0 + 3_000, outcome: 'failed', lastError: 'never works', attempts: 3 });

    clock.now += 30 * 86_400_000;
    expect(await w.runOnce()).toBe(0);
    expect(hopeless.calls).toHaveLength(3);
  });

  it('retries a timer of a kind nobody handles, and still runs jobs, when no timer handlers are registered', async () => {
    await arm(store, [{ key: 'from-a-newer-version', kind: 'digest' }]);
    await transact(store, (tx) => enqueueJobs(tx, [{ kind: 'mail', payload: {}, idempotencyKey: 'mail:1', runAt: T0 }], T0));
    const mails: unknown[] = [];
    const w = createOutboxWorker({ store, handlers: { mail: async (payload) => void mails.push(payload) }, clock: clock.read, log: quiet });

    expect(await w.runOnce()).toBe(2);
    expect(mails).toHaveLength(1);
    const row = (await timer(store, 'from-a-newer-version'))!;
    expect(row).toMatchObject({ lastError: 'no handler for timer kind digest', firedAt: null, attempts: 1 });
    expect(row.lockedUntil).toBeGreaterThan(clock.now);
  });

  it('does not lose a re-arm made while the timer was firing', async () => {
    const slow = gate();
    await arm(store, [{ key: 'sla:9', dueAt: T0, payload: { n: 1 } }]);
    const w = worker({ test: slow.handler });

    // Re-armed for later while its old due time fires: the old fire does not mark it fired.
    const firing = w.runOnce();
    await slow.started;
    await arm(store, [{ key: 'sla:9', dueAt: T0 + MINUTE, payload: { n: 2 } }], T0 + 10);
    slow.release();
    expect(await firing).toBe(1);
    expect(await timer(store, 'sla:9')).toMatchObject({ firedAt: null, dueAt: T0 + MINUTE, version: 2, lockedUntil: null });

    clock.now = T0 + MINUTE;
    expect(await w.runOnce()).toBe(1);
    expect(slow.calls).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await timer(store, 'sla:9')).toMatchObject({ firedAt: T0 + MINUTE, outcome: 'fired' });
  });

  it('does not lose a re-arm for the same due time made while the timer was firing', async () => {
    const first = gate();
    await arm(store, [{ key: 'wake:3', dueAt: T0, payload: { n: 1 } }]);
    const firing = worker({ test: first.handler }).runOnce();
    await first.started;
    // Same due time, new payload: it is due at once, not after the old claim's lease, and
    // another worker claims it in the same instant, so with the same lease as the first.
    await arm(store, [{ key: 'wake:3', dueAt: T0, payload: { n: 2 } }]);
    const second = gate();
    const refiring = worker({ test: second.handler }).runOnce();
    await second.started;
    expect(second.calls).toEqual([{ n: 2 }]);

    // The old fire ends first: only the arming tells it apart from the new claim.
    clock.now += 1_000;
    first.release();
    expect(await firing).toBe(1);
    expect(await timer(store, 'wake:3')).toMatchObject({ firedAt: null, version: 2 });
    clock.now += 1_000;
    second.release();
    expect(await refiring).toBe(1);
    expect(await timer(store, 'wake:3')).toMatchObject({ firedAt: T0 + 2_000, outcome: 'fired', version: 2 });
  });

  it('fires, on the first tick of a restarted server, the timers that fell due while it was down', async () => {
    const now = Date.now();
    await arm(
      store,
      [
        { key: 'overdue:hour', dueAt: now - 3_600_000, payload: { n: 1 } },
        { key: 'overdue:day', dueAt: now - 86_400_000, payload: { n: 2 } },
        { key: 'tomorrow', dueAt: now + 86_400_000, payload: { n: 3 } },
      ],
      now - 2 * 86_400_000,
    );
    // The restarted server: a new connection and a new worker on the real clock, polling only hourly.
    const restarted = await connectAgain(store);
    const fired: unknown[] = [];
    let bothFired!: () => void;
    const done = new Promise<void>((resolve) => (bothFired = resolve));
    const w = createOutboxWorker({
      store: restarted,
      handlers: {},
      timerHandlers: { test: async (payload) => void (fired.push(payload) === 2 && bothFired()) },
      log: quiet,
      pollIntervalMs: 3_600_000,
    });
    try {
      w.start();
      await done;
      // Then a timer set while it runs fires when the worker is woken, not at the next poll.
      await arm(restarted, [{ key: 'just-set', dueAt: Date.now(), payload: { n: 4 } }], Date.now());
      w.wake();
      for (let i = 0; i < 200 && fired.length < 3; i++) await sleep(10);
      await w.stop();
      expect(fired).toEqual([{ n: 2 }, { n: 1 }, { n: 4 }]);
      expect(await timer(store, 'tomorrow')).toMatchObject({ firedAt: null, attempts: 0 });
    } finally {
      await w.stop();
      await restarted.db.destroy();
    }
  });
});
