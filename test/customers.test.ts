import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import type { Channel } from '../src/store/schema.js';
import { call, type Method, type Person, person, startTestApp, type TestApp } from './support/app.js';

// Issue 16, customer context over real HTTP on a real database: the team reads who a
// customer is, their conversations and a searchable list, and corrects their name; for
// customers and strangers these routes do not exist (404, 401), their own record included.

let now = Date.parse('2026-12-07T09:00:00Z');
let server: TestApp;

beforeAll(async () => {
  // Each command a minute later: "latest activity first" is then a known order.
  server = await startTestApp({ clock: () => (now += 60_000) });
});
afterAll(async () => {
  await server?.close();
});

const api = (who: Person | null, method: Method, path: string, body?: unknown) => call(server, who, method, path, body);

const open = (email: string, channel: Channel, subject: string) =>
  createConversation(server.inbox, { from: { customerEmail: email }, channel, subject, body: `About ${subject}` });

describe('GET /api/customers/:id and its conversations', () => {
  it('gives the team the customer, the channels they used and their conversations, latest activity first, by pages', async () => {
    const agent = await person(server, 'agent');
    const customer = await person(server, 'customer', 'Ines Duarte');
    const other = await person(server, 'customer');
    const first = await open(customer.email, 'email', 'Invoice');
    const second = await open(customer.email, 'ticket', 'Delivery');
    const third = await open(customer.email, 'email', 'Refund');
    await open(other.email, 'chatbot', 'Not hers');

    const read = await api(agent, 'GET', `/api/customers/${customer.id}`);
    expect(read.status).toBe(200);
    expect(read.body!.customer).toEqual({
      id: customer.id,
      name: 'Ines Duarte',
      email: customer.email,
      firstSeenAt: expect.any(Number),
      channels: ['email', 'ticket'],
      company: null,
    });

    const page1 = await api(agent, 'GET', `/api/customers/${customer.id}/conversations?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body!.items).toEqual([
      {
        id: third.conversation.id,
        number: third.conversation.number,
        channel: 'email',
        subject: 'Refund',
        status: 'open',
        lastActivityAt: third.conversation.lastMessageAt,
      },
      expect.objectContaining({ id: second.conversation.id, subject: 'Delivery', channel: 'ticket' }),
    ]);
    expect(page1.body!.nextCursor).toEqual(expect.any(String));
    const page2 = await api(agent, 'GET', `/api/customers/${customer.id}/conversations?limit=2&cursor=${page1.body!.nextCursor}`);
    expect(page2.body!.items.map((c: { id: number }) => c.id)).toEqual([first.conversation.id]);
    expect(page2.body!.nextCursor).toBeNull();

    expect((await api(agent, 'GET', `/api/customers/${customer.id}/conversations?cursor=nonsense`)).status).toBe(400);
  });

  it('is 404 for a team member’s id and for an id nobody has', async () => {
    const agent = await person(server, 'agent');
    const admin = await person(server, 'admin');
    expect((await api(agent, 'GET', `/api/customers/${admin.id}`)).status).toBe(404);
    expect((await api(agent, 'GET', `/api/customers/${admin.id}/conversations`)).status).toBe(404);
    expect((await api(agent, 'GET', '/api/customers/999999999')).status).toBe(404);
    expect((await api(agent, 'PATCH', `/api/customers/${admin.id}`, { name: 'Renamed' })).status).toBe(404);
  });
});

describe('GET /api/customers', () => {
  it('finds customers by the start of their name (any case) or address, newest first, by pages', async () => {
    const agent = await person(server, 'agent');
    const tag = `zq${process.pid}`;
    const older = await person(server, 'customer', `${tag} Older`);
    const newer = await person(server, 'customer', `${tag.toUpperCase()} Newer`);
    const byAddress = await open(`${tag}-mail@example.test`, 'email', 'By mail');
    // Only the start counts, and team members are not customers.
    await person(server, 'customer', `Someone ${tag}`);
    await person(server, 'agent', `${tag} Agent`);

    const all = await api(agent, 'GET', `/api/customers?q=${tag.toUpperCase()}`);
    expect(all.status).toBe(200);
    expect(all.body!.items.map((c: { id: number }) => c.id)).toEqual([byAddress.conversation.customer.id, newer.id, older.id]);
    expect(all.body!.items[1]).toEqual({ id: newer.id, name: `${tag.toUpperCase()} Newer`, email: newer.email, firstSeenAt: expect.any(Number) });

    const page1 = await api(agent, 'GET', `/api/customers?q=${tag}&limit=2`);
    expect(page1.body!.items).toHaveLength(2);
    const page2 = await api(agent, 'GET', `/api/customers?q=${tag}&limit=2&cursor=${page1.body!.nextCursor}`);
    expect(page2.body!.items.map((c: { id: number }) => c.id)).toEqual([older.id]);
    expect(page2.body!.nextCursor).toBeNull();

    // Without q: every customer, newest first.
    const everyone = (await api(agent, 'GET', '/api/customers?limit=100')).body!.items.map((c: { id: number }) => c.id);
    expect(everyone).toEqual(expect.arrayContaining([older.id, newer.id]));
    expect(everyone).not.toContain(agent.id);
    expect(everyone).toEqual([...everyone].sort((a, b) => b - a));
    expect((await api(agent, 'GET', '/api/customers?q=nobody-starts-like-this')).body!.items).toEqual([]);
  });
});

describe('PATCH /api/customers/:id', () => {
  it('lets an agent correct the name, cleaned; the customer sees it as theirs', async () => {
    const agent = await person(server, 'agent');
    const customer = await person(server, 'customer', 'ines');
    const renamed = await api(agent, 'PATCH', `/api/customers/${customer.id}`, { name: '  Inês \u200BDuarte ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body!.customer).toMatchObject({ id: customer.id, name: 'Inês Duarte' });
    expect((await api(customer, 'GET', '/api/auth/me')).body!.user.name).toBe('Inês Duarte');
    expect((await api(agent, 'PATCH', `/api/customers/${customer.id}`, { name: '' })).status).toBe(400);
    expect((await api(agent, 'PATCH', `/api/customers/${customer.id}`, { name: 'x', email: 'new@example.test' })).status).toBe(400);
  });
});

describe('who may ask', () => {
  it('answers customers 404 (their own record too) and strangers 401, and changes nothing for them', async () => {
    const customer = await person(server, 'customer', 'Private Person');
    const other = await person(server, 'customer');
    await open(customer.email, 'email', 'Mine');
    for (const who of [customer, other]) {
      for (const path of [`/api/customers/${customer.id}`, `/api/customers/${customer.id}/conversations`, '/api/customers', '/api/customers?q=priv']) {
        const answer = await api(who, 'GET', path);
        expect(answer.status, path).toBe(404);
        expect(JSON.stringify(answer.body!)).not.toContain(customer.email);
      }
      expect((await api(who, 'PATCH', `/api/customers/${customer.id}`, { name: 'Hijacked' })).status).toBe(404);
    }
    for (const path of [`/api/customers/${customer.id}`, `/api/customers/${customer.id}/conversations`, '/api/customers']) {
      expect((await api(null, 'GET', path)).status, path).toBe(401);
    }
    expect((await api(null, 'PATCH', `/api/customers/${customer.id}`, { name: 'Hijacked' })).status).toBe(401);
    const agent = await person(server, 'agent');
    expect((await api(agent, 'GET', `/api/customers/${customer.id}`)).body!.customer.name).toBe('Private Person');
  });
});
