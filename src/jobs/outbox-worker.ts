import type { Store } from '../store/database.js';
import { type ClaimedJob, claimDueJobs, markJobDone, markJobFailedAttempt } from '../store/outbox.js';
import type { OutboxRow } from '../store/schema.js';
import { claimDueTimers } from '../store/timers.js';
import { transact } from '../store/transaction.js';
import { retryDelay } from './backoff.js';
import { describe, recordPatiently, storedError } from './outcomes.js';
import { type TimerHandler, timerFiring } from './timers.js';

// Runs the side effects commands queued in the outbox (send this mail, call that
// webhook), at least once each. Any number of workers, in one process or several, may
// run against one database: a job is leased to one claimant at a time, and a job whose
// worker died is claimed again once its lease runs out. Each tick also fires the durable
// timers that are due (jobs/timers.ts), with the same leases, retries and give-up.

/**
 * What a handler learns about its job. `attempts` counts this one; pass `idempotencyKey`
 * on so the receiver can drop a repeat. `lastAttempt`: if this one fails, the job fails
 * for good (a handler that shows progress somewhere says so then).
 */
export type OutboxJob = Pick<OutboxRow, 'id' | 'kind' | 'idempotencyKey' | 'attempts' | 'createdAt'> & { lastAttempt: boolean };

/** The payload is unknown on purpose: it comes from storage, maybe written by an older version, so handlers validate it. */
export type JobHandler = {
  (payload: unknown, job: OutboxJob): Promise<void>;
  /**
   * Called once when the job is failed for good without a last run (its runs never
   * finished: they kept killing the worker or outliving the lease), so a handler that shows
   * progress somewhere can show the failure. Best effort: its own failure is only logged.
   */
  abandon?: (payload: unknown, error: string) => Promise<void>;
};

export type OutboxLog = (message: string, details: Record<string, unknown>) => void;

export type OutboxWorkerOptions = {
  store: Store;
  handlers: Record<string, JobHandler>;
  /** By timer kind. A timer of a kind missing here is retried later, like a job without handler. */
  timerHandlers?: Record<string, TimerHandler>;
  clock?: () => number;
  /** How often to look for due jobs when nobody calls `wake()`. */
  pollIntervalMs?: number;
  /** How long a claimed batch is this worker's. Must outlast the slowest handler: a job or timer whose lease runs out is run again elsewhere. */
  leaseMs?: number;
  /** At most this many jobs, and as many timers, per tick. */
  batchSize?: number;
  /** Attempts before a job is failed (a timer given up) for good. */
  maxAttempts?: number;
  /** Milliseconds to wait after failed attempt number `attempt`. */
  backoff?: (attempt: number) => number;
  log?: OutboxLog;
};

export type OutboxWorker = {
  /** Polls in the background until `stop()`. */
  start(): void;
  /** Stops polling and resolves once the jobs already running have finished. */
  stop(): Promise<void>;
  /** Claims one batch of due jobs and one of due timers and runs them; resolves to how many ran. */
  runOnce(): Promise<number>;
  /** Looks for due jobs and timers soon instead of at the next poll, e.g. after a command queued some. */
  wake(): void;
};

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, handlers, timerHandlers = {}, clock = Date.now, pollIntervalMs = 1_000, leaseMs = 5 * 60_000, batchSize = 10, maxAttempts = 10 } = options;
  const backoff = options.backoff ?? ((attempt: number) => retryDelay(attempt));
  const log = options.log ?? ((message, details) => console.error(message, details));
  // A later claim must get a later lease: the lease is what tells an old claimant it lost the job.
  if (!(leaseMs > 0)) throw new RangeError('leaseMs must be positive');

  const inFlight = new Set<Promise<unknown>>();
  let running = false;
  let ticking = false;
  let woken = false;
  /** Why claiming failed last time: each new reason is logged once (not at every poll of an outage), and the recovery too. */
  let failure: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  const fireTimer = timerFiring({ store, handlers: timerHandlers, clock, maxAttempts, backoff, log, running: () => running });

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Resolves to how many jobs and timers ran, and whether either batch was full (so more are probably due). */
  async function claimAndRun(): Promise<{ ran: number; full: boolean }> {
    const now = clock();
    // One commit claims both batches.
    const { jobs, timers } = await transact(store, async (tx) => ({
      jobs: await claimDueJobs(tx, store, now, now + leaseMs, batchSize),
      timers: await claimDueTimers(tx, store, now, now + leaseMs, batchSize),
    }));
    // The claim has committed before any handler starts: no transaction stays open while
    // the outside world takes its time to answer. The batch runs side by side, as the
    // outbox promises no order anyway (a retried job is overtaken by later ones), and
    // timers only "not before their due time".
    await Promise.all([...jobs.map(runJob), ...timers.map(fireTimer)]);
    return { ran: jobs.length + timers.length, full: jobs.length === batchSize || timers.length === batchSize };
  }

  async function runJob(job: ClaimedJob): Promise<void> {
    const error = await attempt(job);
    const recordError = await recordPatiently(
      () => record(job, error),
      () => running,
    );
    if (recordError !== null) log('outbox: could not record the outcome of a job', { id: job.id, kind: job.kind, error: describe(recordError) });
  }

  /** Runs the job's handler; resolves to what went wrong, or null when it succeeded. */
  async function attempt(job: ClaimedJob): Promise<string | null> {
    // Every claim counts as an attempt, so a job that keeps killing its worker ends here
    // instead of being claimed forever.
    // hasOwn: a kind such as "constructor" must not find a method of Object.prototype.
    const handler = Object.hasOwn(handlers, job.kind) ? handlers[job.kind] : undefined;
    if (job.attempts > maxAttempts) {
      const error =
        `gave up after ${maxAttempts} attempts: the last one never finished (worker stopped or lease ran out)` +
        (job.lastError ? `; earlier error: ${job.lastError}` : '');
      try {
        await handler?.abandon?.(JSON.parse(job.payload), error);
      } catch (abandonError) {
        log('outbox: a handler could not record that its job was given up', { id: job.id, kind: job.kind, error: describe(abandonError) });
      }
      return error;
    }
    // Retried rather than failed at once: during a rolling upgrade an older worker may claim a kind only newer ones know.
    if (!handler) return `no handler for kind ${job.kind}`;
    try {
      await handler(JSON.parse(job.payload), {
        id: job.id,
        kind: job.kind,
        idempotencyKey: job.idempotencyKey,
        attempts: job.attempts,
        createdAt: job.createdAt,
        lastAttempt: job.attempts >= maxAttempts,
      });
      return null;
    } catch (error) {
      return describe(error);
    }
  }

  async function record(job: ClaimedJob, error: string | null): Promise<void> {
    const now = clock();
    if (error === null) {
      if (!(await transact(store, (tx) => markJobDone(tx, job, now)))) lostLease(job);
      return;
    }
    const retryAt = job.attempts >= maxAttempts ? null : now + backoff(job.attempts);
    const message = storedError(error);
    if (!(await transact(store, (tx) => markJobFailedAttempt(tx, job, message, retryAt, now)))) return lostLease(job);
    log(retryAt === null ? 'outbox: job failed for good' : 'outbox: job attempt failed', {
      id: job.id,
      kind: job.kind,
      attempts: job.attempts,
      retryAt,
      error: message,
    });
  }

  function lostLease(job: ClaimedJob): void {
    log('outbox: a job outlived its lease and was claimed again; the new claimant records its outcome', { id: job.id, kind: job.kind, leaseMs });
  }

  async function tick(): Promise<void> {
    timer = undefined;
    ticking = true;
    woken = false;
    let full = false;
    try {
      ({ full } = await track(claimAndRun()));
      if (failure !== null) log('outbox: claiming jobs works again', {});
      failure = null;
    } catch (error) {
      // The next poll tries again: an unreachable database delays jobs, it never stops the worker.
      if (describe(error) !== failure) log('outbox: claiming jobs failed; trying again at every poll until it works', { error: describe(error) });
      failure = describe(error);
    }
    ticking = false;
    // A full batch means more are probably due; a wake() during the batch may have queued more.
    if (running) schedule(woken || full ? 0 : pollIntervalMs);
  }

  function schedule(delayMs: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
  }

  const runOnce = async () => (await track(claimAndRun())).ran;

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      if (!ticking) schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...inFlight]);
    },
    wake() {
      if (!running) return;
      if (ticking) woken = true;
      else schedule(0);
    },
  };
}
