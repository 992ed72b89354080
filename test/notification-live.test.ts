import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignConversation } from '../src/inbox/commands.js';
import { pruneNotificationChanges } from '../src/realtime/notification-frames.js';
import { openStore, type Store } from '../src/store/database.js';
import type { Role } from '../src/store/schema.js';
import { call as callOn, type Frame, type Instance, Live, type Person, person as personOn, sleep, startInstance } from './support/live.js';
import { makeTestStore } from './support/store.js';

// Live notification frames (issue 18): `notification.created`, `.updated`, `.read` reach
// the user's own sockets and nobody else's, from whichever instance made the change.

let store: Store;
let main: Instance;

beforeAll(async () => {
  store = await makeTestStore();
  // A long poll: a frame arriving must mean the wake-up worked, not that the poll caught up.
  main = await startInstance(store, { pollMs: 60_000 });
});
afterAll(async () => {
  await main?.close();
  await store?.close();
});

const person = (role: Role) => personOn(main, role);
const call = (who: Person, method: string, path: string, body?: unknown, on: Instance = main) => callOn(on, who, method, path, body);
const failOnLog = (message: string, error?: unknown) => {
  throw new Error(`${message}: ${String(error)}`);
};
const isNotification = (f: Frame) => f.type.startsWith('notification.');
/** The notification frames a socket got after `from` frames. */
const notificationsAfter = (socket: Live, from: number) => socket.frames.slice(from).filter(isNotification);
const feedRows = async (userId: number) =>
  Number(
    (
      await store.db
        .selectFrom('notification_changes')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('userId', '=', userId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('live notification frames', () => {
  it("five customer replies: A's sockets get created then updated frames, nobody else any; a read reaches A's other socket", async () => {
    const admin = await person('admin');
    const ann = await person('agent');
    const bob = await person('agent');
    const customer = await person('customer');
    const [annOne, annTwo, bobSocket, customerSocket] = await Promise.all([
      Live.as(ann, main),
      Live.as(ann, main),
      Live.as(bob, main),
      Live.as(customer, main),
    ]);
    const { conversation } = (await call(customer, 'POST', '/api/conversations', { subject: 'Invoice twice', body: 'Hello' }))!;
    await assignConversation(main.inbox, { conversation: conversation.id, assigneeId: ann.id, by: { userId: admin.id } });
    await annOne.waitFor((f) => f.type === 'notification.created' && f.data.notification.kind === 'assigned');
    for (const who of [ann, bob]) await call(who, 'POST', '/api/notifications/read', { all: true });
    // Each hears of their own read (bob had the new conversation in the team's queue).
    await annTwo.waitFor((f) => f.type === 'notification.read' && f.data.all === true && f.data.unreadCount === 0);
    await bobSocket.waitFor((f) => f.type === 'notification.read' && f.data.all === true && f.data.unreadCount === 0);
    const [from1, from2, fromBob] = [annOne.frames.length, annTwo.frames.length, bobSocket.frames.length];

    for (let i = 1; i <= 5; i++) await call(customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: `reply ${i}` });
    await annOne.waitFor((f) => f.type === 'notification.updated' && f.data.notification.count === 5);
    await annTwo.waitFor((f) => f.type === 'notification.updated' && f.data.notification.count === 5);
    const { items, unreadCount } = (await call(ann, 'GET', '/api/notifications?unread=1'))!;
    expect(unreadCount).toBe(1);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'customer_replied', count: 5, conversation: { id: conversation.id, subject: 'Invoice twice' } });
    for (const [socket, from] of [
      [annOne, from1],
      [annTwo, from2],
    ] as const) {
      const frames = notificationsAfter(socket, from);
      expect(frames.map((f) => f.type)).toEqual(['notification.created', ...Array(4).fill('notification.updated')]);
      expect(new Set(frames.map((f) => f.data.notification.id))).toEqual(new Set([items[0].id]));
      expect(frames.at(-1)!.data).toMatchObject({ unreadCount: 1, notification: { count: 5, readAt: null, conversation: { number: conversation.number } } });
      // Not events: no id to move a client's `since`.
      expect(frames.every((f) => f.id === undefined)).toBe(true);
    }

    // A reads on their first device: the second hears it, with the count.
    await call(ann, 'POST', '/api/notifications/read', { conversationId: conversation.id });
    const read = await annTwo.waitFor((f, i = annTwo.frames.indexOf(f)) => i >= from2 && f.type === 'notification.read');
    expect(read.data).toEqual({ conversationId: conversation.id, ids: [items[0].id], unreadCount: 0 });
    // Reading what is already read changes nothing and tells nothing.
    const rows = await feedRows(ann.id);
    await call(ann, 'POST', '/api/notifications/read', { conversationId: conversation.id });
    expect(await feedRows(ann.id)).toBe(rows);

    // B sees the conversation (every message frame reached them) but none of A's notifications.
    await bobSocket.waitFor((f) => f.type === 'message.created' && f.data.message.body === 'reply 5');
    await sleep(200);
    expect(notificationsAfter(bobSocket, fromBob)).toEqual([]);
    expect(bobSocket.frames.filter(isNotification).some((f) => f.data.notification?.id === items[0].id)).toBe(false);
    // The customer's portal socket: their own messages, never a notification frame.
    expect(customerSocket.frames.some((f) => f.type === 'message.created')).toBe(true);
    expect(customerSocket.frames.filter(isNotification)).toEqual([]);
    await Promise.all([annOne, annTwo, bobSocket, customerSocket].map((s) => s.close()));
  });

  it('a mention in a note: only the mentioned user hears of it', async () => {
    const ann = await person('agent');
    const bob = await person('agent');
    const customer = await person('customer');
    const { conversation } = (await call(customer, 'POST', '/api/conversations', { subject: 'Mention me', body: 'Hi' }))!;
    const [annSocket, bobSocket] = await Promise.all([Live.as(ann, main), Live.as(bob, main)]);
    const [fromAnn, fromBob] = [annSocket.frames.length, bobSocket.frames.length];
    await call(bob, 'POST', `/api/conversations/${conversation.id}/messages`, { body: `@${ann.name} look`, isInternal: true, mentions: [ann.id] });
    const created = await annSocket.waitFor((f, i = annSocket.frames.indexOf(f)) => i >= fromAnn && f.type === 'notification.created');
    expect(created.data.notification).toMatchObject({ kind: 'mentioned', actor: { id: bob.id } });
    await sleep(200);
    expect(notificationsAfter(bobSocket, fromBob)).toEqual([]);
    await Promise.all([annSocket.close(), bobSocket.close()]);
  });

  it('old feed rows are pruned after a day', async () => {
    expect(await feedRows(0)).toBe(0);
    const before = Number(
      (
        await store.db
          .selectFrom('notification_changes')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(before).toBeGreaterThan(0);
    expect(await pruneNotificationChanges(store.db, Date.now(), failOnLog)).toBe(0);
    expect(await pruneNotificationChanges(store.db, Date.now() + 25 * 60 * 60 * 1000, failOnLog)).toBe(before);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('live notification frames, two instances on PostgreSQL', () => {
  it("a read on instance 1 reaches A's socket on instance 2; a reply on 1 notifies A there", async () => {
    const secondStore = openStore({ databaseUrl: store.location.replace(':***@', '@'), dataDir: '' });
    const two = await startInstance(secondStore, { pollMs: 60_000 });
    try {
      const admin = await person('admin');
      const ann = await person('agent');
      const customer = await person('customer');
      const { conversation } = (await call(customer, 'POST', '/api/conversations', { subject: 'Across instances', body: 'Hello' }))!;
      await assignConversation(main.inbox, { conversation: conversation.id, assigneeId: ann.id, by: { userId: admin.id } });
      await call(ann, 'POST', '/api/notifications/read', { all: true });
      const socket = await Live.as(ann, two);
      await call(customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'again' });
      const created = await socket.waitFor((f) => f.type === 'notification.created');
      expect(created.data).toMatchObject({ unreadCount: 1, notification: { kind: 'customer_replied', conversation: { id: conversation.id } } });
      await call(ann, 'POST', '/api/notifications/read', { ids: [created.data.notification.id] }, main);
      const read = await socket.waitFor((f) => f.type === 'notification.read');
      expect(read.data).toEqual({ ids: [created.data.notification.id], unreadCount: 0 });
      await socket.close();
    } finally {
      await two.close();
      await secondStore.close();
    }
  });
});
