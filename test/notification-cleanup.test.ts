import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markNotificationsRead } from '../src/inbox/commands/notifications.js';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { armNotificationCleanup, CLEANUP_TIMER, cleanUpNotifications } from '../src/inbox/notifications/cleanup.js';
import type { Store } from '../src/store/database.js';
import { recordDeliveries } from '../src/store/notification-deliveries.js';
import { transact } from '../src/store/transaction.js';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';
import { makeTestStore } from './support/store.js';

// The 90-day cleanup (issue 18): a daily timer deletes read notifications and delivery
// records older than 90 days, in batches; unread notifications stay whatever their age, so
// the bell's counters never change and always equal a recount.

const DAY = 24 * 60 * 60 * 1000;
/** The deliveries this test records (the mail and push planners record their own too). */
const MARK = 'cleanup-test';
const T0 = Date.UTC(2026, 0, 5, 9, 0);
const clock = { now: T0 };
const read = () => clock.now;

let store: Store;
let app: TestApp;
let ann: Person;
let bob: Person;
let n = 0;

beforeAll(async () => {
  store = await makeTestStore();
  app = await startTestApp({ store, clock: read, accountsClock: read, worker: { clock: read, run: false } });
  ann = await person(app, 'agent', { password: null });
  bob = await person(app, 'agent', { password: null });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

/** A customer's new unassigned conversation: every active agent gets an `unassigned_activity` notification. */
async function newConversation(): Promise<number> {
  const email = `cleanup${++n}-${process.pid}@customers.test`;
  const { conversation } = await createConversation(app.inbox, { from: { customerEmail: email }, channel: 'ticket', subject: `Cleanup ${n}`, body: 'Help' });
  return conversation.id;
}

const notificationOf = async (userId: number, conversationId: number) => {
  const row = await store.db
    .selectFrom('notifications')
    .select(['id', 'readAt', 'lastAt'])
    .where('userId', '=', userId)
    .where('conversationId', '=', conversationId)
    .executeTakeFirst();
  return row ? { id: Number(row.id), read: row.readAt !== null } : null;
};
const readNotificationsOf = async (who: Person, conversationId: number) => {
  const row = await notificationOf(who.id, conversationId);
  await markNotificationsRead(app.inbox, { userId: who.id, ids: [row!.id] });
};
const deliveriesAt = (userId: number, count: number) =>
  transact(store, (tx) =>
    recordDeliveries(
      tx,
      Array.from({ length: count }, () => ({
        userId,
        notificationId: null,
        conversationId: null,
        channel: 'email' as const,
        status: 'sent' as const,
        target: MARK,
      })),
      clock.now,
    ),
  );

/** The unread counters against a recount of the rows the bell shows: they never differ. */
async function expectCountersExact(): Promise<void> {
  const rows = await store.db
    .selectFrom('notifications')
    .select(['userId', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('readAt', 'is', null)
    .where('silent', '=', 0)
    .groupBy('userId')
    .execute();
  const recount = new Map(rows.map((r) => [`notifications:${r.userId}`, Number(r.n)]));
  const counters = await store.db.selectFrom('inbox_counts').select(['key', 'n']).where('key', 'like', 'notifications:%').execute();
  expect(new Map(counters.filter((c) => Number(c.n) !== 0).map((c) => [c.key, Number(c.n)]))).toEqual(recount);
}

const cleanupTimer = () => store.db.selectFrom('timers').selectAll().where('key', '=', CLEANUP_TIMER).execute();

describe('the 90-day notification cleanup', () => {
  it('a start with nothing to clean arms nothing; a start that finds notifications arms one timer, which further starts leave as it is', async () => {
    expect(await cleanupTimer()).toEqual([]);
    await newConversation();
    // What the next start of the app does (its cleanup module's start), here on two instances at once.
    const cleanup = app.composition.modules.find((m) => m.name === 'notification-cleanup')!;
    await Promise.all([cleanup.start!(), cleanup.start!()]);
    const [armed] = await cleanupTimer();
    expect(armed).toMatchObject({ kind: CLEANUP_TIMER, firedAt: null });
    expect(Number(armed!.dueAt)).toBeGreaterThan(T0);
    clock.now += 60_000;
    await armNotificationCleanup(app.inbox);
    await armNotificationCleanup(app.inbox);
    const again = await cleanupTimer();
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ dueAt: armed!.dueAt, version: armed!.version });
  });

  it('deletes old read notifications and old deliveries; keeps old unread, recent read and recently active ones', async () => {
    const oldRead = await newConversation();
    const oldUnread = await newConversation();
    const foldedLater = await newConversation();
    await readNotificationsOf(ann, oldRead);
    await deliveriesAt(ann.id, 3);

    // 85 days on, a customer reply folds into Ann's unread row of `foldedLater`, which she then reads.
    clock.now = T0 + 85 * DAY;
    const conversation = await store.db.selectFrom('conversations').select('customerId').where('id', '=', foldedLater).executeTakeFirstOrThrow();
    await addMessage(app.inbox, { conversation: foldedLater, from: { userId: Number(conversation.customerId) }, body: 'Still there?' });
    await readNotificationsOf(ann, foldedLater);

    clock.now = T0 + 91 * DAY;
    const recentRead = await newConversation();
    await readNotificationsOf(ann, recentRead);
    await deliveriesAt(ann.id, 2);
    await expectCountersExact();

    // The timer is long due: the worker fires it as it would in production.
    expect(await app.composition.worker.runOnce()).toBe(1);

    expect(await notificationOf(ann.id, oldRead)).toBeNull();
    expect(await notificationOf(ann.id, oldUnread)).toMatchObject({ read: false });
    expect(await notificationOf(ann.id, foldedLater)).toMatchObject({ read: true });
    expect(await notificationOf(ann.id, recentRead)).toMatchObject({ read: true });
    // Bob never read his: all his stay, however old.
    for (const id of [oldRead, oldUnread, foldedLater, recentRead]) expect(await notificationOf(bob.id, id)).toMatchObject({ read: false });
    const deliveries = await store.db.selectFrom('notification_deliveries').select(['createdAt', 'target']).execute();
    expect(deliveries.filter((d) => d.target === MARK).map((d) => Number(d.createdAt))).toEqual([clock.now, clock.now]);
    expect(deliveries.filter((d) => Number(d.createdAt) < clock.now - 90 * DAY)).toEqual([]);
    await expectCountersExact();

    // It armed itself again for the next day.
    const [timer] = await cleanupTimer();
    expect(timer).toMatchObject({ firedAt: null, lockedUntil: null });
    expect(Number(timer!.dueAt)).toBe(clock.now + DAY);
  });

  it('deletes in batches of the given size until nothing old is left', async () => {
    const start = clock.now;
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await newConversation());
    for (const id of ids) await readNotificationsOf(ann, id);
    // Bob reads some of them, so read and unread rows interleave in the walk.
    for (const id of ids.slice(0, 3)) await readNotificationsOf(bob, id);
    await deliveriesAt(bob.id, 5);

    clock.now = start + 90 * DAY + 1;
    const before = clock.now - 90 * DAY;
    const count = async (read: boolean) => {
      let query = store.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number | string>().as('n'));
      query = read ? query.where('readAt', 'is not', null).where('lastAt', '<', before) : query.where('readAt', 'is', null);
      return Number((await query.executeTakeFirstOrThrow()).n);
    };
    const [old, unread] = [await count(true), await count(false)];
    const oldDeliveries = async () =>
      Number(
        (
          await store.db
            .selectFrom('notification_deliveries')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('createdAt', '<', before)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const deliveries = await oldDeliveries();
    expect(deliveries).toBeGreaterThanOrEqual(5 + 2);
    // Ann's 7 and Bob's 3, and the earlier test's two read ones, now old too.
    expect(old).toBe(7 + 3 + 2);
    const figures = await cleanUpNotifications(app.inbox, { batch: 2 });
    expect(figures).toMatchObject({ notifications: old, deliveries });
    // Every row walked two at a time, the deliveries likewise.
    expect(figures.batches).toBeGreaterThanOrEqual(Math.ceil((old + unread) / 2) + Math.ceil(deliveries / 2));
    expect([await count(true), await count(false), await oldDeliveries()]).toEqual([0, unread, 0]);
    for (const id of ids) expect(await notificationOf(ann.id, id)).toBeNull();
    for (const id of ids.slice(3)) expect(await notificationOf(bob.id, id)).toMatchObject({ read: false });
    expect(await cleanUpNotifications(app.inbox, { batch: 2 })).toMatchObject({ notifications: 0, deliveries: 0 });
    await expectCountersExact();
  });
});
