import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConversation } from '../src/inbox/commands.js';
import { type Person, person, startTestApp, type TestApp } from './support/app.js';

// Issue 17's routes, swept as a customer: canned replies, macros, snooze, spam and the block
// list, merge, bulk actions and their jobs are the team's. Every method of every such path in
// the OpenAPI document is tried with the customer's own conversation and another's, with a
// body the route would take from an agent; each answers 403 or 404 (400 where the schema
// refuses first), gives away none of the team's words, and changes nothing.

const PATHS =
  /^\/api\/(canned-replies|macros|blocked-senders|jobs)\b|^\/api\/conversations\/bulk$|^\/api\/conversations\/\{id\}\/(snooze|spam|merge|unmerge|merge-candidates)$/;
const SECRET = 'Zebra canned secret';

let app: TestApp;
let customer: Person;
let admin: Person;
let ownId: number;
let otherId: number;
let cannedId: number;
let macroId: number;

/** What an agent would send: the customer sending it must still be turned away. */
function bodyFor(template: string, id: number): unknown {
  if (template.endsWith('/merge')) return { into: id === ownId ? otherId : ownId, confirmDifferentCustomers: true };
  if (template.endsWith('/snooze')) return { preset: 'hour', timezone: 'UTC' };
  if (template.endsWith('/spam')) return { block: 'address' };
  if (template === '/api/conversations/bulk') return { ids: [ownId, otherId], action: { actions: [{ type: 'status', status: 'closed' }] } };
  if (template === '/api/blocked-senders') return { value: 'someone@else.test' };
  if (template.startsWith('/api/canned-replies')) return { name: SECRET, shortcut: 'zebra', body: SECRET };
  if (template.startsWith('/api/macros')) return { name: SECRET, actions: [{ type: 'status', status: 'closed' }], conversationIds: [ownId, otherId] };
  return {};
}

const snapshot = () =>
  app.store.db.selectFrom('conversations').select(['id', 'status', 'shelf', 'snoozedAt', 'mergedInto', 'messageCount', 'updatedAt']).orderBy('id').execute();

beforeAll(async () => {
  app = await startTestApp();
  admin = await person(app, 'admin', { password: null });
  customer = await person(app, 'customer', { password: null });
  const own = await createConversation(app.inbox, { from: { userId: customer.id }, channel: 'ticket', subject: 'Mine', body: 'Hi' });
  const other = await createConversation(app.inbox, { from: { customerEmail: 'someone@else.test' }, channel: 'ticket', subject: 'Theirs', body: 'Hi' });
  ownId = own.conversation.id;
  otherId = other.conversation.id;
  const call = async (url: string, body: unknown) =>
    (await app.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${admin.token}` }, payload: body as object })).json();
  cannedId = (await call('/api/canned-replies', { name: SECRET, shortcut: 'zebra', body: SECRET, shared: true })).reply.id;
  macroId = (await call('/api/macros', { name: SECRET, actions: [{ type: 'note', body: SECRET }], shared: true })).macro.id;
});
afterAll(async () => {
  await app?.close();
});

describe('the routes of issue 17, as a customer', () => {
  it('answers every method of every path 403 or 404, never names the team’s words, and changes nothing', async () => {
    const doc = (await app.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const before = await snapshot();
    const swept: string[] = [];
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (!PATHS.test(template)) continue;
      for (const method of Object.keys(methods)) {
        for (const id of [ownId, otherId]) {
          const url = template
            .replace('{id}', String(template.startsWith('/api/canned-replies') ? cannedId : template.startsWith('/api/macros') ? macroId : id))
            .replace('{fileId}', '1');
          const response = await fetch(app.http + url, {
            method: method.toUpperCase(),
            headers: { authorization: `Bearer ${customer.token}`, 'content-type': 'application/json' },
            body: ['post', 'put', 'patch'].includes(method) ? JSON.stringify(bodyFor(template, id)) : undefined,
          });
          const text = await response.text();
          expect([400, 403, 404, 415], `${method} ${url}: ${text}`).toContain(response.status);
          expect(text, `${method} ${url}`).not.toContain(SECRET);
          swept.push(`${method} ${template}`);
        }
      }
    }
    expect(await snapshot()).toEqual(before);
    // The sweep saw the routes it is about.
    for (const route of [
      'post /api/conversations/{id}/snooze',
      'delete /api/conversations/{id}/snooze',
      'post /api/conversations/{id}/spam',
      'delete /api/conversations/{id}/spam',
      'get /api/blocked-senders',
      'post /api/conversations/{id}/merge',
      'post /api/conversations/{id}/unmerge',
      'get /api/conversations/{id}/merge-candidates',
      'post /api/conversations/bulk',
      'get /api/jobs/{id}',
      'get /api/canned-replies',
      'post /api/canned-replies/{id}/files',
      'post /api/macros/{id}/apply',
    ]) {
      expect(swept).toContain(route);
    }
  });
});
