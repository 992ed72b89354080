import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, createTeam, updateConversation } from '../src/inbox/commands.js';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';

// Issue 16's routes, swept as a customer: teams, saved views, customers, assignment rules,
// followers and mentions are the team's. Every method of every such path in the OpenAPI
// document is tried with the customer's own conversation and another's; each answers 403 or
// 404 and gives away none of the team's names. A route added later under these paths is
// swept without touching this file.

const TEAM_PATHS = /^\/api\/(teams|views|customers|assignment-rules)\b|^\/api\/conversations\/\{id\}\/(participants|follow)$/;
const SECRET = 'Team Zebra Secret';

let app: TestApp;
let customer: Person;
let ownId: number;
let otherId: number;

beforeAll(async () => {
  app = await startTestApp();
  const admin = await person(app, 'admin', { password: null });
  customer = await person(app, 'customer', { password: null });
  const team = await createTeam(app.inbox, { name: SECRET, memberIds: [admin.id], by: { userId: admin.id } });
  const own = await createConversation(app.inbox, { from: { userId: customer.id }, channel: 'ticket', subject: 'Mine', body: 'Hi' });
  const other = await createConversation(app.inbox, { from: { customerEmail: 'someone@else.test' }, channel: 'ticket', subject: 'Theirs', body: 'Hi' });
  ownId = own.conversation.id;
  otherId = other.conversation.id;
  for (const id of [ownId, otherId]) await updateConversation(app.inbox, { conversation: id, teamId: team.id, by: { userId: admin.id } });
});
afterAll(async () => {
  await app?.close();
});

describe('the team routes of issue 16, as a customer', () => {
  it('answers every method of every path 403 or 404, and never names a team', async () => {
    const doc = (await app.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const swept: string[] = [];
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (!TEAM_PATHS.test(template)) continue;
      for (const method of Object.keys(methods)) {
        for (const id of [ownId, otherId, customer.id]) {
          const url = template.replace('{id}', String(id)).replace('{team}', 'none');
          const response = await fetch(app.http + url, {
            method: method.toUpperCase(),
            headers: { authorization: `Bearer ${customer.token}`, 'content-type': 'application/json' },
            body: ['post', 'put', 'patch'].includes(method) ? JSON.stringify({}) : undefined,
          });
          const text = await response.text();
          // A body the schema refuses may be told 400 first; it is told nothing else either.
          expect([400, 403, 404], `${method} ${url}`).toContain(response.status);
          expect(text, `${method} ${url}`).not.toContain(SECRET);
          swept.push(`${method} ${template}`);
        }
      }
    }
    // The sweep saw the routes it is about.
    for (const route of [
      'get /api/teams',
      'put /api/assignment-rules/{team}',
      'get /api/customers/{id}',
      'get /api/conversations/{id}/participants',
      'post /api/views',
    ]) {
      expect(swept).toContain(route);
    }
  });
});
