import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMessage, assignConversation, createConversation, inUnit, updateConversation } from '../src/inbox/commands.js';
import type { Role } from '../src/store/schema.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// In-app notifications (issue 18, the core): computed in the command's transaction from its
// events, folded per user, kind and conversation while unread, counted by a counter row.

let server: TestApp;
let admin: Person;
let ann: Person;
let bob: Person;
let customer: Person;
let n = 0;

const call = (who: Person | null, method: Method, url: string, payload?: unknown) => apiCall(server, who, method, url, payload);
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: Role) => newPerson(server, role);
const newConversation = async () => (await ok(customer, 'POST', '/api/conversations', { subject: `Question ${++n}`, body: 'Hello' })).conversation as Json;
const customerReply = (id: number, body = 'More') => ok(customer, 'POST', `/api/conversations/${id}/messages`, { body });
const list = async (who: Person, query = '') => (await ok(who, 'GET', `/api/notifications${query}`)) as Json;
const unreadCount = async (who: Person) => (await ok(who, 'GET', '/api/notifications/count')).unreadCount as number;
/** The unread notifications about one conversation. */
const about = async (who: Person, conversationId: number) =>
  ((await list(who, '?unread=1')).items as Json[]).filter((i) => i.conversation.id === conversationId);
const readAll = async (...who: Person[]) => {
  for (const p of who) await ok(p, 'POST', '/api/notifications/read', { all: true });
};

/** The counters against a recount of the rows: they never differ. */
async function expectCountersExact() {
  const db = server.store.db;
  const rows = await db
    .selectFrom('notifications')
    .select(['userId', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('readAt', 'is', null)
    .groupBy('userId')
    .execute();
  const recount = new Map(rows.map((r) => [`notifications:${r.userId}`, Number(r.n)]));
  const counters = await db.selectFrom('inbox_counts').select(['key', 'n']).where('key', 'like', 'notifications:%').execute();
  const kept = new Map(counters.filter((c) => Number(c.n) !== 0).map((c) => [c.key, Number(c.n)]));
  expect(kept).toEqual(recount);
}

beforeAll(async () => {
  server = await startTestApp();
  admin = await person('admin');
  ann = await person('agent');
  bob = await person('agent');
  customer = await person('customer');
});
afterAll(() => server?.close());

describe('notifications', () => {
  it("folds five customer replies on A's conversation into one unread notification with count 5", async () => {
    const c = await newConversation();
    await assignConversation(server.inbox, { conversation: c.id, assigneeId: ann.id, by: { userId: admin.id } });
    await readAll(ann, bob, admin);
    for (let i = 0; i < 5; i++) await customerReply(c.id, `reply ${i}`);
    const mine = await about(ann, c.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      kind: 'customer_replied',
      count: 5,
      readAt: null,
      actor: { id: customer.id },
      conversation: { id: c.id, number: c.number, subject: c.subject },
    });
    expect(await unreadCount(ann)).toBe(1);
    expect((await ok(ann, 'GET', '/api/inbox/counts')).notifications).toBe(1);
    // Assigned and with a reply, it concerns nobody else.
    expect(await about(bob, c.id)).toEqual([]);
    await expectCountersExact();
  });

  it('never tells the actor; assignment tells the assignee, not when self-assigned', async () => {
    const c = await newConversation();
    await readAll(ann, bob, admin);
    await assignConversation(server.inbox, { conversation: c.id, assigneeId: bob.id, by: { userId: admin.id } });
    expect((await about(bob, c.id)).map((i) => [i.kind, i.actor.id])).toEqual([['assigned', admin.id]]);
    await assignConversation(server.inbox, { conversation: c.id, assigneeId: ann.id, by: { userId: ann.id } });
    expect(await about(ann, c.id)).toEqual([]);
    // Ann answers publicly: Bob follows it (assigned before), Ann wrote it.
    await readAll(bob);
    await ok(ann, 'POST', `/api/conversations/${c.id}/messages`, { body: 'On it' });
    expect(await about(ann, c.id)).toEqual([]);
    expect((await about(bob, c.id)).map((i) => i.kind)).toEqual(['participating']);
    await expectCountersExact();
  });

  it('a mention in a note tells only the mentioned; a note without one tells nobody', async () => {
    const c = await newConversation();
    await assignConversation(server.inbox, { conversation: c.id, assigneeId: ann.id, by: { userId: admin.id } });
    await readAll(ann, bob, admin);
    await ok(admin, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Just a note', isInternal: true });
    expect(await unreadCount(ann)).toBe(0);
    expect(await unreadCount(bob)).toBe(0);
    await ok(admin, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Have a look', isInternal: true, mentions: [bob.id] });
    expect((await about(bob, c.id)).map((i) => [i.kind, i.count])).toEqual([['mentioned', 1]]);
    expect(await unreadCount(ann)).toBe(0);
    expect(await unreadCount(admin)).toBe(0);
  });

  it('an auto-reply and imported history tell nobody', async () => {
    const c = await newConversation();
    await assignConversation(server.inbox, { conversation: c.id, assigneeId: ann.id, by: { userId: admin.id } });
    await readAll(ann, bob, admin);
    await addMessage(server.inbox, { conversation: c.id, from: { userId: customer.id }, body: 'I am out of office', auto: 'auto_reply', keepStatus: true });
    expect(await unreadCount(ann)).toBe(0);

    const imported = await inUnit(
      server.inbox,
      async (unit) => {
        const created = await createConversation(unit, { from: { userId: customer.id }, channel: 'ticket', subject: 'Old one', body: 'from before' });
        await assignConversation(unit, { conversation: created.conversation.id, assigneeId: ann.id, by: { userId: admin.id } });
        await addMessage(unit, { conversation: created.conversation.id, from: { userId: customer.id }, body: 'and again' });
        return created;
      },
      { origin: 'import' },
    );
    expect(imported.conversation.id).toBeGreaterThan(0);
    for (const p of [ann, bob, admin]) expect(await unreadCount(p)).toBe(0);
  });

  it("unassigned activity reaches the team's members only", async () => {
    const team = await ok(admin, 'POST', '/api/teams', { name: `Billing ${process.pid}`, memberIds: [ann.id] });
    const c = await newConversation();
    // Without a team, a new unassigned conversation is every active member's business.
    expect((await about(bob, c.id)).map((i) => i.kind)).toEqual(['unassigned_activity']);
    await updateConversation(server.inbox, { conversation: c.id, teamId: team.team?.id ?? team.id, by: { userId: admin.id } });
    await readAll(ann, bob, admin);
    await customerReply(c.id);
    expect((await about(ann, c.id)).map((i) => [i.kind, i.count])).toEqual([['unassigned_activity', 1]]);
    expect(await unreadCount(bob)).toBe(0);
    expect(await unreadCount(admin)).toBe(0);
  });

  it('opening the conversation marks its notifications read; read all; keyset pages', async () => {
    const convs: Json[] = [];
    for (let i = 0; i < 5; i++) convs.push(await newConversation());
    await readAll(ann);
    for (const c of convs) await assignConversation(server.inbox, { conversation: c.id, assigneeId: ann.id, by: { userId: admin.id } });
    expect(await unreadCount(ann)).toBe(5);
    await ok(ann, 'POST', `/api/conversations/${convs[0]!.id}/read`);
    expect(await unreadCount(ann)).toBe(4);
    expect(await about(ann, convs[0]!.id)).toEqual([]);
    expect((await ok(ann, 'POST', '/api/notifications/read', { conversationId: convs[1]!.id })).unreadCount).toBe(3);

    // Pages of two, newest first, unread only: the three left, then nothing more.
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = await list(ann, `?unread=1&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.unreadCount).toBe(3);
      seen.push(...(page.items as Json[]).map((i) => i.conversation.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([convs[4]!.id, convs[3]!.id, convs[2]!.id]);
    const ids = ((await list(ann, '?unread=1&limit=1')).items as Json[]).map((i) => i.id);
    expect((await ok(ann, 'POST', '/api/notifications/read', { ids })).unreadCount).toBe(2);
    // Someone else's ids change nothing.
    expect((await ok(bob, 'POST', '/api/notifications/read', { ids: seen })).unreadCount).toBe(await unreadCount(bob));
    expect((await ok(ann, 'POST', '/api/notifications/read', { all: true })).unreadCount).toBe(0);
    expect((await call(ann, 'GET', '/api/notifications?cursor=nonsense')).status).toBe(400);
    await expectCountersExact();
  });

  it('deleting a conversation takes its notifications off the counters', async () => {
    const c = await newConversation();
    await readAll(ann, bob);
    await assignConversation(server.inbox, { conversation: c.id, assigneeId: ann.id, by: { userId: admin.id } });
    await ok(admin, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Look', isInternal: true, mentions: [bob.id] });
    await customerReply(c.id);
    await ok(bob, 'POST', '/api/notifications/read', { conversationId: c.id });
    await ok(admin, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Again', isInternal: true, mentions: [bob.id] });
    expect(await about(ann, c.id)).not.toEqual([]);
    await expectCountersExact();
    const before = await unreadCount(ann);
    expect((await call(admin, 'DELETE', `/api/conversations/${c.id}`)).status).toBe(204);
    expect(await unreadCount(ann)).toBe(before - 2);
    await expectCountersExact();
  });

  it('refuses customers (403) and nobody signed in (401)', async () => {
    expect((await call(customer, 'GET', '/api/notifications')).status).toBe(403);
    expect((await call(customer, 'GET', '/api/notifications/count')).status).toBe(403);
    expect((await call(customer, 'POST', '/api/notifications/read', { all: true })).status).toBe(403);
    expect((await call(null, 'GET', '/api/notifications')).status).toBe(401);
  });
});
