import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snoozePresetTime } from '../src/calendar/snooze-presets.js';
import { SNOOZE_TIMER, snoozeTimerKey, wakeSnoozed } from '../src/inbox/commands/snooze.js';
import {
  addMessage,
  assignConversation,
  createConversation,
  snoozeConversation,
  unsnoozeConversation,
  updateConversationStatus,
} from '../src/inbox/commands.js';
import { countKeys } from '../src/inbox/rules.js';
import { openStore, type Store } from '../src/store/database.js';
import { findTimer } from '../src/store/timers.js';
import { call, ok, type Person, person, startTestApp, type TestApp } from './support/app.js';
import { makeTestStore } from './support/store.js';

// Issue 17, Snooze: a snoozed conversation is pending, out of Open and Mine, in the Snoozed
// view; a durable timer wakes it at its time (after a restart too, once with two
// instances), the customer writing wakes it, and so does a person.

const T0 = Date.UTC(2026, 0, 2, 15, 0); // a Friday, 16:00 in Berlin
const HOUR = 3_600_000;

const clock = { now: T0 };
const read = () => clock.now;
const timed = { clock: read, accountsClock: read, worker: { clock: read, run: false } };

let store: Store;
let app: TestApp;
let agent: Person;
let other: Person;
let n = 0;

beforeAll(async () => {
  store = await makeTestStore();
  app = await startTestApp({ store, ...timed });
  agent = await person(app, 'agent', { password: null });
  other = await person(app, 'agent', { password: null });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

async function conversation(assignee: Person | null = agent, from = `snooze${++n}@customers.test`) {
  const { conversation } = await createConversation(app.inbox, { from: { customerEmail: from }, channel: 'ticket', subject: `Snooze ${n}`, body: 'Help' });
  if (assignee) await assignConversation(app.inbox, { conversation: conversation.id, assigneeId: assignee.id, by: { userId: assignee.id } });
  return conversation.id;
}

const row = (id: number) => store.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const events = (id: number, type: string) =>
  store.db.selectFrom('conversation_events').selectAll().where('conversationId', '=', id).where('eventType', '=', type).orderBy('id').execute();
const listIds = async (who: Person, query: string) => ((await ok(app, who, 'GET', `/api/conversations?${query}`)).items as { id: number }[]).map((c) => c.id);

/** Every counter row against a recount of the conversations. */
async function expectCountersExact(): Promise<void> {
  const rows = await store.db.selectFrom('conversations').selectAll().execute();
  const recount = new Map<string, number>();
  for (const r of rows) {
    for (const key of countKeys({ ...r, labels: JSON.parse(r.labels), tags: JSON.parse(r.tags) })) recount.set(key, (recount.get(key) ?? 0) + 1);
  }
  const stored = await store.db.selectFrom('inbox_counts').selectAll().where('n', '!=', 0).where('key', 'not like', 'notifications:%').execute();
  expect(Object.fromEntries(stored.map((c) => [c.key, Number(c.n)]).sort())).toEqual(Object.fromEntries([...recount].sort()));
}

describe('snooze', () => {
  it('takes a conversation out of Open and Mine into Snoozed, with counts equal to a recount', async () => {
    const id = await conversation();
    const until = clock.now + 2 * HOUR;
    const body = await ok(app, agent, 'POST', `/api/conversations/${id}/snooze`, { until });
    expect(body.conversation).toMatchObject({ status: 'pending', snoozed: { until, by: agent.id } });
    expect(await listIds(agent, 'status=open')).not.toContain(id);
    expect(await listIds(agent, 'status=open&assignee=me')).not.toContain(id);
    expect(await listIds(agent, 'state=snoozed')).toContain(id);
    expect(await listIds(agent, 'status=pending')).toContain(id);
    const counts = await ok(app, agent, 'GET', '/api/inbox/counts');
    expect(counts.snoozed).toBe((await listIds(agent, 'state=snoozed')).length);
    expect((await findTimer(store.db, snoozeTimerKey(id)))?.dueAt).toBe(until);
    const [snoozed] = await events(id, 'snoozed');
    expect(JSON.parse(snoozed!.newValue!)).toEqual({ until });
    expect(snoozed!.origin).toBe('user');
    await expectCountersExact();
  });

  it('refuses a time in the past, a closed conversation, and a customer (404, own or not)', async () => {
    const id = await conversation();
    expect((await call(app, agent, 'POST', `/api/conversations/${id}/snooze`, { until: clock.now - 1 })).status).toBe(400);
    expect((await call(app, agent, 'POST', `/api/conversations/${id}/snooze`, {})).status).toBe(400);
    await updateConversationStatus(app.inbox, { conversation: id, status: 'closed', by: { userId: agent.id } });
    const closed = await call(app, agent, 'POST', `/api/conversations/${id}/snooze`, { preset: 'hour' });
    expect(closed.status).toBe(409);
    expect(closed.body!.error.message).toMatch(/closed/);

    const customer = await person(app, 'customer', { password: null });
    const own = await conversation(null, customer.email);
    const theirs = await conversation();
    for (const target of [own, theirs, 999_999]) {
      expect((await call(app, customer, 'POST', `/api/conversations/${target}/snooze`, { preset: 'hour' })).status).toBe(404);
      expect((await call(app, customer, 'DELETE', `/api/conversations/${target}/snooze`)).status).toBe(404);
    }
    expect((await row(theirs)).snoozedAt).toBeNull();
  });

  it('wakes at its time: open, unsnoozed by the system, unread for its assignee', async () => {
    const id = await conversation();
    await ok(app, agent, 'POST', `/api/conversations/${id}/read`);
    const until = clock.now + HOUR;
    await ok(app, other, 'POST', `/api/conversations/${id}/snooze`, { until });

    clock.now = until - 1;
    await app.composition.worker.runOnce();
    expect((await row(id)).snoozedAt).not.toBeNull();

    clock.now = until;
    expect(await app.composition.worker.runOnce()).toBe(1);
    const woken = await row(id);
    expect(woken).toMatchObject({ status: 'open', snoozedAt: null, snoozedUntil: null });
    const [unsnoozed] = await events(id, 'unsnoozed');
    expect(JSON.parse(unsnoozed!.newValue!)).toEqual({ reason: 'time' });
    expect(unsnoozed!.origin).toBe('system');
    const mine = (await ok(app, agent, 'GET', '/api/conversations?status=open&assignee=me')).items as { id: number; unread: boolean }[];
    expect(mine.find((c) => c.id === id)?.unread).toBe(true);
    await expectCountersExact();
  });

  it('wakes when the customer writes, not on an auto-reply', async () => {
    const id = await conversation();
    await snoozeConversation(app.inbox, { conversation: id, until: clock.now + HOUR, by: { userId: agent.id } });
    const from = { customerEmail: (await row(id)).customerEmail };
    await addMessage(app.inbox, { conversation: id, from, body: 'I am out of office', keepStatus: true, auto: 'auto_reply' });
    expect((await row(id)).snoozedAt).not.toBeNull();
    expect(await findTimer(store.db, snoozeTimerKey(id))).toBeDefined();

    await addMessage(app.inbox, { conversation: id, from, body: 'Any news?' });
    expect(await row(id)).toMatchObject({ status: 'open', snoozedAt: null });
    expect(await findTimer(store.db, snoozeTimerKey(id))).toBeUndefined();
    const [unsnoozed] = await events(id, 'unsnoozed');
    expect(JSON.parse(unsnoozed!.newValue!)).toEqual({ reason: 'customer' });
    await expectCountersExact();
  });

  it('"until the customer writes" has no timer; a status set by hand ends a snooze and its timer', async () => {
    const untilReply = await conversation();
    await ok(app, agent, 'POST', `/api/conversations/${untilReply}/snooze`, { until: null });
    expect(await row(untilReply)).toMatchObject({ status: 'pending', snoozedUntil: null });
    expect((await row(untilReply)).snoozedAt).not.toBeNull();
    expect(await findTimer(store.db, snoozeTimerKey(untilReply))).toBeUndefined();

    const id = await conversation();
    await snoozeConversation(app.inbox, { conversation: id, until: clock.now + HOUR, by: { userId: agent.id } });
    await updateConversationStatus(app.inbox, { conversation: id, status: 'resolved', by: { userId: agent.id } });
    expect(await row(id)).toMatchObject({ status: 'resolved', snoozedAt: null });
    expect(await findTimer(store.db, snoozeTimerKey(id))).toBeUndefined();
    await expectCountersExact();
  });

  it('re-snoozing replaces the time; a stale timer does nothing', async () => {
    const id = await conversation();
    const first = clock.now + HOUR;
    await snoozeConversation(app.inbox, { conversation: id, until: first, by: { userId: agent.id } });
    const stale = JSON.parse((await findTimer(store.db, snoozeTimerKey(id)))!.payload);
    clock.now += 1;
    const second = clock.now + 3 * HOUR;
    await snoozeConversation(app.inbox, { conversation: id, until: second, by: { userId: agent.id } });
    expect((await findTimer(store.db, snoozeTimerKey(id)))?.dueAt).toBe(second);
    expect((await events(id, 'snoozed')).length).toBe(2);

    clock.now = first;
    await app.composition.worker.runOnce();
    expect((await row(id)).snoozedUntil).toBe(second);
    // The first arming's payload, fired late (a worker that outlived its lease): nothing happens.
    await wakeSnoozed(app.inbox, stale);
    expect((await row(id)).snoozedUntil).toBe(second);

    await unsnoozeConversation(app.inbox, { conversation: id, by: { userId: other.id }, reason: 'manual' });
    expect(await row(id)).toMatchObject({ status: 'open', snoozedAt: null });
    expect(await findTimer(store.db, snoozeTimerKey(id))).toBeUndefined();
    await wakeSnoozed(app.inbox, { ...stale, until: second });
    expect((await events(id, 'unsnoozed')).length).toBe(1);
    await expectCountersExact();
  });

  it('survives a restart: the timer is still there and fires after', async () => {
    const id = await conversation();
    const until = clock.now + HOUR;
    await ok(app, agent, 'POST', `/api/conversations/${id}/snooze`, { until });
    await app.close();
    clock.now = until + 10 * HOUR;
    app = await startTestApp({ store, ...timed });
    expect((await findTimer(store.db, snoozeTimerKey(id)))?.kind).toBe(SNOOZE_TIMER);
    await app.composition.worker.runOnce();
    expect(await row(id)).toMatchObject({ status: 'open', snoozedAt: null });
  });

  it('computes presets in the business calendar and the agent\u2019s time zone', async () => {
    const admin = await person(app, 'admin', { password: null });
    const weekdays = [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' }));
    await ok(app, admin, 'PUT', '/api/settings/business-hours', { timezone: 'Europe/Berlin', intervals: weekdays, holidays: [] });
    clock.now = T0;
    const id = await conversation();
    const monday = Date.UTC(2026, 0, 5, 8, 0); // Monday 09:00 in Berlin
    const tomorrow = await ok(app, agent, 'POST', `/api/conversations/${id}/snooze`, { preset: 'tomorrow', timezone: 'Europe/Berlin' });
    expect(tomorrow.conversation.snoozed.until).toBe(monday);
    const hour = await ok(app, agent, 'POST', `/api/conversations/${id}/snooze`, { preset: 'hour' });
    expect(hour.conversation.snoozed.until).toBe(T0 + HOUR);
    await ok(app, admin, 'PUT', '/api/settings/business-hours', { timezone: 'UTC', intervals: [], holidays: [] });

    // Without hours: 09:00 on the agent's clock, tomorrow, or Monday next week.
    const calendar = { timezone: 'UTC', intervals: [], holidays: [] };
    expect(snoozePresetTime('tomorrow', { now: T0, calendar, timezone: 'America/New_York' })).toBe(Date.UTC(2026, 0, 3, 14, 0));
    expect(snoozePresetTime('next_week', { now: T0, calendar, timezone: 'Asia/Tokyo' })).toBe(Date.UTC(2026, 0, 5, 0, 0));
    // A Monday's "next week" is the Monday after.
    expect(snoozePresetTime('next_week', { now: Date.UTC(2026, 0, 5, 12), calendar })).toBe(Date.UTC(2026, 0, 12, 9));
  });

  it('is a macro action: a preset counted when it runs, or until the customer writes', async () => {
    const id = await conversation();
    const { macro } = await ok(app, agent, 'POST', '/api/macros', { name: 'Later', actions: [{ type: 'snooze', preset: 'hour' }] });
    const applied = await ok(app, agent, 'POST', `/api/macros/${macro.id}/apply`, { conversationIds: [id] });
    expect(applied.results[0].conversation.snoozed.until).toBe(clock.now + HOUR);
    expect((await events(id, 'macro_applied')).length).toBe(1);
    const { macro: untilReply } = await ok(app, agent, 'POST', '/api/macros', { name: 'Wait', actions: [{ type: 'snooze', until: null }] });
    expect(untilReply.actions).toEqual([{ type: 'snooze', until: null }]);
    await ok(app, agent, 'POST', `/api/macros/${untilReply.id}/apply`, { conversationIds: [id] });
    expect((await row(id)).snoozedUntil).toBeNull();
    expect((await call(app, agent, 'POST', '/api/macros', { name: 'Bad', actions: [{ type: 'snooze', preset: 'someday' }] })).status).toBe(400);
    await expectCountersExact();
  });

  it('is in the OpenAPI document', async () => {
    const document = (await call(app, null, 'GET', '/api/openapi.json')).body!;
    expect(Object.keys(document.paths['/api/conversations/{id}/snooze'])).toEqual(['post', 'delete']);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('snooze, two instances on PostgreSQL', () => {
  it('wakes each conversation once when both workers tick together', async () => {
    const secondStore = openStore({ databaseUrl: store.location.replace(':***@', '@'), dataDir: '' });
    const two = await startTestApp({ store: secondStore, ...timed });
    try {
      const until = clock.now + HOUR;
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) {
        const id = await conversation();
        await snoozeConversation(i % 2 ? app.inbox : two.inbox, { conversation: id, until, by: { userId: agent.id } });
        ids.push(id);
      }
      clock.now = until;
      await Promise.all([
        app.composition.worker.runOnce(),
        two.composition.worker.runOnce(),
        app.composition.worker.runOnce(),
        two.composition.worker.runOnce(),
      ]);
      await Promise.all([app.composition.worker.runOnce(), two.composition.worker.runOnce()]);
      const woken = await store.db
        .selectFrom('conversation_events')
        .select('conversationId')
        .where('conversationId', 'in', ids)
        .where('eventType', '=', 'unsnoozed')
        .execute();
      expect(woken.map((e) => Number(e.conversationId)).sort((a, b) => a - b)).toEqual(ids);
      await expectCountersExact();
    } finally {
      await two.close();
      await secondStore.close();
    }
  });
});
