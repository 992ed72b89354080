import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/store/schema.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// Saved views (issue 16): the list's filter and sort under a name, personal or shared with a
// team, over /api/views; a view lists exactly what the list does with the same parameters;
// customers are refused; a filter the list would refuse is refused.

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
const person = (role: Role) => newPerson(server, role);
const viewIds = async (who: Person) => ((await ok(who, 'GET', '/api/views')).items as Json[]).map((v) => v.id as number);

beforeAll(async () => {
  server = await startTestApp();
  admin = await person('admin');
  agent = await person('agent');
  teammate = await person('agent');
  outsider = await person('agent');
  customer = await person('customer');
  team = (await ok(admin, 'POST', '/api/teams', { name: 'Billing', memberIds: [agent.id, teammate.id] })).team;
});
afterAll(() => server?.close());

describe('/api/views', () => {
  it('creates, lists, renames and deletes a personal view, seen by its owner alone', async () => {
    const created = await ok(agent, 'POST', '/api/views', {
      name: '  My   urgent ',
      filter: { status: 'open,pending', priority: 'urgent', sort: 'createdAt' },
    });
    expect(created.view).toMatchObject({
      name: 'My urgent',
      ownerId: agent.id,
      teamId: null,
      filter: { status: 'open,pending', priority: 'urgent', sort: 'createdAt' },
      countsCapped: false,
    });
    const id = created.view.id as number;
    expect(await viewIds(agent)).toContain(id);
    expect(await viewIds(teammate)).not.toContain(id);
    expect((await call(teammate, 'PATCH', `/api/views/${id}`, { name: 'Mine now' })).status).toBe(404);
    expect((await call(admin, 'DELETE', `/api/views/${id}`)).status).toBe(404);
    expect((await call(teammate, 'GET', `/api/views/${id}/conversations`)).status).toBe(404);

    const renamed = await ok(agent, 'PATCH', `/api/views/${id}`, { name: 'Urgent', filter: { assignee: 'me' } });
    expect(renamed.view).toMatchObject({ id, name: 'Urgent', filter: { assignee: 'me' } });

    expect((await call(agent, 'DELETE', `/api/views/${id}`)).status).toBe(204);
    expect(await viewIds(agent)).not.toContain(id);
    expect((await call(agent, 'PATCH', `/api/views/${id}`, { name: 'Gone' })).status).toBe(404);
  });

  it('shares a view with a team: its members see and edit it, admins edit it, others do not see it', async () => {
    const { view } = await ok(agent, 'POST', '/api/views', { name: 'Billing open', filter: { team: team.id, status: 'open' }, teamId: team.id });
    expect(view).toMatchObject({ teamId: team.id, filter: { team: String(team.id), status: 'open' } });
    expect(await viewIds(teammate)).toContain(view.id);
    expect(await viewIds(outsider)).not.toContain(view.id);
    expect((await call(outsider, 'PATCH', `/api/views/${view.id}`, { name: 'Taken' })).status).toBe(404);

    expect((await ok(teammate, 'PATCH', `/api/views/${view.id}`, { name: 'Billing: open' })).view.name).toBe('Billing: open');
    expect((await ok(admin, 'PATCH', `/api/views/${view.id}`, { name: 'Billing (open)' })).view.name).toBe('Billing (open)');

    // Sharing with a team one is not in is refused; unsharing makes it the editor's own.
    const other = (await ok(admin, 'POST', '/api/teams', { name: `Sales ${++n}` })).team;
    expect((await call(outsider, 'POST', '/api/views', { name: 'Theirs', filter: {}, teamId: team.id })).status).toBe(403);
    expect((await call(agent, 'PATCH', `/api/views/${view.id}`, { teamId: other.id })).status).toBe(403);
    expect((await call(agent, 'POST', '/api/views', { name: 'Nowhere', filter: {}, teamId: 999_999 })).status).toBe(400);
    const mine = await ok(teammate, 'PATCH', `/api/views/${view.id}`, { teamId: null });
    expect(mine.view).toMatchObject({ teamId: null, ownerId: teammate.id });
    expect(await viewIds(agent)).not.toContain(view.id);
    expect(await viewIds(teammate)).toContain(view.id);

    // A team's deletion takes its shared views with it.
    const shared = (await ok(agent, 'POST', '/api/views', { name: 'Shared', filter: {}, teamId: team.id })).view;
    const doomed = (await ok(admin, 'POST', '/api/teams', { name: `Doomed ${++n}`, memberIds: [agent.id] })).team;
    const doomedView = (await ok(agent, 'POST', '/api/views', { name: 'Doomed', filter: {}, teamId: doomed.id })).view;
    await ok(admin, 'DELETE', `/api/teams/${doomed.id}`);
    expect(await viewIds(agent)).toEqual(expect.arrayContaining([shared.id]));
    expect(await viewIds(agent)).not.toContain(doomedView.id);
  });

  it('refuses customers, strangers and filters the list would refuse', async () => {
    expect((await call(customer, 'GET', '/api/views')).status).toBe(403);
    expect((await call(customer, 'POST', '/api/views', { name: 'Mine', filter: {} })).status).toBe(403);
    expect((await call(null, 'GET', '/api/views')).status).toBe(401);
    for (const filter of [{ status: 'open,maybe' }, { priority: 'whenever' }, { sort: 'name' }, { cursor: 'x' }, { nonsense: '1' }, { team: 'some' }]) {
      const response = await call(agent, 'POST', '/api/views', { name: 'Bad', filter });
      expect(response.status, JSON.stringify(filter)).toBe(400);
    }
    expect((await call(agent, 'POST', '/api/views', { name: '   ', filter: {} })).status).toBe(400);
    expect((await call(agent, 'PATCH', '/api/views/1', {})).status).toBe(400);
  });

  it('lists what the list lists with the same filter, and counts it as the list does', async () => {
    const customerConversation = async (priority: string) =>
      (await ok(agent, 'POST', '/api/conversations', { subject: `Invoice ${++n}`, body: 'Hello', priority, customer: { email: customer.email } })).conversation;
    const high = [await customerConversation('high'), await customerConversation('high'), await customerConversation('high')];
    await customerConversation('low');
    await ok(agent, 'PATCH', `/api/conversations/${high[0]!.id}`, { teamId: team.id, status: 'open' });
    await ok(agent, 'PATCH', `/api/conversations/${high[1]!.id}`, { teamId: team.id, status: 'pending' });

    const filter = { status: 'open,pending', priority: 'high', team: String(team.id), sort: 'createdAt' };
    const { view } = await ok(teammate, 'POST', '/api/views', { name: 'High for billing', filter, teamId: team.id });
    const list = await ok(teammate, 'GET', `/api/conversations?${new URLSearchParams(filter)}`);
    expect(list.items.map((c: Json) => c.id)).toEqual([high[1]!.id, high[0]!.id]);

    const viewed = await ok(teammate, 'GET', `/api/views/${view.id}/conversations`);
    expect(viewed.items.map((c: Json) => c.id)).toEqual(list.items.map((c: Json) => c.id));
    expect(viewed.counts).toEqual(list.counts);
    expect(view.counts).toEqual(list.counts);
    expect(view.counts).toMatchObject({ open: 1, pending: 1 });

    // Paged as the list pages.
    const first = await ok(teammate, 'GET', `/api/views/${view.id}/conversations?limit=1`);
    expect(first.items.map((c: Json) => c.id)).toEqual([high[1]!.id]);
    const second = await ok(teammate, 'GET', `/api/views/${view.id}/conversations?limit=1&cursor=${first.nextCursor}`);
    expect(second.items.map((c: Json) => c.id)).toEqual([high[0]!.id]);

    // The sidebar's counts follow the conversations.
    await ok(agent, 'PATCH', `/api/conversations/${high[2]!.id}`, { teamId: team.id, status: 'open' });
    const listed = (await ok(agent, 'GET', '/api/views')).items.find((v: Json) => v.id === view.id);
    expect(listed).toMatchObject({ counts: { open: 2, pending: 1 }, countsCapped: false });
  });
});
