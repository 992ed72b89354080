import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillPlaceholders, placeholdersIn } from '../src/inbox/canned/placeholders.js';
import type { Role } from '../src/store/schema.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// Canned replies (issue 17): personal and shared replies over /api/canned-replies, who sees
// and manages which, the picker's ranked search, placeholders filled for a conversation, and
// the server refusing a public reply that would send `{{…}}` to a customer.

let server: TestApp;
let admin: Person;
let agent: Person;
let teammate: Person;
let outsider: Person;
let customer: Person;
let team: Json;
let n = 0;

const call = (who: Person | null, method: Method, url: string, payload?: unknown) => apiCall(server, who, method, url, payload);
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: Role, name?: string) => newPerson(server, role, name ?? {});
const found = async (who: Person, q = '') =>
  ((await ok(who, 'GET', `/api/canned-replies?q=${encodeURIComponent(q)}`)).items as Json[]).map((r) => r.id as number);
const make = async (who: Person, input: Json) =>
  (await ok(who, 'POST', '/api/canned-replies', { name: `Reply ${++n}`, shortcut: `r${n}`, body: 'Hello', ...input })).reply as Json;

beforeAll(async () => {
  server = await startTestApp();
  admin = await person('admin', 'Ada Admin');
  agent = await person('agent', 'Alex Agent');
  teammate = await person('agent');
  outsider = await person('agent');
  customer = await person('customer', 'Casey Customer');
  team = (await ok(admin, 'POST', '/api/teams', { name: 'Billing', memberIds: [agent.id, teammate.id] })).team;
});
afterAll(() => server?.close());

describe('placeholders', () => {
  const values = {
    customer: { name: 'Quinn Q. Public', email: 'quinn@example.test' },
    conversation: { number: 'CONV-000042', subject: 'Refund' },
    agent: { name: 'Alex Agent' },
  };

  it('fills every placeholder that has a value, and lists the others as written, once', () => {
    const body =
      'Hi {{customer.firstName}} ({{ customer.name }}, {{customer.email}}), re {{conversation.number}} "{{conversation.subject}}". {{agent.firstName}} / {{agent.name}} {{order.id}} {{order.id}}';
    expect(fillPlaceholders(body, values)).toEqual({
      body: 'Hi Quinn (Quinn Q. Public, quinn@example.test), re CONV-000042 "Refund". Alex / Alex Agent {{order.id}} {{order.id}}',
      missing: ['{{order.id}}'],
    });
  });

  it("leaves a customer's name unknown when it is only their address's local part", () => {
    const filled = fillPlaceholders('Hi {{customer.firstName}}, {{agent.name}}', {
      ...values,
      customer: { name: 'quinn', email: 'quinn@example.test' },
      agent: { name: ' ' },
    });
    expect(filled).toEqual({ body: 'Hi {{customer.firstName}}, {{agent.name}}', missing: ['{{customer.firstName}}', '{{agent.name}}'] });
  });

  it('finds placeholders of the form {{word.word}} only', () => {
    expect(placeholdersIn('a {{x.y}} {b} {{ c }} {{d.e.f}} {{x.y}} {{ g.h }}')).toEqual(['{{x.y}}', '{{ g.h }}']);
  });
});

describe('/api/canned-replies', () => {
  it('creates, finds, edits and deletes a personal reply, which nobody else sees, admins included', async () => {
    const reply = await make(agent, { name: '  Refund   policy ', shortcut: '/Refund', body: 'Refunds take 5 days.' });
    expect(reply).toMatchObject({ name: 'Refund policy', shortcut: 'refund', ownerId: agent.id, teamId: null, canManage: true });
    expect(await found(agent, 'refund')).toContain(reply.id);
    for (const other of [teammate, admin]) {
      expect(await found(other, 'refund')).not.toContain(reply.id);
      expect((await call(other, 'PATCH', `/api/canned-replies/${reply.id}`, { name: 'Mine now' })).status).toBe(404);
      expect((await call(other, 'DELETE', `/api/canned-replies/${reply.id}`)).status).toBe(404);
      expect((await call(other, 'GET', `/api/canned-replies/${reply.id}/render?conversation=1`)).status).toBe(404);
    }
    const edited = (await ok(agent, 'PATCH', `/api/canned-replies/${reply.id}`, { body: 'Refunds take 3 days.', shortcut: 'refunds' })).reply;
    expect(edited).toMatchObject({ id: reply.id, body: 'Refunds take 3 days.', shortcut: 'refunds', name: 'Refund policy' });
    expect((await call(agent, 'DELETE', `/api/canned-replies/${reply.id}`)).status).toBe(204);
    expect(await found(agent, 'refund')).not.toContain(reply.id);
    expect((await call(agent, 'PATCH', `/api/canned-replies/${reply.id}`, { name: 'Gone' })).status).toBe(404);
  });

  it('lets admins alone keep shared replies: the whole team sees those, one team only its members', async () => {
    expect((await call(agent, 'POST', '/api/canned-replies', { name: 'Hi', shortcut: 'hi', body: 'Hi', shared: true })).status).toBe(403);
    const everyone = await make(admin, { shared: true, name: 'Greeting for all' });
    const billing = await make(admin, { shared: true, teamId: team.id, name: 'Billing greeting' });
    expect(everyone).toMatchObject({ ownerId: null, teamId: null });
    expect(billing).toMatchObject({ ownerId: null, teamId: team.id });

    expect(await found(agent, 'greeting')).toEqual(expect.arrayContaining([everyone.id, billing.id]));
    expect(await found(outsider, 'greeting')).toContain(everyone.id);
    expect(await found(outsider, 'greeting')).not.toContain(billing.id);
    expect((await call(outsider, 'GET', `/api/canned-replies/${billing.id}/render?conversation=1`)).status).toBe(404);

    // Team members use a shared reply; they do not change it.
    const seen = (await ok(agent, 'GET', '/api/canned-replies?q=billing%20greeting')).items as Json[];
    expect(seen.find((r) => r.id === billing.id)?.canManage).toBe(false);
    expect((await call(agent, 'PATCH', `/api/canned-replies/${billing.id}`, { name: 'Taken' })).status).toBe(404);
    expect((await call(agent, 'DELETE', `/api/canned-replies/${everyone.id}`)).status).toBe(404);
    expect((await ok(admin, 'PATCH', `/api/canned-replies/${billing.id}`, { teamId: null })).reply.teamId).toBeNull();
    expect(await found(outsider, 'billing greeting')).toContain(billing.id);
    expect((await call(admin, 'PATCH', `/api/canned-replies/${billing.id}`, { teamId: 999_999 })).status).toBe(400);
    expect((await call(admin, 'DELETE', `/api/canned-replies/${billing.id}`)).status).toBe(204);
  });

  it('refuses customers, strangers and replies without a name, shortcut or body', async () => {
    const reply = await make(admin, { shared: true });
    expect((await call(customer, 'GET', '/api/canned-replies')).status).toBe(403);
    expect((await call(customer, 'POST', '/api/canned-replies', { name: 'x', shortcut: 'x', body: 'x' })).status).toBe(403);
    expect((await call(customer, 'PATCH', `/api/canned-replies/${reply.id}`, { name: 'x' })).status).toBe(403);
    expect((await call(customer, 'DELETE', `/api/canned-replies/${reply.id}`)).status).toBe(403);
    expect((await call(customer, 'GET', `/api/canned-replies/${reply.id}/render?conversation=1`)).status).toBe(403);
    expect((await call(null, 'GET', '/api/canned-replies')).status).toBe(401);
    for (const bad of [{ name: '  ' }, { shortcut: 'two words' }, { shortcut: '/' }, { body: '   ' }, { teamId: team.id }]) {
      const response = await call(agent, 'POST', '/api/canned-replies', { name: 'Fine', shortcut: 'fine', body: 'Fine', ...bad });
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await call(agent, 'PATCH', `/api/canned-replies/${reply.id}`, {})).status).toBe(400);
  });

  it('ranks a shortcut starting with the query first, then a name holding it, then a body; at most 20', async () => {
    const inBody = await make(teammate, { name: 'Aaa', shortcut: 'aaa', body: 'About the zebra crossing' });
    const inName = await make(teammate, { name: 'Zebra stripes', shortcut: 'stripes', body: 'Stripes' });
    const byShortcut = await make(teammate, { name: 'Zzz', shortcut: 'zebra', body: 'Zzz' });
    const literal = await make(teammate, { name: '100% sure', shortcut: 'sure', body: 'Sure' });
    expect(await found(teammate, 'ZEBRA')).toEqual([byShortcut.id, inName.id, inBody.id]);
    // LIKE's wildcards are matched as themselves.
    expect(await found(teammate, '%')).toEqual([literal.id]);
    expect(await found(teammate, '_')).toEqual([]);
    for (let i = 0; i < 20; i++) await make(teammate, { name: `Many ${i}` });
    expect(await found(teammate)).toHaveLength(20);
  });

  it('renders a reply for a conversation: placeholders filled, those without a value listed', async () => {
    const { conversation } = await ok(customer, 'POST', '/api/conversations', { subject: 'Broken zipper', body: 'It broke.' });
    const reply = await make(agent, {
      body: 'Hi {{customer.firstName}}, about {{conversation.number}} ({{conversation.subject}}): {{order.id}}. {{agent.firstName}}',
    });
    const rendered = await ok(agent, 'GET', `/api/canned-replies/${reply.id}/render?conversation=${conversation.id}`);
    expect(rendered).toEqual({ body: `Hi Casey, about ${conversation.number} (Broken zipper): {{order.id}}. Alex`, missing: ['{{order.id}}'] });
    expect((await ok(agent, 'GET', `/api/canned-replies/${reply.id}/render?conversation=${conversation.number}`)).body).toBe(rendered.body);
    expect((await call(agent, 'GET', `/api/canned-replies/${reply.id}/render?conversation=999999`)).status).toBe(404);
  });
});

describe('a placeholder never reaches a customer', () => {
  it("refuses an agent's public reply with a placeholder left, storing nothing; a note and a customer's braces are fine", async () => {
    const { conversation } = await ok(customer, 'POST', '/api/conversations', {
      subject: 'Template {{customer.firstName}}',
      body: 'I typed {{customer.firstName}} on purpose {}',
    });
    const messages = async () => ((await ok(agent, 'GET', `/api/conversations/${conversation.id}/messages`)).items as Json[]).map((m) => m.body as string);
    const before = await messages();

    const refused = await call(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Hi {{customer.firstName}}, and {{ order.id }}.' });
    expect(refused.status).toBe(400);
    expect(refused.body?.error?.message ?? JSON.stringify(refused.body)).toMatch(/\{\{customer\.firstName\}\}, \{\{ order\.id \}\}/);
    expect(await messages()).toEqual(before);
    expect((await ok(agent, 'GET', `/api/conversations/${conversation.id}`)).conversation.status).toBe('open');

    // An agent cannot start a conversation with one either.
    const started = await call(agent, 'POST', '/api/conversations', { subject: 'Hi', body: 'Dear {{customer.name}}', customer: { email: customer.email } });
    expect(started.status).toBe(400);

    await ok(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Note: send {{customer.firstName}} the form', isInternal: true });
    await ok(customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Again: {{customer.firstName}}' });
    await ok(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Hi Casey, braces {like these} are fine.' });
    expect(await messages()).toEqual([
      ...before,
      'Note: send {{customer.firstName}} the form',
      'Again: {{customer.firstName}}',
      'Hi Casey, braces {like these} are fine.',
    ]);
  });
});
