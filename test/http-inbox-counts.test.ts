import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodApp } from '../src/http/server.js';
import type { Role } from '../src/store/schema.js';
import { person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// GET /api/inbox/counts: every sidebar number in one request, each equal to what the
// matching list holds, for the team only.

type Json = Record<string, any>;

describe('inbox counts over HTTP', () => {
  let server: TestApp;
  let app: ZodApp;
  let admin: Person;
  let agent: Person;
  let customer: Person;
  let n = 0;

  const person = (role: Role) => newPerson(server, role);
  const call = async (who: Person | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const response = await app.inject({ method, url, payload: payload as never, headers: who ? { authorization: `Bearer ${who.token}` } : {} });
    return { status: response.statusCode, body: response.body ? (response.json() as Json) : null };
  };
  const ok = async (who: Person, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const response = await call(who, method, url, payload);
    expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body!;
  };
  /** How many conversations the list itself holds for these filters, walking every page. */
  const listed = async (who: Person, query: string) => {
    let total = 0;
    let cursor: string | null = null;
    do {
      const page: Json = await ok(who, 'GET', `/api/conversations?${query}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      total += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    return total;
  };

  beforeAll(async () => {
    server = await startTestApp();
    app = server.app;
    admin = await person('admin');
    agent = await person('agent');
    customer = await person('customer');

    const open = async (channel: string, patch: Json = {}) => {
      const { conversation } = await ok(admin, 'POST', '/api/conversations', {
        subject: `About ${channel}`,
        body: 'Hello',
        channel,
        customer: { email: `someone${++n}@customers.test` },
      });
      // The team writing first leaves it pending, waiting for the customer: open it as a customer's would be.
      await ok(admin, 'PATCH', `/api/conversations/${conversation.id}`, { status: 'open', ...patch });
      return conversation.id as number;
    };
    await open('ticket');
    await open('ticket', { assignedTo: agent.id, labels: ['urgent'] });
    await open('email', { assignedTo: agent.id, labels: ['urgent', 'follow-up'] });
    await open('email', { assignedTo: admin.id });
    await open('chatbot', { status: 'pending' });
    await open('chatbot', { status: 'resolved', labels: ['resolved'] });
    await open('email', { status: 'closed', labels: ['urgent'] });
    // The customer's own ticket counts like any other.
    await ok(customer, 'POST', '/api/conversations', { subject: 'My own', body: 'From me' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers every sidebar count in one response, each equal to its list', async () => {
    const counts = await ok(agent, 'GET', '/api/inbox/counts');
    expect(counts).toEqual({
      statuses: { open: 5, pending: 1, resolved: 1, closed: 1 },
      all: 8,
      mine: 2,
      unassigned: 2,
      channels: { ticket: 3, chatbot: 0, email: 2 },
      labels: { urgent: 2, 'follow-up': 1, resolved: 0 },
      bot: 0,
      snoozed: 0,
      spam: 0,
      // The agent's bell: assigned twice, and the customer's unassigned ticket.
      notifications: 3,
      teams: [],
    });

    const views: [number, string][] = [
      [counts.statuses.open, 'status=open'],
      [counts.statuses.pending, 'status=pending'],
      [counts.statuses.resolved, 'status=resolved'],
      [counts.statuses.closed, 'status=closed'],
      [counts.all, 'status=open,pending,resolved,closed'],
      [counts.mine, 'status=open&assignee=me'],
      [counts.unassigned, 'status=open&assignee=unassigned'],
      [counts.snoozed, 'state=snoozed'],
      [counts.spam, 'state=spam'],
      ...Object.entries(counts.channels).map(([c, v]) => [v, `status=open&channel=${c}`] as [number, string]),
      ...Object.entries(counts.labels).map(([l, v]) => [v, `status=open&label=${l}`] as [number, string]),
    ];
    for (const [count, query] of views) expect({ query, count }).toEqual({ query, count: await listed(agent, query) });
  });

  it('counts "mine" for whoever asks', async () => {
    expect((await ok(admin, 'GET', '/api/inbox/counts')).mine).toBe(1);
    expect((await ok(agent, 'GET', '/api/inbox/counts')).mine).toBe(2);
  });

  it('follows a change at once', async () => {
    const before = await ok(agent, 'GET', '/api/inbox/counts');
    const unassigned = (await ok(agent, 'GET', '/api/conversations?status=open&assignee=unassigned')).items[0];
    await ok(agent, 'PATCH', `/api/conversations/${unassigned.id}`, { status: 'pending' });
    const after = await ok(agent, 'GET', '/api/inbox/counts');
    expect(after.statuses).toEqual({ ...before.statuses, open: before.statuses.open - 1, pending: before.statuses.pending + 1 });
    expect(after.unassigned).toBe(before.unassigned - 1);
    expect(after.all).toBe(before.all);
  });

  it('is for the team: a customer is refused, a stranger asked to sign in', async () => {
    const refused = await call(customer, 'GET', '/api/inbox/counts');
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    expect((await call(null, 'GET', '/api/inbox/counts')).status).toBe(401);
  });

  it('is in the OpenAPI document', async () => {
    const document = (await call(null, 'GET', '/api/openapi.json')).body!;
    expect(Object.keys(document.paths['/api/inbox/counts'].get.responses)).toEqual(['200', '401', '403']);
    expect(document.components.schemas.InboxCounts.required).toEqual([
      'statuses',
      'all',
      'mine',
      'unassigned',
      'channels',
      'labels',
      'bot',
      'snoozed',
      'spam',
      'notifications',
      'teams',
    ]);
  });
});
