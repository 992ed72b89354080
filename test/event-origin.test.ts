import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_ACKNOWLEDGEMENT_JOB, EMAIL_REPLY_JOB } from '../src/channels/email/index.js';
import { addMessage, createConversation, inUnit, labelConversation, linkFollowUp, updateConversationStatus } from '../src/inbox/commands.js';
import type { Origin, SideEffectPlanner } from '../src/inbox/context.js';
import { getConversationEvents } from '../src/inbox/queries.js';
import { insertEvents } from '../src/store/events.js';
import { backfillEventOrigins } from '../src/store/migrations/0015_event_origin.js';
import { findJob } from '../src/store/outbox.js';
import { person, startTestApp, type TestApp } from './support/app.js';
import { testEmailPlanner } from './support/email.js';
import { makeAgent, makeConversation, makeCustomer, useTestInbox } from './support/inbox.js';

// Every event says where its write came from (src/inbox/context.ts Origin), the planners
// are told, and the team sees it on the audit trail.

/** What the planners were handed: event type and origin, by conversation. */
const planned: { conversationId: number; eventType: string; origin: Origin }[] = [];
const recordOrigins: SideEffectPlanner = (event) => {
  planned.push({ conversationId: event.conversationId, eventType: event.eventType, origin: event.origin });
  return [];
};

const inbox = useTestInbox({ sideEffects: [recordOrigins, testEmailPlanner({ acknowledge: true })] });

const originsOf = async (conversationId: number) => (await getConversationEvents(inbox.ctx, conversationId)).map((e) => [e.eventType, e.origin]);
const email = () => `origin-${Math.random().toString(36).slice(2)}@example.test`;

describe('the origin of an event', () => {
  it('follows the actor: a team member is user, every customer sender customer, the bot bot, a rule rule, the system system', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await createConversation(inbox.ctx, { from: { customerEmail: email() }, channel: 'ticket', subject: 'Origins', body: 'hello' });
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { userId: conversation.customer.id }, body: 'signed in now' });
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { customerId: conversation.customer.id }, body: 'from the widget' });
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { bot: 'Onethread bot' }, body: 'Have you tried the FAQ?' });
    await labelConversation(inbox.ctx, { conversation: conversation.id, tags: ['vip'], by: { userId: agent.id } });
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { unverifiedEmail: agent.email }, body: 'claimed by mail', isInternal: true });
    await updateConversationStatus(inbox.ctx, { conversation: conversation.id, status: 'resolved', by: { rule: 'Resolve when answered' } });
    const { conversation: next } = await makeConversation(inbox);
    await linkFollowUp(inbox.ctx, { conversation: conversation.id, followUp: next.id, by: { system: 'Email' } });

    expect(await originsOf(conversation.id)).toEqual([
      ['created', 'customer'],
      ['replied', 'customer'],
      ['replied', 'customer'],
      ['replied', 'bot'],
      ['labeled', 'user'],
      ['note_added', 'customer'],
      ['resolved', 'rule'],
      ['follow_up_opened', 'system'],
    ]);
    const events = await getConversationEvents(inbox.ctx, conversation.id);
    expect(events.find((e) => e.origin === 'rule')).toMatchObject({ performedBy: null, performedByName: 'Resolve when answered' });
    // The planners were handed the same.
    expect(planned.filter((p) => p.conversationId === conversation.id).map((p) => [p.eventType, p.origin])).toEqual(await originsOf(conversation.id));
  });

  it('is `import` for everything a unit with that origin writes, whoever the actors', async () => {
    const agent = await makeAgent(inbox);
    const customer = await makeCustomer(inbox);
    const { conversation } = await inUnit(
      inbox.ctx,
      async (unit) => {
        const created = await createConversation(unit, { from: { userId: customer.id }, channel: 'email', subject: 'From the old helpdesk', body: 'imported' });
        await addMessage(unit, { conversation: created.conversation.id, from: { userId: agent.id }, body: 'our old answer' });
        return created;
      },
      { origin: 'import' },
    );
    expect(new Set((await originsOf(conversation.id)).map(([, origin]) => origin))).toEqual(new Set(['import']));
    expect(planned.filter((p) => p.conversationId === conversation.id).every((p) => p.origin === 'import')).toBe(true);
  });

  it('decides what the email planner mails: nothing for an import', async () => {
    const agent = await makeAgent(inbox);
    const start = (target: Parameters<typeof createConversation>[0]) =>
      createConversation(target, { from: { userId: agent.id }, customer: { email: email() }, channel: 'email', subject: 'Your order', body: 'It shipped.' });
    // An agent starting an email conversation mails it; imported, the same is not mailed again.
    const live = await start(inbox.ctx);
    expect(live.message.delivery).toMatchObject({ status: 'queued' });
    expect(await findJob(inbox.store.db, `${EMAIL_REPLY_JOB}:${live.message.id}`)).toBeDefined();
    const imported = await inUnit(inbox.ctx, start, { origin: 'import' });
    expect(imported.message.delivery).toBeNull();
    expect(await findJob(inbox.store.db, `${EMAIL_REPLY_JOB}:${imported.message.id}`)).toBeUndefined();

    // A customer's new email conversation is acknowledged (acknowledge is on here); imported, not.
    const fresh = await createConversation(inbox.ctx, { from: { customerEmail: email() }, channel: 'email', subject: 'Hello', body: 'hi' });
    expect(await findJob(inbox.store.db, `${EMAIL_ACKNOWLEDGEMENT_JOB}:${fresh.conversation.id}`)).toBeDefined();
    const old = await inUnit(
      inbox.ctx,
      (unit) => createConversation(unit, { from: { customerEmail: email() }, channel: 'email', subject: 'Hello', body: 'hi' }),
      { origin: 'import' },
    );
    expect(await findJob(inbox.store.db, `${EMAIL_ACKNOWLEDGEMENT_JOB}:${old.conversation.id}`)).toBeUndefined();
  });

  it('is filled in for events written before it was recorded, from who performed them (migration 0015)', async () => {
    const agent = await makeAgent(inbox);
    const { conversation } = await makeConversation(inbox);
    await addMessage(inbox.ctx, { conversation: conversation.id, from: { bot: 'Helper bot' }, body: 'Hi, I am the bot.' });
    const at = inbox.clock.now;
    const row = (performedBy: number | null, performedByName: string, newValue?: unknown) => ({
      conversationId: conversation.id,
      eventType: 'legacy',
      performedBy,
      performedByName,
      origin: 'import' as const,
      newValue,
      createdAt: at,
    });
    // Rows as they were: their origin is not known (written as `import` here, to see it replaced).
    const legacy = await insertEvents(inbox.store.db, inbox.store.dialect, [
      row(agent.id, agent.name),
      row(conversation.customer.id, 'Casey Customer'),
      row(null, 'Helper bot'),
      row(null, 'Another bot', { messageId: 1, senderType: 'bot' }),
      row(null, 'Ana (by email, not verified)'),
      row(null, 'Email'),
    ]);
    await backfillEventOrigins(inbox.store.db as unknown as Kysely<unknown>);
    const ids = legacy.map((e) => Number(e.id));
    const after = await inbox.store.db.selectFrom('conversation_events').select(['id', 'origin']).where('id', 'in', ids).orderBy('id').execute();
    expect(after.map((e) => e.origin)).toEqual(['user', 'customer', 'bot', 'bot', 'customer', 'system']);
  });
});

describe('the origin over HTTP', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("the audit trail shows the team each event's origin; customers see no audit trail", async () => {
    const agent = await person(server, 'agent');
    const customer = await person(server, 'customer');
    const call = (who: { token: string }, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
      server.app.inject({ method, url, payload: payload as never, headers: { authorization: `Bearer ${who.token}` } });
    const created = await call(customer, 'POST', '/api/conversations', { subject: 'Where is it?', body: 'My parcel is late.' });
    expect(created.statusCode).toBe(201);
    const id = created.json().conversation.id as number;
    expect((await call(agent, 'PATCH', `/api/conversations/${id}`, { priority: 'high' })).statusCode).toBe(200);
    await updateConversationStatus(server.inbox, { conversation: id, status: 'pending', by: { rule: 'Wait for the carrier' } });

    const events = await call(agent, 'GET', `/api/conversations/${id}/events`);
    expect(events.statusCode).toBe(200);
    expect(events.json().items.map((e: { eventType: string; origin: string }) => [e.eventType, e.origin])).toEqual([
      ['created', 'customer'],
      ['priority_changed', 'user'],
      ['status_changed', 'rule'],
    ]);
    expect((await call(customer, 'GET', `/api/conversations/${id}/events`)).statusCode).toBe(403);
  });
});
