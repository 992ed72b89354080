import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeSpam, SPAM_RESTORABLE_MS } from '../src/inbox/commands/spam.js';
import { addMessage, createConversation, markAsSpam, restoreFromSpam, snoozeConversation } from '../src/inbox/commands.js';
import { countKeys } from '../src/inbox/rules.js';
import type { Store } from '../src/store/database.js';
import { findTimer } from '../src/store/timers.js';
import { call, type Json, ok, type Person, person, startTestApp, type TestApp } from './support/app.js';
import { testEmailPlanner } from './support/email.js';
import { makeTestStore } from './support/store.js';

// Issue 17, Spam and blocking: a conversation marked as spam leaves every view for Spam
// (counted there only), restorable for 30 days, then purged by a durable timer; its sender
// may be blocked, and a blocked sender's next conversation or message lands in Spam with
// nothing planned (no acknowledgement, no mail). The block list is the team's to read, an
// admin's to add to; another customer's conversation is a 404.

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const DAY = 86_400_000;
const clock = { now: T0 };
const read = () => clock.now;

let store: Store;
let app: TestApp;
let admin: Person;
let agent: Person;
let other: Person;
let customer: Person;
let n = 0;

beforeAll(async () => {
  store = await makeTestStore();
  // The channel's planner with acknowledgements on: a ticket from anyone else plans one.
  app = await startTestApp({
    store,
    clock: read,
    accountsClock: read,
    worker: { clock: read, run: false },
    sideEffects: [testEmailPlanner({ acknowledge: true })],
  });
  admin = await person(app, 'admin', { password: null });
  agent = await person(app, 'agent', { password: null });
  other = await person(app, 'agent', { password: null });
  customer = await person(app, 'customer', { password: null });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

async function ticket(from = `spam${++n}@senders${n}.test`) {
  const { conversation } = await createConversation(app.inbox, {
    from: { customerEmail: from },
    channel: 'ticket',
    subject: `Offer ${n}`,
    body: 'Cheap watches',
  });
  return conversation;
}

const row = (id: number) => store.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
const events = (id: number, type: string) =>
  store.db.selectFrom('conversation_events').selectAll().where('conversationId', '=', id).where('eventType', '=', type).orderBy('id').execute();
const listIds = async (who: Person, query: string) => ((await ok(app, who, 'GET', `/api/conversations?${query}`)).items as Json[]).map((c) => c.id as number);
const jobsOf = async (conversationId: number) =>
  (await store.db.selectFrom('outbox').select('payload').execute()).filter((j) => JSON.parse(j.payload).conversationId === conversationId);

/** Every counter row against a recount of the conversations. */
async function expectCountersExact(): Promise<void> {
  const rows = await store.db.selectFrom('conversations').selectAll().execute();
  const recount = new Map<string, number>();
  for (const r of rows) {
    for (const key of countKeys({ ...r, labels: JSON.parse(r.labels), tags: JSON.parse(r.tags) })) recount.set(key, (recount.get(key) ?? 0) + 1);
  }
  const stored = await store.db.selectFrom('inbox_counts').select(['key', 'n']).where('key', 'not like', 'notifications:%').execute();
  const nonZero = stored.filter((c) => Number(c.n) !== 0).map((c) => [c.key, Number(c.n)] as const);
  expect(Object.fromEntries([...nonZero].sort())).toEqual(Object.fromEntries([...recount].sort()));
}

describe('marking as spam', () => {
  it('takes a conversation out of every view (team lists, customer history, portal) into Spam, counts equal a recount', async () => {
    const mine = (await ok(app, customer, 'POST', '/api/conversations', { subject: 'Buy now', body: 'Limited offer' })).conversation as Json;
    const id = mine.id as number;
    await snoozeConversation(app.inbox, { conversation: id, until: clock.now + DAY, by: { userId: agent.id } });
    expect(await listIds(customer, 'status=open,pending,resolved,closed')).toContain(id);

    const marked = await ok(app, agent, 'POST', `/api/conversations/${id}/spam`, {});
    expect(marked.conversation).toMatchObject({ id, status: 'closed', shelf: 'spam', snoozed: null });
    for (const query of ['status=open', 'status=closed', 'status=open,pending,resolved,closed', 'state=snoozed', `q=Limited`]) {
      expect(await listIds(agent, query), query).not.toContain(id);
    }
    expect(await listIds(agent, 'state=spam')).toContain(id);
    const history = (await ok(app, agent, 'GET', `/api/customers/${customer.id}/conversations`)).items as Json[];
    expect(history.map((c) => c.id)).not.toContain(id);
    expect(await listIds(customer, 'status=open,pending,resolved,closed')).not.toContain(id);

    const counts = await ok(app, agent, 'GET', '/api/inbox/counts');
    expect(counts.spam).toBe((await listIds(agent, 'state=spam')).length);
    await expectCountersExact();

    const [event] = await events(id, 'marked_spam');
    expect(event).toMatchObject({ performedBy: agent.id, origin: 'user' });
    expect(JSON.parse(event!.newValue!)).toEqual({ block: null });
    expect(await findTimer(store.db, `snooze:${id}`)).toBeUndefined();
    expect(await findTimer(store.db, `spam-purge:${id}`)).toMatchObject({ dueAt: clock.now + SPAM_RESTORABLE_MS, kind: 'conversation.spam_purge' });
  });

  it('restores as open, cancels the purge, and leaves the block in place', async () => {
    const c = await ticket();
    await ok(app, agent, 'POST', `/api/conversations/${c.id}/spam`, { block: 'address' });
    const restored = await ok(app, agent, 'DELETE', `/api/conversations/${c.id}/spam`);
    expect(restored.conversation).toMatchObject({ status: 'open', shelf: null });
    expect(await listIds(agent, 'status=open')).toContain(c.id);
    expect(await listIds(agent, 'state=spam')).not.toContain(c.id);
    expect(await events(c.id, 'restored_from_spam')).toHaveLength(1);
    expect(await findTimer(store.db, `spam-purge:${c.id}`)).toBeUndefined();
    const blocks = (await ok(app, agent, 'GET', '/api/blocked-senders')).items as Json[];
    expect(blocks.map((b) => b.value)).toContain(c.customer.email);
    // Restoring twice is a conflict, not a second event.
    expect((await call(app, agent, 'DELETE', `/api/conversations/${c.id}/spam`)).status).toBe(409);
    await expectCountersExact();
  });

  it('refuses a team reply in Spam (nothing would be mailed) and keeps a customer message there', async () => {
    const c = await ticket();
    await markAsSpam(app.inbox, { conversation: c.id, by: { userId: agent.id } });
    // Its acknowledgement was planned when it arrived; nothing is planned since.
    const planned = (await jobsOf(c.id)).length;
    const reply = await call(app, agent, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Hello?' });
    expect(reply.status).toBe(409);
    await addMessage(app.inbox, { conversation: c.id, from: { customerEmail: c.customer.email }, body: 'Still selling' });
    expect(await row(c.id)).toMatchObject({ status: 'closed', shelf: 'spam' });
    expect(await jobsOf(c.id)).toHaveLength(planned);
    // Reopening, assigning or labelling it is refused too: it is restored first, or it would be open on the spam shelf.
    for (const patch of [{ status: 'open' }, { assignedTo: agent.id }, { labels: ['urgent'] }]) {
      expect((await call(app, agent, 'PATCH', `/api/conversations/${c.id}`, patch)).status).toBe(409);
    }
    expect(await row(c.id)).toMatchObject({ status: 'closed', shelf: 'spam', assignedTo: null });
    await expectCountersExact();
  });
});

describe('the block list', () => {
  it('is the team’s to read and an admin’s to add to; customers never see it (403)', async () => {
    expect((await call(app, customer, 'GET', '/api/blocked-senders')).status).toBe(403);
    expect((await call(app, customer, 'POST', '/api/blocked-senders', { value: 'x.test' })).status).toBe(403);
    expect((await call(app, null, 'GET', '/api/blocked-senders')).status).toBe(401);
    expect((await call(app, agent, 'POST', '/api/blocked-senders', { value: 'spammer@bulk.test' })).status).toBe(403);
    const added = await call(app, admin, 'POST', '/api/blocked-senders', { value: ' Spammer@Bulk.TEST ' });
    expect(added.status).toBe(201);
    expect(added.body!.blocked).toMatchObject({ value: 'spammer@bulk.test', kind: 'address', createdBy: admin.id, canUnblock: true });
    const domain = await ok(app, admin, 'POST', '/api/blocked-senders', { value: '@Bulk-Mail.test' });
    expect(domain.blocked).toMatchObject({ value: 'bulk-mail.test', kind: 'domain' });
    expect((await call(app, admin, 'POST', '/api/blocked-senders', { value: 'not a domain' })).status).toBe(400);
    const listed = (await ok(app, agent, 'GET', '/api/blocked-senders')).items as Json[];
    expect(listed.find((b) => b.value === 'spammer@bulk.test')).toMatchObject({ canUnblock: false, createdByName: admin.name });
    // Pages by id, newest first, never repeating a row.
    const first = await ok(app, agent, 'GET', '/api/blocked-senders?limit=1');
    const second = await ok(app, agent, 'GET', `/api/blocked-senders?limit=1&cursor=${first.nextCursor}`);
    expect(second.items[0].id).toBeLessThan(first.items[0].id);
  });

  it('refuses to block a team member’s address or domain, and our own support address', async () => {
    const teamDomain = agent.email.split('@')[1]!;
    const refused = await call(app, admin, 'POST', '/api/blocked-senders', { value: teamDomain });
    expect(refused.status).toBe(400);
    expect(refused.body!.error.message).toMatch(/team member/);
    expect((await call(app, admin, 'POST', '/api/blocked-senders', { value: agent.email })).status).toBe(400);
    const c = await ticket('someone@shop.test');
    await expect(
      markAsSpam(app.inbox, { conversation: c.id, by: { userId: agent.id }, block: 'domain', ownAddresses: ['support@shop.test'] }),
    ).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/support address/) });
    // Refused as a whole: the conversation is not in Spam either.
    expect(await row(c.id)).toMatchObject({ shelf: null, status: 'open' });
  });

  it('lets an admin or whoever blocked it unblock; another agent may not; a missing id is 404', async () => {
    const c = await ticket();
    await ok(app, agent, 'POST', `/api/conversations/${c.id}/spam`, { block: 'domain' });
    const domain = c.customer.email.split('@')[1];
    const block = ((await ok(app, other, 'GET', '/api/blocked-senders?limit=100')).items as Json[]).find((b) => b.value === domain)!;
    expect(block).toMatchObject({ kind: 'domain', conversationId: c.id, createdBy: agent.id, canUnblock: false });
    expect((await call(app, other, 'DELETE', `/api/blocked-senders/${block.id}`)).status).toBe(403);
    expect((await call(app, customer, 'DELETE', `/api/blocked-senders/${block.id}`)).status).toBe(403);
    expect((await call(app, agent, 'DELETE', `/api/blocked-senders/${block.id}`)).status).toBe(204);
    expect((await call(app, agent, 'DELETE', `/api/blocked-senders/${block.id}`)).status).toBe(404);
    const byAdmin = await ok(app, admin, 'POST', '/api/blocked-senders', { value: 'x@unblock.test' });
    expect((await call(app, admin, 'DELETE', `/api/blocked-senders/${byAdmin.blocked.id}`)).status).toBe(204);
  });

  it('answers a customer 404 on someone else’s conversation and 403 on their own', async () => {
    const theirs = await ticket();
    expect((await call(app, customer, 'POST', `/api/conversations/${theirs.id}/spam`, {})).status).toBe(404);
    expect((await call(app, customer, 'DELETE', `/api/conversations/${theirs.id}/spam`)).status).toBe(404);
    expect((await call(app, customer, 'POST', '/api/conversations/999999/spam', {})).status).toBe(404);
    const own = (await ok(app, customer, 'POST', '/api/conversations', { subject: 'Mine', body: 'Mine' })).conversation as Json;
    expect((await call(app, customer, 'POST', `/api/conversations/${own.id}/spam`, { block: 'domain' })).status).toBe(403);
    expect(await row(own.id)).toMatchObject({ shelf: null });
  });
});

describe('a blocked sender', () => {
  it('lands in Spam directly through the API and the contact form, with nothing planned and nobody assigned', async () => {
    // A rule that would queue or give out every new conversation.
    await ok(app, admin, 'PUT', '/api/assignment-rules/none', {
      mode: 'balanced',
      capacity: 5,
      capacities: [],
      arrivals: { new: true, reopened: true, handover: true },
    });
    const control = await ticket();
    expect(await jobsOf(control.id)).not.toEqual([]);

    const sender = await person(app, 'customer', { password: null });
    const first = (await ok(app, sender, 'POST', '/api/conversations', { subject: 'First', body: 'Buy' })).conversation as Json;
    await ok(app, agent, 'POST', `/api/conversations/${first.id}/spam`, { block: 'address' });

    const jobsBefore = (await store.db.selectFrom('outbox').select('id').execute()).length;
    const next = (await ok(app, sender, 'POST', '/api/conversations', { subject: 'Second', body: 'Buy more' })).conversation as Json;
    const contact = await call(app, null, 'POST', '/api/contact', { name: 'Spammer', email: sender.email, subject: 'Third', message: 'Buy!' });
    expect(contact.status).toBe(201);
    const third = await store.db.selectFrom('conversations').select('id').where('subject', '=', 'Third').executeTakeFirstOrThrow();
    for (const id of [next.id as number, Number(third.id)]) {
      expect(await row(id)).toMatchObject({ status: 'closed', shelf: 'spam', assignedTo: null });
      const [event] = await events(id, 'marked_spam');
      expect(event).toMatchObject({ origin: 'system', performedBy: null });
      expect(JSON.parse(event!.newValue!)).toEqual({ block: null, reason: 'blocked_sender' });
      expect(await store.db.selectFrom('assignment_queue').selectAll().where('conversationId', '=', id).execute()).toEqual([]);
      expect(await findTimer(store.db, `spam-purge:${id}`)).toBeDefined();
    }
    expect((await store.db.selectFrom('outbox').select('id').execute()).length).toBe(jobsBefore);
    expect(await listIds(agent, 'state=spam')).toEqual(expect.arrayContaining([next.id, Number(third.id)]));
    expect(await listIds(agent, 'status=open,pending,resolved,closed')).not.toContain(next.id);
    await expectCountersExact();
    await ok(app, admin, 'PUT', '/api/assignment-rules/none', {
      mode: 'manual',
      capacity: 5,
      capacities: [],
      arrivals: { new: true, reopened: true, handover: true },
    });
  });

  it('takes an existing conversation to Spam with their next message; a domain block covers every address there', async () => {
    const c = await ticket('ann@blocked-domain.test');
    await ok(app, admin, 'POST', '/api/blocked-senders', { value: 'blocked-domain.test' });
    await addMessage(app.inbox, { conversation: c.id, from: { customerEmail: 'ann@blocked-domain.test' }, body: 'More offers' });
    expect(await row(c.id)).toMatchObject({ status: 'closed', shelf: 'spam' });
    const [event] = await events(c.id, 'marked_spam');
    expect(JSON.parse(event!.newValue!)).toMatchObject({ reason: 'blocked_sender' });
    const bob = await ticket('bob@blocked-domain.test');
    expect(await row(bob.id)).toMatchObject({ shelf: 'spam' });
    // Not a subdomain: `mail.blocked-domain.test` is someone else.
    const sub = await ticket('cy@mail.blocked-domain.test');
    expect(await row(sub.id)).toMatchObject({ shelf: null });
    await expectCountersExact();
  });
});

describe('the purge', () => {
  it('deletes a conversation 30 days after it went to Spam, not one restored meanwhile', async () => {
    const kept = await ticket();
    const purged = await ticket();
    await markAsSpam(app.inbox, { conversation: kept.id, by: { userId: agent.id } });
    await markAsSpam(app.inbox, { conversation: purged.id, by: { userId: agent.id } });
    clock.now += DAY;
    await restoreFromSpam(app.inbox, { conversation: kept.id, by: { userId: agent.id } });

    clock.now = T0 + SPAM_RESTORABLE_MS - 60_000;
    await app.composition.worker.runOnce();
    expect(await row(purged.id)).toBeDefined();

    clock.now = T0 + SPAM_RESTORABLE_MS + DAY;
    await app.composition.worker.runOnce();
    expect(await row(purged.id)).toBeUndefined();
    const [deleted] = await events(purged.id, 'deleted');
    expect(deleted).toMatchObject({ origin: 'system' });
    expect(await row(kept.id)).toMatchObject({ status: 'open', shelf: null });
    // A stale firing (the timer of a restored one) does nothing.
    expect(await purgeSpam(app.inbox, kept.id)).toBe(false);
    await expectCountersExact();
  });
});
