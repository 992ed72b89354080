import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowedEndpoint } from '../src/channels/push/endpoint.js';
import { MAX_SUBSCRIPTIONS_PER_USER } from '../src/channels/push/subscriptions.js';
import { assignConversation } from '../src/inbox/commands.js';
import { BUILT_IN_SETTINGS, TEAM_SETTINGS_NAME } from '../src/inbox/notifications/preferences.js';
import { writeNotificationSetting } from '../src/store/notification-preferences.js';
import { transact } from '../src/store/transaction.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';
import { type BrowserKeys, browserKeys, decryptPush, type PushService, startPushService } from './support/push-service.js';

// Web Push (issue 18 "Desktop", the tab closed), against a push service of the test's own
// that verifies the VAPID signature and decrypts the payload as the browser would.

let server: TestApp;
let push: PushService;
let admin: Person;
let ann: Person;
let bob: Person;
let customer: Person;
let n = 0;

const call = (who: Person | null, method: Method, url: string, payload?: unknown) => apiCall(server, who, method, url, payload);
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);

/** A browser of `who`'s, subscribed at a new endpoint of the push service. */
async function subscribe(who: Person, name = `browser-${++n}`): Promise<{ id: number; keys: BrowserKeys; name: string }> {
  const keys = browserKeys();
  const body = await ok(who, 'POST', '/api/me/push-subscriptions', {
    endpoint: push.endpoint(name),
    keys: { p256dh: keys.p256dh, auth: keys.authText },
    expirationTime: null,
  });
  return { id: body.subscription.id as number, keys, name };
}

/** A conversation of the customer's assigned to `assignee`, its notifications read. */
async function assignedConversation(assignee: Person, subject: string): Promise<Json> {
  const c = (await ok(customer, 'POST', '/api/conversations', { subject, body: 'Opening words' })).conversation as Json;
  await assignConversation(server.inbox, { conversation: c.id, assigneeId: assignee.id, by: { userId: admin.id } });
  await ok(assignee, 'POST', '/api/notifications/read', { all: true });
  // The pushes of those (read by now: skipped) go before the test's own.
  await drain();
  return c;
}

/** Runs the due outbox jobs until none is left; returns the pushes that arrived meanwhile. */
async function drain() {
  const before = push.received.length;
  while ((await server.composition.worker.runOnce()) > 0);
  return push.received.slice(before);
}

/** The user's push delivery records about a conversation, made after `since` (a lastDeliveryId()). */
const pushDeliveries = (userId: number, conversationId: number, since: number) =>
  server.store.db
    .selectFrom('notification_deliveries')
    .select(['status', 'reason', 'error', 'target'])
    .where('userId', '=', userId)
    .where('conversationId', '=', conversationId)
    .where('channel', '=', 'push')
    .where('id', '>', since)
    .orderBy('id')
    .execute();
const lastDeliveryId = async () =>
  Number(
    (
      await server.store.db
        .selectFrom('notification_deliveries')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst()
    )?.id ?? 0,
  );

const setPreviews = (pushPreviews: boolean) =>
  transact(server.store, (tx) => writeNotificationSetting(tx, TEAM_SETTINGS_NAME, JSON.stringify({ ...BUILT_IN_SETTINGS, pushPreviews })));

beforeAll(async () => {
  push = await startPushService();
  server = await startTestApp({ config: { push: { allowHttp: true } } });
  admin = await newPerson(server, 'admin');
  ann = await newPerson(server, 'agent');
  bob = await newPerson(server, 'agent');
  customer = await newPerson(server, 'customer');
});
afterAll(async () => {
  await server?.close();
  await push?.close();
});

describe('web push', () => {
  it('gives every team member the one stored VAPID key; a customer is refused on every route', async () => {
    const { publicKey } = await ok(ann, 'GET', '/api/push/public-key');
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);
    expect((await ok(bob, 'GET', '/api/push/public-key')).publicKey).toBe(publicKey);
    const stored = await server.store.db.selectFrom('notification_settings').select('value').where('name', '=', 'vapid').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.value).publicKey).toBe(publicKey);

    const keys = browserKeys();
    const body = { endpoint: push.endpoint('customer'), keys: { p256dh: keys.p256dh, auth: keys.authText } };
    expect((await call(customer, 'GET', '/api/push/public-key')).status).toBe(403);
    expect((await call(customer, 'POST', '/api/me/push-subscriptions', body)).status).toBe(403);
    expect((await call(customer, 'GET', '/api/me/push-subscriptions')).status).toBe(403);
    expect((await call(customer, 'DELETE', '/api/me/push-subscriptions/1')).status).toBe(403);
    expect((await call(null, 'GET', '/api/push/public-key')).status).toBe(401);
  });

  it('subscribing is idempotent on the endpoint, and an endpoint another user registered moves to the caller', async () => {
    const keys = browserKeys();
    const body = { endpoint: push.endpoint('shared-browser'), keys: { p256dh: keys.p256dh, auth: keys.authText } };
    const first = await call(ann, 'POST', '/api/me/push-subscriptions', body);
    expect(first.status).toBe(201);
    const again = await call(ann, 'POST', '/api/me/push-subscriptions', body);
    expect(again.status).toBe(200);
    expect(again.body!.subscription.id).toBe(first.body!.subscription.id);
    expect((await ok(ann, 'GET', '/api/me/push-subscriptions')).items.map((s: Json) => s.endpoint)).toContain(body.endpoint);

    const moved = await call(bob, 'POST', '/api/me/push-subscriptions', body);
    expect(moved.status).toBe(200);
    expect(moved.body!.subscription.id).toBe(first.body!.subscription.id);
    expect((await ok(ann, 'GET', '/api/me/push-subscriptions')).items.map((s: Json) => s.endpoint)).not.toContain(body.endpoint);
    expect((await ok(bob, 'GET', '/api/me/push-subscriptions')).items.map((s: Json) => s.endpoint)).toContain(body.endpoint);
    await ok(bob, 'DELETE', `/api/me/push-subscriptions/${first.body!.subscription.id}`);
  });

  it('refuses bad keys and endpoints that are no URL', async () => {
    const keys = browserKeys();
    const bad = [
      { endpoint: 'not a url', keys: { p256dh: keys.p256dh, auth: keys.authText } },
      { endpoint: push.endpoint('x'), keys: { p256dh: keys.authText, auth: keys.authText } },
      { endpoint: push.endpoint('x'), keys: { p256dh: keys.p256dh, auth: keys.p256dh } },
      { endpoint: push.endpoint('x'), keys: { p256dh: keys.p256dh } },
      { endpoint: push.endpoint('x'), keys: { p256dh: keys.p256dh, auth: keys.authText }, extra: 1 },
    ];
    for (const body of bad) expect((await call(ann, 'POST', '/api/me/push-subscriptions', body)).status, JSON.stringify(body)).toBe(400);
  });

  it(`keeps a user's ${MAX_SUBSCRIPTIONS_PER_USER} newest browsers: one more replaces the oldest`, async () => {
    const agent = await newPerson(server, 'agent');
    const made: number[] = [];
    for (let i = 0; i <= MAX_SUBSCRIPTIONS_PER_USER; i++) made.push((await subscribe(agent)).id);
    const left = ((await ok(agent, 'GET', '/api/me/push-subscriptions')).items as Json[]).map((s) => s.id);
    expect(left.sort((a, b) => a - b)).toEqual(made.slice(1));
  });

  it("deleting someone else's subscription is not found; one's own goes", async () => {
    const mine = await subscribe(ann);
    expect((await call(bob, 'DELETE', `/api/me/push-subscriptions/${mine.id}`)).status).toBe(404);
    expect((await call(bob, 'DELETE', '/api/me/push-subscriptions/999999')).status).toBe(404);
    expect((await call(ann, 'DELETE', `/api/me/push-subscriptions/${mine.id}`)).status).toBe(204);
    expect((await ok(ann, 'GET', '/api/me/push-subscriptions')).items.map((s: Json) => s.id)).not.toContain(mine.id);
  });

  it('pushes a VAPID-signed, encrypted payload with the title and no message text by default', async () => {
    const c = await assignedConversation(ann, 'Refund for order 18');
    const browser = await subscribe(ann);
    const since = await lastDeliveryId();
    await ok(customer, 'POST', `/api/conversations/${c.id}/messages`, { body: 'My card number is in this secret text' });
    const pushes = (await drain()).filter((p) => p.path === `/${browser.name}`);
    expect(push.refused).toEqual([]);
    expect(pushes).toHaveLength(1);
    const [received] = pushes as [(typeof pushes)[number]];
    expect(received.vapidKey).toBe((await ok(ann, 'GET', '/api/push/public-key')).publicKey);
    expect(received.jwt.aud).toBe(push.origin);
    expect(received.jwt.sub).toMatch(/^(mailto:|https:)/);
    expect(received.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(received.headers.ttl)).toBeGreaterThan(0);
    expect(received.headers.urgency).toBe('normal');

    const payload = JSON.parse(decryptPush(received.body, browser.keys));
    expect(payload).toEqual({
      title: `${c.number} · Refund for order 18`,
      body: expect.any(String),
      tag: `conversation-${c.id}`,
      url: `/inbox/all?conversation=${c.id}`,
      conversationId: c.id,
      kind: 'customer_replied',
      count: 1,
    });
    expect(JSON.stringify(payload)).not.toContain('secret');
    expect(await pushDeliveries(ann.id, c.id, since)).toEqual([
      {
        status: 'sent',
        reason: null,
        error: null,
        target: new URL(push.origin).host,
      },
    ]);
    await ok(ann, 'DELETE', `/api/me/push-subscriptions/${browser.id}`);
  });

  it('with previews allowed, the push carries an excerpt of the message', async () => {
    await setPreviews(true);
    try {
      const c = await assignedConversation(ann, 'Previews');
      const browser = await subscribe(ann);
      await ok(customer, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Where is my parcel?\n\nIt was due on Monday.' });
      const pushes = (await drain()).filter((p) => p.path === `/${browser.name}`);
      expect(pushes).toHaveLength(1);
      const payload = JSON.parse(decryptPush(pushes[0]!.body, browser.keys));
      expect(payload.body).toContain('Where is my parcel? It was due on Monday.');
      await ok(ann, 'DELETE', `/api/me/push-subscriptions/${browser.id}`);
    } finally {
      await setPreviews(false);
    }
  });

  it('never puts an internal note in a push, previews or not; a mention is urgent', async () => {
    await setPreviews(true);
    try {
      const c = await assignedConversation(ann, 'A note');
      const browser = await subscribe(bob);
      await ok(admin, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Internal: the customer owes us money', isInternal: true, mentions: [bob.id] });
      const pushes = (await drain()).filter((p) => p.path === `/${browser.name}`);
      expect(pushes).toHaveLength(1);
      expect(pushes[0]!.headers.urgency).toBe('high');
      const payload = JSON.parse(decryptPush(pushes[0]!.body, browser.keys));
      expect(payload).toMatchObject({ kind: 'mentioned', conversationId: c.id, title: `${c.number} · A note` });
      expect(JSON.stringify(payload)).not.toContain('owes');
      await ok(bob, 'DELETE', `/api/me/push-subscriptions/${browser.id}`);
    } finally {
      await setPreviews(false);
    }
  });

  it('replies folded into one notification before its push goes make one push with their count', async () => {
    const c = await assignedConversation(ann, 'Folded');
    const browser = await subscribe(ann);
    for (const body of ['One', 'Two', 'Three']) await ok(customer, 'POST', `/api/conversations/${c.id}/messages`, { body });
    const pushes = (await drain()).filter((p) => p.path === `/${browser.name}`);
    expect(pushes).toHaveLength(1);
    expect(JSON.parse(decryptPush(pushes[0]!.body, browser.keys))).toMatchObject({ count: 3, tag: `conversation-${c.id}` });
    await ok(ann, 'DELETE', `/api/me/push-subscriptions/${browser.id}`);
  });

  it('a second instance on the same database signs with the same keys', async () => {
    const other = await startTestApp({ store: server.store, config: { push: { allowHttp: true } } });
    try {
      const agent = await newPerson(other, 'agent');
      expect((await apiOk(other, agent, 'GET', '/api/push/public-key')).publicKey).toBe((await ok(ann, 'GET', '/api/push/public-key')).publicKey);
    } finally {
      await other.close();
    }
  });

  it('a subscription its push service answers 410 is removed, and the failure recorded', async () => {
    const c = await assignedConversation(bob, 'Gone browser');
    const gone = await subscribe(bob);
    push.answer(gone.name, 410);
    const since = await lastDeliveryId();
    await ok(customer, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Hello?' });
    expect((await drain()).filter((p) => p.path === `/${gone.name}`)).toHaveLength(1);
    expect((await ok(bob, 'GET', '/api/me/push-subscriptions')).items.map((s: Json) => s.id)).not.toContain(gone.id);
    const records = await pushDeliveries(bob.id, c.id, since);
    expect(records).toEqual([expect.objectContaining({ status: 'failed', target: new URL(push.origin).host })]);
    expect(records[0]!.error).toContain('410');
  });

  it('a notification read before its push goes is not pushed, and says so', async () => {
    const c = await assignedConversation(ann, 'Read quickly');
    const browser = await subscribe(ann);
    const since = await lastDeliveryId();
    await ok(customer, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Quick one' });
    await ok(ann, 'POST', '/api/notifications/read', { conversationId: c.id });
    expect((await drain()).filter((p) => p.path === `/${browser.name}`)).toEqual([]);
    expect(await pushDeliveries(ann.id, c.id, since)).toEqual([expect.objectContaining({ status: 'skipped', reason: 'read' })]);
    await ok(ann, 'DELETE', `/api/me/push-subscriptions/${browser.id}`);
  });

  it('queues nothing for someone without a subscription', async () => {
    const c = await assignedConversation(bob, 'Nobody subscribed');
    const since = await lastDeliveryId();
    await ok(customer, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Anyone?' });
    expect((await ok(bob, 'GET', '/api/me/push-subscriptions')).items).toEqual([]);
    const notified = await server.store.db.selectFrom('notifications').select('id').where('userId', '=', bob.id).where('conversationId', '=', c.id).execute();
    expect(notified.length).toBeGreaterThan(0);
    const jobs = await server.store.db.selectFrom('outbox').select('payload').where('kind', '=', 'notification.push').execute();
    const about = new Set(notified.map((row) => Number(row.id)));
    expect(jobs.filter((j) => about.has(JSON.parse(j.payload).notificationId))).toEqual([]);
    expect(await pushDeliveries(bob.id, c.id, since)).toEqual([]);
  });
});

describe('web push without PUSH_ALLOW_HTTP', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp();
  });
  afterAll(() => strict?.close());

  it('refuses an endpoint that is not https (the server would POST there)', async () => {
    const agent = await newPerson(strict, 'agent');
    const keys = browserKeys();
    const answer = await apiCall(strict, agent, 'POST', '/api/me/push-subscriptions', {
      endpoint: 'http://127.0.0.1:9/push',
      keys: { p256dh: keys.p256dh, auth: keys.authText },
    });
    expect(answer.status).toBe(400);
    expect(answer.body!.error.field).toBe('endpoint');
    const https = await apiCall(strict, agent, 'POST', '/api/me/push-subscriptions', {
      endpoint: 'https://push.example.test/abc',
      keys: { p256dh: keys.p256dh, auth: keys.authText },
    });
    expect(https.status).toBe(201);
  });
});

describe('which endpoints the server will POST to', () => {
  it('only public https hosts, unless PUSH_ALLOW_HTTP', () => {
    const allowed = ['https://fcm.googleapis.com/fcm/send/abc', 'https://updates.push.services.mozilla.com/wpush/v2/x', 'https://web.push.apple.com/Q'];
    const refused = [
      'http://fcm.googleapis.com/fcm/send/abc',
      'https://127.0.0.1/push',
      'https://10.0.0.8/push',
      'https://[::1]/push',
      'https://localhost/push',
      'https://push.internal/x',
      'https://intranet/x',
      'https://user:pw@fcm.googleapis.com/x',
      'ftp://fcm.googleapis.com/x',
      `https://fcm.googleapis.com/${'a'.repeat(2100)}`,
    ];
    for (const endpoint of allowed) expect(isAllowedEndpoint(endpoint, false), endpoint).toBe(true);
    for (const endpoint of refused) expect(isAllowedEndpoint(endpoint, false), endpoint).toBe(false);
    expect(isAllowedEndpoint('http://127.0.0.1:9/push', true)).toBe(true);
    expect(isAllowedEndpoint('ftp://127.0.0.1/push', true)).toBe(false);
  });
});
