import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, updateConversation } from '../src/inbox/commands.js';
import { call, type Method, type Person, person, startTestApp, type TestApp } from './support/app.js';

// Issue 16: the assignment rules over HTTP. The team reads them, admins set them, customers
// never see them; a team claims channels so their new conversations reach its rule.

let app: TestApp;
let admin: Person;
let agent: Person;
let customer: Person;

beforeAll(async () => {
  app = await startTestApp();
  admin = await person(app, 'admin', { password: null });
  agent = await person(app, 'agent', { password: null });
  customer = await person(app, 'customer', { password: null });
});
afterAll(async () => {
  await app?.close();
});

const api = (who: Person, method: Method, path: string, body?: unknown) => call(app, who, method, path, body);

describe('assignment rules over HTTP', () => {
  it('costs a resolve nothing while no queue holds anything: no drain is armed', async () => {
    const { conversation } = await createConversation(app.inbox, {
      from: { customerEmail: 'quiet@customers.test' },
      channel: 'chatbot',
      subject: 'Quiet',
      body: 'Hi',
    });
    await updateConversation(app.inbox, { conversation: conversation.id, assigneeId: agent.id, by: { userId: admin.id } });
    await updateConversation(app.inbox, { conversation: conversation.id, status: 'resolved', by: { userId: agent.id } });
    const timers = await app.store.db.selectFrom('timers').select('key').where('key', 'like', 'assignment.%').execute();
    expect(timers).toEqual([]);
  });

  it('lists the rule without a team, then each team’s, manual until set', async () => {
    const team = await api(admin, 'POST', '/api/teams', { name: 'Billing', memberIds: [agent.id], channels: ['email'] });
    expect(team.status).toBe(201);
    expect(team.body!.team.channels).toEqual(['email']);
    const rules = await api(agent, 'GET', '/api/assignment-rules');
    expect(rules.status).toBe(200);
    expect(rules.body!.items.map((r: any) => [r.team?.name ?? null, r.mode])).toEqual([
      [null, 'manual'],
      ['Billing', 'manual'],
    ]);
  });

  it('lets an admin set a team’s rule with capacities, and refuses agents, customers and bad values', async () => {
    const teams = await api(admin, 'GET', '/api/teams');
    const billing = teams.body!.items.find((t: any) => t.name === 'Billing');
    const rule = { mode: 'balanced', capacity: 4, capacities: [{ userId: agent.id, capacity: 2 }], arrivals: { new: true, reopened: false, handover: true } };
    const set = await api(admin, 'PUT', `/api/assignment-rules/${billing.id}`, rule);
    expect(set.status).toBe(200);
    expect(set.body!.rule).toEqual({ ...rule, team: { id: billing.id, name: 'Billing' } });
    expect((await api(agent, 'PUT', `/api/assignment-rules/${billing.id}`, rule)).status).toBe(403);
    expect((await api(customer, 'GET', '/api/assignment-rules')).status).toBe(403);
    expect((await api(admin, 'PUT', `/api/assignment-rules/${billing.id}`, { ...rule, mode: 'random' })).status).toBe(400);
    expect((await api(admin, 'PUT', `/api/assignment-rules/${billing.id}`, { ...rule, capacity: -1 })).status).toBe(400);
    expect((await api(admin, 'PUT', '/api/assignment-rules/999999', rule)).status).toBe(404);
    // A capacity for someone outside the team is refused.
    expect((await api(admin, 'PUT', `/api/assignment-rules/${billing.id}`, { ...rule, capacities: [{ userId: admin.id, capacity: 1 }] })).status).toBe(400);
    const none = await api(admin, 'PUT', '/api/assignment-rules/none', { mode: 'round_robin', capacity: null });
    expect(none.body!.rule).toMatchObject({ team: null, mode: 'round_robin', capacities: [], arrivals: { new: true, reopened: true, handover: true } });
  });

  it('moves a channel to the team that claims it last', async () => {
    const support = await api(admin, 'POST', '/api/teams', { name: 'Support', channels: ['email', 'ticket'] });
    expect(support.body!.team.channels).toEqual(['email', 'ticket']);
    const teams = await api(admin, 'GET', '/api/teams');
    expect(teams.body!.items.find((t: any) => t.name === 'Billing').channels).toEqual([]);
    expect((await api(admin, 'PATCH', `/api/teams/${support.body!.team.id}`, { channels: ['fax'] })).status).toBe(400);
  });
});
