import type { Module } from '../../modules.js';
import { deleteDeliveriesBefore } from '../../store/notification-deliveries.js';
import { anyNotificationHistory, deleteOldReadNotifications } from '../../store/notifications.js';
import { findTimer, setTimer } from '../../store/timers.js';
import { transact } from '../../store/transaction.js';
import type { InboxContext } from '../context.js';

// Issue 18: read notifications and delivery records older than 90 days are deleted, by a
// daily timer. Unread notifications stay whatever their age, so the bell's counter never
// needs touching. Deleting is done in batches, each its own short transaction: a million
// old rows never hold the write lock (SQLite) or many row locks (PostgreSQL) for long, and
// commands go on between two batches.

export const CLEANUP_TIMER = 'notifications.cleanup';
const DAY_MS = 24 * 60 * 60 * 1000;
export const NOTIFICATION_RETENTION_MS = 90 * DAY_MS;
/** Rows per statement: big enough that a million rows take a few hundred batches, small enough that each is milliseconds. */
export const CLEANUP_BATCH = 5000;
/**
 * A fresh install (or one whose timer was lost) first cleans two days after it starts: nothing
 * is 90 days old on a fresh install, and a start is no time for extra work.
 */
const FIRST_RUN_DELAY_MS = 2 * DAY_MS;
/** After a failed run (the database away): again soon, not a day later. */
const RETRY_MS = 60 * 60 * 1000;

export type CleanupFigures = { notifications: number; deliveries: number; batches: number };

/** Deletes what is past retention now (ctx.clock), in batches of `batch` rows. */
export async function cleanUpNotifications(ctx: InboxContext, options: { batch?: number } = {}): Promise<CleanupFigures> {
  const limit = options.batch ?? CLEANUP_BATCH;
  const before = ctx.clock() - NOTIFICATION_RETENTION_MS;
  const figures: CleanupFigures = { notifications: 0, deliveries: 0, batches: 0 };
  for (let afterId = 0; ; ) {
    const step = await transact(ctx.store, (tx) => deleteOldReadNotifications(tx, { before, afterId, limit }));
    figures.notifications += step.deleted;
    figures.batches++;
    if (step.done) break;
    afterId = step.lastId;
  }
  for (;;) {
    const deleted = await transact(ctx.store, (tx) => deleteDeliveriesBefore(tx, before, limit));
    figures.deliveries += deleted;
    figures.batches++;
    if (deleted < limit) break;
  }
  return figures;
}

/**
 * Arms the one cleanup timer unless it is armed already. Every instance calls this at
 * start: the key is one, an armed timer is left as it is (re-arming would push its time
 * back at every restart), and two instances racing here both arm the same key. A database
 * without any notification or delivery yet arms nothing: nothing can be 90 days old before
 * the first row is, and a later start arms it (an armed timer then re-arms itself daily).
 * That also keeps an empty test database free of a timer its workers would fire.
 */
export async function armNotificationCleanup(ctx: InboxContext, timerClock: () => number = ctx.clock): Promise<void> {
  const now = timerClock();
  await transact(ctx.store, async (tx) => {
    const armed = await findTimer(tx, CLEANUP_TIMER);
    if ((armed && armed.firedAt === null) || !(await anyNotificationHistory(tx))) return;
    await setTimer(tx, { key: CLEANUP_TIMER, kind: CLEANUP_TIMER, dueAt: now + FIRST_RUN_DELAY_MS, payload: null }, now);
  });
}

type ErrorLog = (message: string, details: Record<string, unknown>) => void;

/**
 * The cleanup as the composition root plugs it in (a `Module`): the timer's handler and
 * the arming at start. Its times are the worker's clock (`timerClock`), which decides when
 * a timer is due; the cutoff is the inbox's, which wrote the rows. The handler re-arms its own key for the next day — a re-arm while
 * firing is kept (store/timers.ts), the worker then notes the firing as superseded — and
 * never throws: a failed run is logged and tried again within the hour, so the daily
 * chain cannot end in a given-up timer.
 */
export function notificationCleanupModule(ctx: InboxContext, logError: ErrorLog, timerClock: () => number = ctx.clock): Module {
  const rearm = (delay: number) =>
    transact(ctx.store, (tx) => setTimer(tx, { key: CLEANUP_TIMER, kind: CLEANUP_TIMER, dueAt: timerClock() + delay, payload: null }, timerClock()));
  return {
    name: 'notification-cleanup',
    timerHandlers: {
      [CLEANUP_TIMER]: async () => {
        let next = DAY_MS;
        try {
          await cleanUpNotifications(ctx);
        } catch (error) {
          next = RETRY_MS;
          logError('notifications: the 90-day cleanup failed; trying again within the hour', { err: error });
        }
        await rearm(next);
      },
    },
    start: () => armNotificationCleanup(ctx, timerClock),
  };
}
