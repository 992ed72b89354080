import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountsContext, setUserActive } from '../src/accounts/index.js';
import type { ZodApp } from '../src/http/server.js';
import type { Role } from '../src/store/schema.js';
import { person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

let server: TestApp;
let accounts: AccountsContext;
let app: ZodApp;

beforeAll(async () => {
  server = await startTestApp();
  ({ accounts, app } = server);
});
afterAll(async () => {
  await server?.close();
});

let n = 0;
const person = (role: Role, name?: string) => newPerson(server, role, name);

function call(who: Person | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method, url, payload: payload as never, headers: { ...headers, ...(who ? { authorization: `Bearer ${who.token}` } : {}) } });
}

async function ticket(customer: Person, subject = `Printer on fire ${++n}`) {
  const response = await call(customer, 'POST', '/api/conversations', { subject, body: 'It started smoking after the update.' });
  expect(response.statusCode).toBe(201);
  return response.json().conversation as { id: number; number: string; subject: string };
}

describe('conversations over HTTP', () => {
  it('a customer opens a ticket and the team sees it, with the team-only fields', async () => {
    const customer = await person('customer', 'Casey');
    const agent = await person('agent');
    const created = await call(customer, 'POST', '/api/conversations', { subject: 'Refund', body: 'Please refund order 42', type: 'sales' });
    expect(created.statusCode).toBe(201);
    const { conversation, message } = created.json();
    expect(conversation).toMatchObject({ channel: 'ticket', type: 'sales', status: 'open', customer: { id: customer.id, name: 'Casey' } });
    expect(conversation.priority).toBeUndefined();
    expect(message).toMatchObject({ body: 'Please refund order 42', sender: { type: 'customer', name: 'Casey' } });

    const seen = await call(agent, 'GET', `/api/conversations/${conversation.number}`);
    expect(seen.json().conversation).toMatchObject({ id: conversation.id, priority: 'normal', assignedTo: null, messageCount: 1 });
  });

  it('an agent reply sets pending; a customer reply reopens; the customer never sees the internal note', async () => {
    const customer = await person('customer');
    const agent = await person('agent');
    const { id } = await ticket(customer);
    expect((await call(agent, 'POST', `/api/conversations/${id}/messages`, { body: 'On it' })).statusCode).toBe(201);
    expect((await call(agent, 'POST', `/api/conversations/${id}/messages`, { body: 'secret: customer is on legacy plan', isInternal: true })).statusCode).toBe(
      201,
    );
    expect((await call(customer, 'GET', `/api/conversations/${id}`)).json().conversation.status).toBe('pending');
    await call(customer, 'POST', `/api/conversations/${id}/messages`, { body: 'Thanks!' });
    expect((await call(agent, 'GET', `/api/conversations/${id}`)).json().conversation.status).toBe('open');

    const customerView = (await call(customer, 'GET', `/api/conversations/${id}/messages`)).json().items;
    expect(customerView.map((m: { body: string }) => m.body)).toEqual(['It started smoking after the update.', 'On it', 'Thanks!']);
    expect(JSON.stringify(customerView)).not.toContain('legacy plan');
    const teamView = (await call(agent, 'GET', `/api/conversations/${id}/messages`)).json().items;
    expect(teamView).toHaveLength(4);
    const search = await call(customer, 'GET', `/api/search?q=legacy`);
    expect(search.json().items).toEqual([]);
    expect((await call(agent, 'GET', `/api/search?q=legacy`)).json().items.map((r: { conversation: { id: number } }) => r.conversation.id)).toContain(id);
    expect((await call(customer, 'GET', `/api/conversations/${id}/events`)).statusCode).toBe(403);
  });

  it('lists with filters and counts; customers see only their own', async () => {
    const customer = await person('customer');
    const other = await person('customer');
    const agent = await person('agent');
    const mine = await ticket(customer);
    await ticket(other);
    await call(agent, 'PATCH', `/api/conversations/${mine.id}`, { assignedTo: agent.id, labels: ['urgent'], tags: ['printer'] });
    const team = await call(agent, 'GET', '/api/conversations?status=open,pending&assignee=me&tag=printer');
    expect(team.json().items.map((c: { id: number }) => c.id)).toEqual([mine.id]);
    const own = (await call(customer, 'GET', '/api/conversations')).json();
    expect(own.items.map((c: { id: number }) => c.id)).toEqual([mine.id]);
    expect(own.counts).toEqual({ open: 1, pending: 0, resolved: 0, closed: 0 });
    const snooping = await call(customer, 'GET', '/api/conversations?label=urgent');
    expect(snooping.statusCode).toBe(400);
    expect(snooping.json().error.field).toBe('query.label');
  });

  it('PATCH applies each change and records it; customers may only resolve or close', async () => {
    const customer = await person('customer');
    const agent = await person('agent');
    const { id } = await ticket(customer);
    const patched = await call(agent, 'PATCH', `/api/conversations/${id}`, { priority: 'urgent', type: 'general', status: 'pending' });
    expect(patched.json().conversation).toMatchObject({ priority: 'urgent', type: 'general', status: 'pending' });
    const events = (await call(agent, 'GET', `/api/conversations/${id}/events`)).json().items.map((e: { eventType: string }) => e.eventType);
    expect(events).toEqual(['created', 'type_changed', 'priority_changed', 'status_changed']);
    expect((await call(customer, 'PATCH', `/api/conversations/${id}`, { priority: 'low' })).statusCode).toBe(403);
    expect((await call(customer, 'PATCH', `/api/conversations/${id}`, { status: 'resolved' })).json().conversation.status).toBe('resolved');
  });

  it('PATCH is all or nothing: one refused change leaves the others unapplied', async () => {
    const customer = await person('customer');
    const agent = await person('agent');
    const { id } = await ticket(customer);
    const refused = await call(agent, 'PATCH', `/api/conversations/${id}`, {
      priority: 'urgent',
      labels: ['urgent'],
      assignedTo: customer.id,
      status: 'resolved',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.field).toBe('assignedTo');
    const after = (await call(agent, 'GET', `/api/conversations/${id}`)).json().conversation;
    expect(after).toMatchObject({ priority: 'normal', labels: [], status: 'open', assignedTo: null });
    const events = (await call(agent, 'GET', `/api/conversations/${id}/events`)).json().items.map((e: { eventType: string }) => e.eventType);
    expect(events).toEqual(['created']);
    // A customer's forbidden field refuses the allowed one with it.
    expect((await call(customer, 'PATCH', `/api/conversations/${id}`, { status: 'resolved', priority: 'low' })).statusCode).toBe(403);
    expect((await call(agent, 'GET', `/api/conversations/${id}`)).json().conversation.status).toBe('open');
  });

  it('a deactivated member cannot be assigned: 400 naming assignedTo', async () => {
    const customer = await person('customer');
    const agent = await person('agent');
    const leaving = await person('agent', 'Lee Leaving');
    const { id } = await ticket(customer);
    await setUserActive(accounts, leaving.id, false);
    const refused = await call(agent, 'PATCH', `/api/conversations/${id}`, { assignedTo: leaving.id });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'validation_failed', field: 'assignedTo', message: expect.stringContaining('deactivated') });
    expect((await call(agent, 'GET', `/api/conversations/${id}`)).json().conversation.assignedTo).toBeNull();
  });

  it('only an admin deletes', async () => {
    const customer = await person('customer');
    const agent = await person('agent');
    const admin = await person('admin');
    const { id } = await ticket(customer);
    expect((await call(agent, 'DELETE', `/api/conversations/${id}`)).statusCode).toBe(403);
    expect((await call(admin, 'DELETE', `/api/conversations/${id}`)).statusCode).toBe(204);
    expect((await call(admin, 'GET', `/api/conversations/${id}`)).statusCode).toBe(404);
  });

  it('an Idempotency-Key makes a retried post return the first message', async () => {
    const customer = await person('customer');
    const { id } = await ticket(customer);
    const headers = { 'idempotency-key': 'retry-1' };
    const first = await call(customer, 'POST', `/api/conversations/${id}/messages`, { body: 'once' }, headers);
    const again = await call(customer, 'POST', `/api/conversations/${id}/messages`, { body: 'once' }, headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().message.id).toBe(first.json().message.id);
    expect((await call(customer, 'GET', `/api/conversations/${id}/messages`)).json().items).toHaveLength(2);
  });

  it('refuses bad input with 400 naming the field, and strangers with 401', async () => {
    const customer = await person('customer');
    const unknown = await call(customer, 'POST', '/api/conversations', { subject: 'x', body: 'y', status: 'closed' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.field).toContain('status');
    const missing = await call(customer, 'POST', '/api/conversations', { body: 'y' });
    expect(missing.json().error.field).toContain('subject');
    expect((await call(customer, 'POST', '/api/conversations', { subject: 'x', body: 'y', channel: 'email' })).statusCode).toBe(403);
    expect((await call(null, 'GET', '/api/conversations')).statusCode).toBe(401);
    expect((await call(null, 'POST', '/api/conversations', { subject: 'x', body: 'y' })).statusCode).toBe(401);
  });
});

describe('read state', () => {
  it('POST …/read clears the "New reply" mark for that agent only, until the customer writes again', async () => {
    const customer = await person('customer');
    const [ana, ben] = [await person('agent'), await person('agent')];
    const { id } = await ticket(customer);
    const unread = async (who: Person) =>
      (await call(who, 'GET', '/api/conversations?status=open&limit=100')).json().items.find((c: { id: number }) => c.id === id).unread;
    expect(await unread(ana)).toBe(true);
    const read = await call(ana, 'POST', `/api/conversations/${id}/read`);
    expect(read.statusCode).toBe(200);
    expect(Date.parse(read.json().readAt)).toBeGreaterThan(0);
    expect(await unread(ana)).toBe(false);
    expect(await unread(ben)).toBe(true);
    await call(customer, 'POST', `/api/conversations/${id}/messages`, { body: 'any news?' });
    expect(await unread(ana)).toBe(true);
    expect((await call(null, 'POST', `/api/conversations/${id}/read`)).statusCode).toBe(401);
  });
});

describe("another customer's conversation", () => {
  it('answers 404 on every route, without a byte of it', async () => {
    const alice = await person('customer', 'Alice Secret');
    const bob = await person('customer', 'Bob');
    const agent = await person('agent');
    const conversation = await ticket(alice, 'Alice private subject');
    await call(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'reply for alice only' });
    const routes: [Parameters<typeof call>[1], string, unknown?][] = [
      ['GET', `/api/conversations/${conversation.id}`],
      ['GET', `/api/conversations/${conversation.number}`],
      ['PATCH', `/api/conversations/${conversation.id}`, { status: 'resolved' }],
      ['DELETE', `/api/conversations/${conversation.id}`],
      ['GET', `/api/conversations/${conversation.id}/messages`],
      ['POST', `/api/conversations/${conversation.id}/messages`, { body: 'let me in' }],
      ['GET', `/api/conversations/${conversation.id}/events`],
      ['POST', `/api/conversations/${conversation.id}/read`],
      ['GET', `/api/conversations/${conversation.id}/participants`],
      ['POST', `/api/conversations/${conversation.id}/follow`],
      ['DELETE', `/api/conversations/${conversation.id}/follow`],
    ];
    for (const [method, url, payload] of routes) {
      const response = await call(bob, method, url, payload);
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      for (const secret of ['Alice', 'private subject', 'reply for alice', conversation.number]) expect(response.body).not.toContain(secret);
    }
    for (const url of ['/api/conversations', '/api/search?q=private', '/api/search?q=alice']) {
      const response = await call(bob, 'GET', url);
      expect(response.statusCode).toBe(200);
      for (const secret of ['Alice', 'private subject']) expect(response.body).not.toContain(secret);
    }
    // And nothing changed.
    const after = await call(alice, 'GET', `/api/conversations/${conversation.id}/messages`);
    expect(after.json().items).toHaveLength(2);
  });
});

describe('the team list', () => {
  it('lists agents and admins for assignment, to the team only', async () => {
    const agent = await person('agent', 'Zed Agent');
    const admin = await person('admin', 'Yan Admin');
    const customer = await person('customer');
    const team = (await call(agent, 'GET', '/api/users?role=agent')).json().items.map((u: { id: number }) => u.id);
    expect(team).toEqual(expect.arrayContaining([agent.id, admin.id]));
    expect(team).not.toContain(customer.id);
    const admins = (await call(agent, 'GET', '/api/users?role=admin')).json().items.map((u: { role: string }) => u.role);
    expect(new Set(admins)).toEqual(new Set(['admin']));
    expect((await call(customer, 'GET', '/api/users')).statusCode).toBe(403);
  });
});
