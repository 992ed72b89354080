import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateConversationStatus } from '../src/inbox/commands.js';
import { actsForTeam, canDelete, canForward, canSetStatus, canStartAs, canTriage, type Viewer } from '../src/inbox/policies.js';
import { getConversation } from '../src/inbox/queries.js';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';

// src/inbox/policies.ts is the one place that says who may do what; the API and the
// commands ask it, so they cannot disagree (they did: the commands let a customer close).

const customer: Viewer = { id: 1, role: 'customer', emailVerifiedAt: 1 };
const agent: Viewer = { id: 2, role: 'agent', emailVerifiedAt: 1 };
const admin: Viewer = { id: 3, role: 'admin', emailVerifiedAt: 1 };
/** How the commands see a machine acting: no role. */
const machine = (origin: 'bot' | 'rule' | 'system') => ({ role: null, origin });

describe('policies', () => {
  it("a customer may mark resolved only; closing (which stops reopening) is the team's, and the machines'", () => {
    expect(canSetStatus(customer, 'resolved')).toBe(true);
    for (const status of ['open', 'pending', 'closed'] as const) expect(canSetStatus(customer, status)).toBe(false);
    for (const who of [agent, admin, machine('bot'), machine('rule'), machine('system')]) expect(canSetStatus(who, 'closed')).toBe(true);
  });

  it('the team and the machines act for the team; customers do not', () => {
    expect([customer, agent, admin, machine('bot')].map(actsForTeam)).toEqual([false, true, true, true]);
    expect([customer, agent, machine('rule')].map(canTriage)).toEqual([false, true, true]);
  });

  it('forwarding is for a signed-in team member; deleting for an admin or Onethread itself, not a rule nor the bot', () => {
    expect([customer, agent, admin, machine('bot')].map(canForward)).toEqual([false, true, true, false]);
    expect([customer, agent, admin].map(canDelete)).toEqual([false, false, true]);
    expect([machine('bot'), machine('rule'), machine('system')].map(canDelete)).toEqual([false, false, true]);
  });

  it('a customer opens a ticket for themselves only', () => {
    const plain = { forCustomer: false, cc: false, priority: false };
    expect(canStartAs(customer, plain)).toBe(true);
    expect(canStartAs(customer, { ...plain, channel: 'ticket' })).toBe(true);
    expect(canStartAs(customer, { ...plain, channel: 'email' })).toBe(false);
    expect(canStartAs(customer, { ...plain, forCustomer: true })).toBe(false);
    expect(canStartAs(customer, { ...plain, cc: true })).toBe(false);
    expect(canStartAs(customer, { ...plain, priority: true })).toBe(false);
    expect(canStartAs(agent, { forCustomer: true, cc: true, priority: true, channel: 'email' })).toBe(true);
  });
});

describe('a customer closing their conversation', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(async () => {
    await server?.close();
  });
  const patch = (who: Person, id: number, body: unknown) =>
    server.app.inject({ method: 'PATCH', url: `/api/conversations/${id}`, payload: body as never, headers: { authorization: `Bearer ${who.token}` } });

  async function ticket(owner: Person) {
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/conversations',
      payload: { subject: 'Done soon', body: 'Question' },
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(created.statusCode).toBe(201);
    return created.json().conversation.id as number;
  }

  it('is refused by the API (403) and by the command; resolving is allowed by both, closing by the team', async () => {
    const owner = await person(server, 'customer');
    const agent = await person(server, 'agent');
    const id = await ticket(owner);

    expect((await patch(owner, id, { status: 'closed' })).statusCode).toBe(403);
    await expect(updateConversationStatus(server.inbox, { conversation: id, status: 'closed', by: { userId: owner.id } })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await getConversation(server.inbox, id)).status).toBe('open');

    const resolved = await patch(owner, id, { status: 'resolved' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().conversation.status).toBe('resolved');
    expect((await updateConversationStatus(server.inbox, { conversation: id, status: 'resolved', by: { userId: owner.id } })).status).toBe('resolved');

    expect((await patch(agent, id, { status: 'closed' })).json().conversation.status).toBe('closed');
  });

  it('a customer may not triage over the API either (403), while the team may', async () => {
    const owner = await person(server, 'customer');
    const agent = await person(server, 'agent');
    const id = await ticket(owner);
    for (const body of [{ priority: 'high' }, { tags: ['x'] }, { type: 'sales' }, { assignedTo: agent.id }]) {
      expect((await patch(owner, id, body)).statusCode).toBe(403);
      expect((await patch(agent, id, body)).statusCode).toBe(200);
    }
  });
});
