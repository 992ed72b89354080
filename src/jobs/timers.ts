import type { Store } from '../store/database.js';
import { type ClaimedTimer, markTimerFailedAttempt, markTimerFired } from '../store/timers.js';
import { transact } from '../store/transaction.js';
import { describe, recordPatiently, storedError } from './outcomes.js';

// Fires the durable timers (store/timers.ts) the outbox worker claims at each tick, at
// least once each, with the same leases, retries and give-up as its jobs.

/** What a timer handler learns about its timer. `attempts` counts this one (of the current arming). */
export type TimerInfo = Pick<ClaimedTimer, 'key' | 'kind' | 'dueAt' | 'attempts'>;

/**
 * Does what a timer is for. It must treat a STALE timer as a no-op: timers fire at least
 * once (a second time when a worker dies or outlives its lease), and the state may have
 * moved on since the timer was set (the conversation was answered before its SLA warning,
 * a snoozed one was reopened by hand). So a handler checks the current state and does
 * nothing when its reason is gone, rather than trusting the payload. The payload is
 * unknown on purpose: it comes from storage, maybe written by an older version.
 */
export type TimerHandler = (payload: unknown, timer: TimerInfo) => Promise<void>;

export type TimerLog = (message: string, details: Record<string, unknown>) => void;

export type TimerFiringOptions = {
  store: Store;
  handlers: Record<string, TimerHandler>;
  clock: () => number;
  maxAttempts: number;
  backoff: (attempt: number) => number;
  log: TimerLog;
  /** Whether the worker still runs: recording an outcome waits out a brief outage only then. */
  running: () => boolean;
};

/** Returns the function that fires one claimed timer and records its outcome. */
export function timerFiring(options: TimerFiringOptions): (timer: ClaimedTimer) => Promise<void> {
  const { store, handlers, clock, maxAttempts, backoff, log, running } = options;

  /** Runs the timer's handler; resolves to what went wrong, or null when it fired. */
  async function attempt(timer: ClaimedTimer): Promise<string | null> {
    // Every claim counts, so a timer that keeps killing its worker is given up, not claimed forever.
    if (timer.attempts > maxAttempts) {
      return (
        `gave up after ${maxAttempts} attempts: the last one never finished (worker stopped or lease ran out)` +
        (timer.lastError ? `; earlier error: ${timer.lastError}` : '')
      );
    }
    // hasOwn: a kind such as "constructor" must not find a method of Object.prototype.
    const handler = Object.hasOwn(handlers, timer.kind) ? handlers[timer.kind] : undefined;
    // Retried rather than given up at once: during a rolling upgrade an older worker may claim a kind only newer ones know.
    if (!handler) return `no handler for timer kind ${timer.kind}`;
    try {
      await handler(JSON.parse(timer.payload), { key: timer.key, kind: timer.kind, dueAt: timer.dueAt, attempts: timer.attempts });
      return null;
    } catch (error) {
      return describe(error);
    }
  }

  async function record(timer: ClaimedTimer, error: string | null): Promise<void> {
    const now = clock();
    if (error === null) {
      if (!(await transact(store, (tx) => markTimerFired(tx, timer, now)))) superseded(timer);
      return;
    }
    const retryAt = timer.attempts >= maxAttempts ? null : now + backoff(timer.attempts);
    const message = storedError(error);
    if (!(await transact(store, (tx) => markTimerFailedAttempt(tx, timer, message, retryAt, now)))) return superseded(timer);
    log(retryAt === null ? 'timers: timer given up' : 'timers: timer attempt failed', {
      key: timer.key,
      kind: timer.kind,
      attempts: timer.attempts,
      retryAt,
      error: message,
    });
  }

  function superseded(timer: ClaimedTimer): void {
    log('timers: a timer was re-armed, cancelled or claimed again while it ran; its outcome is left to that', { key: timer.key, kind: timer.kind });
  }

  return async (timer) => {
    const error = await attempt(timer);
    const recordError = await recordPatiently(() => record(timer, error), running);
    if (recordError !== null) log('timers: could not record the outcome of a timer', { key: timer.key, kind: timer.kind, error: describe(recordError) });
  };
}
