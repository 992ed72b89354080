import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/store/schema.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// Macros (issue 17): personal and shared macros over /api/macros, who sees and manages
// which, and running one: every action is the existing command in ONE transaction, by the
// agent who runs it, with one `macro_applied` event; one action refused and none happened.

let server: TestApp;
let admin: Person;
let agent: Person;
let teammate: Person;
let customer: Person;
let team: Json;
let n = 0;

const call = (who: Person | null, method: Method, url: string, payload?: unknown) => apiCall(server, who, method, url, payload);
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: Role, name?: string) => newPerson(server, role, name ?? {});
const listed = async (who: Person) => ((await ok(who, 'GET', '/api/macros')).items as Json[]).map((m) => m.id as number);
const make = async (who: Person, input: Json) =>
  (await ok(who, 'POST', '/api/macros', { name: `Macro ${++n}`, actions: [{ type: 'status', status: 'resolved' }], ...input })).macro as Json;
const apply = async (who: Person, macro: Json, ...conversationIds: number[]) =>
  (await ok(who, 'POST', `/api/macros/${macro.id}/apply`, { conversationIds })).results as Json[];
const newConversation = async (subject = 'Where is my refund?') =>
  (await ok(customer, 'POST', '/api/conversations', { subject, body: 'I am still waiting.' })).conversation as Json;
const conversationOf = async (id: number) => (await ok(agent, 'GET', `/api/conversations/${id}`)).conversation as Json;
const messagesOf = async (id: number) => (await ok(agent, 'GET', `/api/conversations/${id}/messages`)).items as Json[];
const eventsOf = async (id: number) => (await ok(agent, 'GET', `/api/conversations/${id}/events`)).items as Json[];

beforeAll(async () => {
  server = await startTestApp();
  admin = await person('admin', 'Ada Admin');
  agent = await person('agent', 'Alex Agent');
  teammate = await person('agent', 'Toni Teammate');
  customer = await person('customer', 'Casey Customer');
  team = (await ok(admin, 'POST', '/api/teams', { name: 'Billing', memberIds: [agent.id, teammate.id] })).team;
});
afterAll(() => server?.close());

describe('/api/macros', () => {
  it('creates, lists, edits and deletes a personal macro, which nobody else sees or runs, admins included', async () => {
    const macro = await make(agent, { name: '  Refund   done ', actions: [{ type: 'labels', add: ['follow-up'] }] });
    expect(macro).toMatchObject({ name: 'Refund done', ownerId: agent.id, canManage: true, actions: [{ type: 'labels', add: ['follow-up'] }] });
    expect(await listed(agent)).toContain(macro.id);
    const conversation = await newConversation();
    for (const other of [teammate, admin]) {
      expect(await listed(other)).not.toContain(macro.id);
      expect((await call(other, 'PATCH', `/api/macros/${macro.id}`, { name: 'Mine now' })).status).toBe(404);
      expect((await call(other, 'DELETE', `/api/macros/${macro.id}`)).status).toBe(404);
      expect((await call(other, 'POST', `/api/macros/${macro.id}/apply`, { conversationIds: [conversation.id] })).status).toBe(404);
    }
    const edited = (await ok(agent, 'PATCH', `/api/macros/${macro.id}`, { actions: [{ type: 'priority', priority: 'high' }] })).macro;
    expect(edited).toMatchObject({ id: macro.id, name: 'Refund done', actions: [{ type: 'priority', priority: 'high' }] });
    expect((await call(agent, 'DELETE', `/api/macros/${macro.id}`)).status).toBe(204);
    expect(await listed(agent)).not.toContain(macro.id);
    expect((await call(agent, 'PATCH', `/api/macros/${macro.id}`, { name: 'Gone' })).status).toBe(404);
  });

  it('lets admins alone keep shared macros, which the whole team lists and runs but does not change', async () => {
    expect((await call(agent, 'POST', '/api/macros', { name: 'All', actions: [{ type: 'status', status: 'open' }], shared: true })).status).toBe(403);
    const shared = await make(admin, { shared: true });
    expect(shared).toMatchObject({ ownerId: null, canManage: true });
    expect(await listed(agent)).toContain(shared.id);
    expect(((await ok(agent, 'GET', '/api/macros')).items as Json[]).find((m) => m.id === shared.id)?.canManage).toBe(false);
    expect((await call(agent, 'PATCH', `/api/macros/${shared.id}`, { name: 'Taken' })).status).toBe(404);
    expect((await call(agent, 'DELETE', `/api/macros/${shared.id}`)).status).toBe(404);
    const conversation = await newConversation();
    expect((await apply(teammate, shared, conversation.id))[0]).toMatchObject({ ok: true, conversation: { status: 'resolved' } });
    expect((await call(admin, 'DELETE', `/api/macros/${shared.id}`)).status).toBe(204);
  });

  it('refuses customers, strangers and wrong actions', async () => {
    const macro = await make(admin, { shared: true });
    expect((await call(customer, 'GET', '/api/macros')).status).toBe(403);
    expect((await call(customer, 'POST', '/api/macros', { name: 'x', actions: [{ type: 'status', status: 'open' }] })).status).toBe(403);
    expect((await call(customer, 'PATCH', `/api/macros/${macro.id}`, { name: 'x' })).status).toBe(403);
    expect((await call(customer, 'DELETE', `/api/macros/${macro.id}`)).status).toBe(403);
    expect((await call(customer, 'POST', `/api/macros/${macro.id}/apply`, { conversationIds: [1] })).status).toBe(403);
    expect((await call(null, 'GET', '/api/macros')).status).toBe(401);
    const personalReply = (await ok(agent, 'POST', '/api/canned-replies', { name: 'Mine', shortcut: `mine${++n}`, body: 'Mine' })).reply;
    const wrong: Json[] = [
      { name: '  ' },
      { actions: [] },
      { actions: Array.from({ length: 21 }, () => ({ type: 'status', status: 'open' })) },
      { actions: [{ type: 'snooze', until: 1 }] },
      { actions: [{ type: 'status', status: 'asleep' }] },
      { actions: [{ type: 'reply', body: '   ' }] },
      { actions: [{ type: 'labels' }] },
      { actions: [{ type: 'tags', add: ['a:b'], extra: 1 }] },
      { actions: [{ type: 'canned', cannedReplyId: 999_999, as: 'reply' }] },
      // A shared macro would fail for everyone but the reply's owner.
      { shared: true, actions: [{ type: 'canned', cannedReplyId: personalReply.id, as: 'note' }] },
    ];
    for (const bad of wrong) {
      const who = bad.shared ? admin : agent;
      const response = await call(who, 'POST', '/api/macros', { name: 'Fine', actions: [{ type: 'status', status: 'open' }], ...bad });
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await call(agent, 'PATCH', `/api/macros/${macro.id}`, {})).status).toBe(400);
    expect((await call(agent, 'POST', `/api/macros/${macro.id}/apply`, { conversationIds: Array.from({ length: 51 }, (_, i) => i + 1) })).status).toBe(400);
  });
});

describe('applying a macro', () => {
  it('runs every action in order by the agent, each with its event, plus one macro_applied, all with origin user', async () => {
    const conversation = await newConversation();
    const before = await eventsOf(conversation.id);
    const macro = await make(agent, {
      name: 'Refund done',
      actions: [
        { type: 'note', body: 'Refund issued in Stripe.' },
        { type: 'reply', body: 'Your refund is on its way.' },
        { type: 'priority', priority: 'high' },
        { type: 'team', teamId: team.id },
        { type: 'assign', assigneeId: 'me' },
        { type: 'labels', add: ['follow-up', 'urgent'], remove: ['urgent'] },
        { type: 'tags', add: ['Refund', 'billing'] },
        { type: 'status', status: 'resolved' },
      ],
    });
    const [result] = await apply(agent, macro, conversation.id);
    expect(result).toMatchObject({
      conversationId: conversation.id,
      ok: true,
      conversation: { status: 'resolved', priority: 'high', team: { id: team.id }, assignedTo: agent.id, labels: ['follow-up'], tags: ['billing', 'refund'] },
    });
    const messages = (await messagesOf(conversation.id)).slice(1);
    expect(messages.map((m) => [m.body, m.isInternal])).toEqual([
      ['Refund issued in Stripe.', true],
      ['Your refund is on its way.', false],
    ]);
    const added = (await eventsOf(conversation.id)).slice(before.length);
    expect(added.map((e) => e.eventType)).toEqual([
      'note_added',
      'replied',
      'status_changed',
      'priority_changed',
      'team_changed',
      'assigned',
      'labeled',
      'labeled',
      'resolved',
      'macro_applied',
    ]);
    for (const event of added) expect(event).toMatchObject({ performedBy: agent.id, performedByName: 'Alex Agent', origin: 'user' });
    expect(added.at(-1)!.newValue).toEqual({
      macroId: macro.id,
      name: 'Refund done',
      actions: ['note', 'reply', 'priority', 'team', 'assign', 'labels', 'tags', 'status'],
    });
  });

  it('leaves nothing of the first two actions when the third fails: no message, no change, no event', async () => {
    const cannedWithHole = (await ok(agent, 'POST', '/api/canned-replies', { name: 'Order', shortcut: `order${++n}`, body: 'Order {{order.id}} shipped.' }))
      .reply;
    const macro = await make(agent, {
      name: 'Shipped',
      actions: [
        { type: 'reply', body: 'Good news, Casey: it shipped.' },
        { type: 'status', status: 'resolved' },
        // No value for {{order.id}}: addMessage refuses to send it to the customer.
        { type: 'canned', cannedReplyId: cannedWithHole.id, as: 'reply' },
      ],
    });
    const failing = await newConversation();
    const [conversationBefore, messagesBefore, eventsBefore] = [await conversationOf(failing.id), await messagesOf(failing.id), await eventsOf(failing.id)];

    const [result] = await apply(agent, macro, failing.id);
    expect(result).toMatchObject({ conversationId: failing.id, ok: false, error: { code: 'validation_failed', field: 'body' } });
    expect(result!.error.message).toContain('{{order.id}}');

    expect(await messagesOf(failing.id)).toEqual(messagesBefore);
    expect(await eventsOf(failing.id)).toEqual(eventsBefore);
    expect(await conversationOf(failing.id)).toEqual(conversationBefore);
  });

  it('fills a canned reply action for the conversation and the agent running it', async () => {
    const canned = (
      await ok(admin, 'POST', '/api/canned-replies', {
        name: 'Thanks',
        shortcut: `thanks${++n}`,
        body: 'Hi {{customer.firstName}}, {{conversation.number}} is done. {{agent.firstName}}',
        shared: true,
      })
    ).reply;
    const macro = await make(admin, { shared: true, actions: [{ type: 'canned', cannedReplyId: canned.id, as: 'reply' }] });
    const conversation = await newConversation();
    expect((await apply(teammate, macro, conversation.id))[0]).toMatchObject({ ok: true, conversation: { status: 'pending' } });
    const last = (await messagesOf(conversation.id)).at(-1)!;
    expect(last).toMatchObject({ body: `Hi Casey, ${conversation.number} is done. Toni`, isInternal: false });
    expect((await eventsOf(conversation.id)).at(-1)).toMatchObject({ eventType: 'macro_applied', performedBy: teammate.id });
  });

  it('answers per conversation: a missing one is reported, the others run', async () => {
    const macro = await make(agent, { actions: [{ type: 'labels', add: ['urgent'] }] });
    const conversation = await newConversation();
    const results = await apply(agent, macro, 999_999, conversation.id);
    expect(results).toMatchObject([
      { conversationId: 999_999, ok: false, error: { code: 'not_found' } },
      { conversationId: conversation.id, ok: true, conversation: { labels: ['urgent'] } },
    ]);
  });
});
