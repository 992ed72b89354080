import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUserActive } from '../src/accounts/index.js';
import type { Role } from '../src/store/schema.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// Mentions and team participants (issue 16): `@Name` or `mentions: [id]` in an internal note
// mention active team members; replying, being mentioned, assigned or following makes one a
// participant; the Mentions and Participating views page newest first; customers never see
// any of it.

let server: TestApp;
let admin: Person;
let ann: Person;
let annLee: Person;
let bob: Person;
let customer: Person;
let n = 0;

const call = (who: Person | null, method: Method, url: string, payload?: unknown) => apiCall(server, who, method, url, payload);
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: Role, name?: string) => newPerson(server, role, name === undefined ? {} : { name });
const newConversation = async () => (await ok(customer, 'POST', '/api/conversations', { subject: `Question ${++n}`, body: 'Hello' })).conversation as Json;
const note = (who: Person, id: number, body: string, mentions?: number[]) =>
  ok(who, 'POST', `/api/conversations/${id}/messages`, { body, isInternal: true, ...(mentions ? { mentions } : {}) });
const followers = async (id: number) => ((await ok(admin, 'GET', `/api/conversations/${id}/participants`)).items as Json[]).map((f) => [f.userId, f.reason]);
const view = async (who: Person, query: string) => (await ok(who, 'GET', `/api/conversations?${query}`)) as Json;

beforeAll(async () => {
  server = await startTestApp();
  const tag = `${process.pid}x${Date.now()}`;
  admin = await person('admin', `Admin ${tag}`);
  ann = await person('agent', `Ann ${tag}`);
  annLee = await person('agent', `Ann ${tag} Lee`);
  bob = await person('agent', `Bob ${tag}`);
  customer = await person('customer');
});
afterAll(() => server?.close());

describe('mentions', () => {
  it('mentions active team members by @Name and by id, and makes them participants', async () => {
    const c = await newConversation();
    await note(admin, c.id, `Could @${annLee.name}, have a look? @${ann.name}: FYI. Mail admin@${bob.name} is no mention.`);
    expect(await followers(c.id)).toEqual(
      expect.arrayContaining([
        [admin.id, 'replied'],
        [annLee.id, 'mentioned'],
        [ann.id, 'mentioned'],
      ]),
    );
    expect((await followers(c.id)).some(([id]) => id === bob.id)).toBe(false);

    await note(ann, c.id, 'Bob, this one is yours', [bob.id]);
    expect(await followers(c.id)).toContainEqual([bob.id, 'mentioned']);
    // Ann was a participant by mention first: her note keeps that reason.
    expect(await followers(c.id)).toContainEqual([ann.id, 'mentioned']);

    const events = (await ok(admin, 'GET', `/api/conversations/${c.id}/events`)).items as Json[];
    const mentioned = events.filter((e) => e.eventType === 'mentioned');
    expect(mentioned.map((e) => [e.performedBy, [...e.newValue.userIds].sort()])).toEqual([
      [admin.id, [ann.id, annLee.id].sort()],
      [ann.id, [bob.id]],
    ]);
  });

  it('refuses to mention a customer, a deactivated member or anyone in a public reply', async () => {
    const c = await newConversation();
    expect((await call(admin, 'POST', `/api/conversations/${c.id}/messages`, { body: 'x', isInternal: true, mentions: [customer.id] })).status).toBe(400);
    const gone = await person('agent');
    await setUserActive(server.accounts, gone.id, false);
    expect((await call(admin, 'POST', `/api/conversations/${c.id}/messages`, { body: 'x', isInternal: true, mentions: [gone.id] })).status).toBe(400);
    expect((await call(admin, 'POST', `/api/conversations/${c.id}/messages`, { body: 'x', mentions: [bob.id] })).status).toBe(400);
    // A deactivated member's name is no mention either.
    await note(admin, c.id, `@${gone.name} are you there?`);
    expect((await followers(c.id)).some(([id]) => id === gone.id)).toBe(false);
    // Nothing of the refused notes was written.
    expect((await ok(admin, 'GET', `/api/conversations/${c.id}/messages`)).items).toHaveLength(2);
  });

  it('lists the Mentions view newest first, marks unread, and pages by cursor', async () => {
    const reader = await person('agent');
    const [a, b, c] = [await newConversation(), await newConversation(), await newConversation()];
    await note(admin, a.id, 'first', [reader.id]);
    await note(admin, b.id, 'second', [reader.id]);
    await note(admin, c.id, 'third', [reader.id]);
    await note(admin, a.id, 'again', [reader.id]);

    const page1 = await view(reader, 'mentioned=me&limit=2');
    expect(page1.items.map((i: Json) => i.id)).toEqual([a.id, c.id]);
    expect(page1.items.every((i: Json) => i.unread === true)).toBe(true);
    expect(page1.counts.open).toBe(3);
    const page2 = await view(reader, `mentioned=me&limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items.map((i: Json) => i.id)).toEqual([b.id]);
    expect(page2.nextCursor).toBeNull();

    await ok(reader, 'POST', `/api/conversations/${c.id}/read`);
    const after = await view(reader, 'mentioned=me');
    expect(after.items.map((i: Json) => [i.id, i.unread])).toEqual([
      [a.id, true],
      [c.id, false],
      [b.id, true],
    ]);
    expect((await view(bob, 'mentioned=me&limit=100')).items.some((i: Json) => i.id === a.id)).toBe(false);
  });
});

describe('participants', () => {
  it('are made by replying, assignment and following; unfollowing leaves', async () => {
    const agent = await person('agent');
    const c = await newConversation();
    expect(await followers(c.id)).toEqual([]);
    await ok(bob, 'POST', `/api/conversations/${c.id}/messages`, { body: 'On it' });
    await ok(admin, 'PATCH', `/api/conversations/${c.id}`, { assignedTo: agent.id });
    expect(await followers(c.id)).toEqual([
      [bob.id, 'replied'],
      [agent.id, 'assigned'],
    ]);
    expect(await ok(ann, 'POST', `/api/conversations/${c.id}/follow`)).toEqual({ following: true });
    expect(await followers(c.id)).toContainEqual([ann.id, 'followed']);
    expect(await ok(ann, 'DELETE', `/api/conversations/${c.id}/follow`)).toEqual({ following: false });
    expect((await followers(c.id)).some(([id]) => id === ann.id)).toBe(false);
    // A customer's own message makes nobody a participant.
    await ok(customer, 'POST', `/api/conversations/${c.id}/messages`, { body: 'Thanks' });
    expect(await followers(c.id)).toHaveLength(2);
    // Its mentions and participants go with a deleted conversation.
    await note(admin, c.id, 'gone soon', [ann.id]);
    expect((await call(admin, 'DELETE', `/api/conversations/${c.id}`)).status).toBe(204);
    expect((await call(admin, 'GET', `/api/conversations/${c.id}/participants`)).status).toBe(404);
    expect((await view(ann, 'mentioned=me&limit=100')).items.some((i: Json) => i.id === c.id)).toBe(false);
  });

  it('lists the Participating view newest first, by status, paging by cursor', async () => {
    const agent = await person('agent');
    const [a, b] = [await newConversation(), await newConversation()];
    await ok(agent, 'POST', `/api/conversations/${a.id}/follow`);
    await ok(agent, 'POST', `/api/conversations/${b.id}/messages`, { body: 'Reply', isInternal: true });
    const page1 = await view(agent, 'participating=me&limit=1');
    expect(page1.items.map((i: Json) => i.id)).toEqual([b.id]);
    const page2 = await view(agent, `participating=me&limit=1&cursor=${page1.nextCursor}`);
    expect(page2.items.map((i: Json) => i.id)).toEqual([a.id]);
    expect(page2.nextCursor).toBeNull();
    await ok(admin, 'PATCH', `/api/conversations/${a.id}`, { status: 'resolved' });
    expect((await view(agent, 'participating=me&status=resolved')).items.map((i: Json) => i.id)).toEqual([a.id]);
    expect((await call(agent, 'GET', '/api/conversations?participating=me&channel=ticket')).status).toBe(400);
    expect((await call(agent, 'GET', `/api/conversations?mentioned=me&cursor=${page1.nextCursor}`)).status).toBe(400);
  });
});

describe('customers', () => {
  it('get 404 on the new routes, even for their own conversation, and cannot ask for the views', async () => {
    const c = await newConversation();
    await note(admin, c.id, 'private', [ann.id]);
    for (const [method, url] of [
      ['GET', `/api/conversations/${c.id}/participants`],
      ['POST', `/api/conversations/${c.id}/follow`],
      ['DELETE', `/api/conversations/${c.id}/follow`],
    ] as const) {
      expect((await call(customer, method, url)).status, `${method} ${url}`).toBe(404);
    }
    expect((await call(customer, 'GET', '/api/conversations?mentioned=me')).status).toBe(400);
    expect((await call(customer, 'GET', '/api/conversations?participating=me')).status).toBe(400);
    expect((await call(customer, 'POST', `/api/conversations/${c.id}/messages`, { body: 'hi', mentions: [ann.id] })).status).toBe(400);
    const seen = JSON.stringify(await ok(customer, 'GET', `/api/conversations/${c.id}/messages`));
    expect(seen).not.toContain('private');
    expect((await call(null, 'GET', `/api/conversations/${c.id}/participants`)).status).toBe(401);
  });
});
