import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanOrphanAttachments } from '../src/attachments/index.js';
import type { Role } from '../src/store/schema.js';
import { call as apiCall, ok as apiOk, type Json, type Method, person as newPerson, type Person, startTestApp, type TestApp } from './support/app.js';

// Files kept with a canned reply (issue 17): uploaded once, attached again to each message
// that names the reply, as the same stored blob (same sha256, no second upload); whose
// replies one may use decides whose files; the orphan cleaner keeps a blob a reply holds.

let server: TestApp;
let agent: Person;
let teammate: Person;
let admin: Person;
let customer: Person;
let n = 0;

const call = (who: Person | null, method: Method, url: string, payload?: unknown) => apiCall(server, who, method, url, payload);
const ok = (who: Person, method: Method, url: string, payload?: unknown) => apiOk(server, who, method, url, payload);
const person = (role: Role, name: string) => newPerson(server, role, { name });
const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

function upload(who: Person, url: string, files: { name: string; content: string }[], fields: Record<string, string> = {}) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const file of files) data.append('files', new Blob([file.content], { type: 'text/plain' }), file.name);
  return fetch(server.http + url, { method: 'POST', body: data, headers: { authorization: `Bearer ${who.token}` } });
}

const makeReply = async (who: Person, input: Json = {}) =>
  (await ok(who, 'POST', '/api/canned-replies', { name: `Reply ${++n}`, shortcut: `r${n}`, body: 'Here is the form.', ...input })).reply as Json;
const newConversation = async () =>
  (await ok(customer, 'POST', '/api/conversations', { subject: `Returns ${++n}`, body: 'How do I send it back?' })).conversation as Json;

beforeAll(async () => {
  server = await startTestApp({ uploads: true });
  agent = await person('agent', 'Alex Agent');
  teammate = await person('agent', 'Toni Teammate');
  admin = await person('admin', 'Ada Admin');
  customer = await person('customer', 'Casey Customer');
});
afterAll(() => server?.close());

describe('canned reply files', () => {
  it('are uploaded to a reply, listed with it, and attached to a message that names it without a new upload', async () => {
    const reply = await makeReply(agent);
    const content = `Return form ${Date.now()}`;
    const uploaded = await upload(agent, `/api/canned-replies/${reply.id}/files`, [{ name: 'return-form.txt', content }]);
    expect(uploaded.status).toBe(200);
    const withFile = ((await uploaded.json()) as Json).reply as Json;
    expect(withFile.files).toEqual([{ id: expect.any(Number), name: 'return-form.txt', contentType: 'text/plain', size: content.length }]);
    const found = (await ok(agent, 'GET', `/api/canned-replies?q=${reply.shortcut}`)).items as Json[];
    expect(found.find((r) => r.id === reply.id)?.files).toHaveLength(1);

    const conversation = await newConversation();
    const sent = await ok(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Here you are.', cannedReplyIds: [reply.id] });
    const attachments = (sent.message as Json).attachments as Json[];
    expect(attachments.map((a) => a.name)).toEqual(['return-form.txt']);
    const download = await fetch(server.http + attachments[0]!.url, { headers: { authorization: `Bearer ${customer.token}` } });
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(content);
    const row = await server.store.db.selectFrom('attachments').select('sha256').where('id', '=', attachments[0]!.id).executeTakeFirstOrThrow();
    expect(row.sha256).toBe(sha256(content));
  });

  it('go with the files of a form post too, after the uploaded ones', async () => {
    const reply = await makeReply(agent);
    await upload(agent, `/api/canned-replies/${reply.id}/files`, [{ name: 'label.txt', content: `label ${Date.now()}` }]);
    const conversation = await newConversation();
    const response = await upload(agent, `/api/conversations/${conversation.id}/messages`, [{ name: 'photo.txt', content: 'a photo' }], {
      body: 'Both attached.',
      cannedReplyIds: String(reply.id),
    });
    expect(response.status).toBe(201);
    const message = ((await response.json()) as Json).message as Json;
    expect((message.attachments as Json[]).map((a) => a.name)).toEqual(['photo.txt', 'label.txt']);
  });

  it("of another's personal reply are not found, and a customer may not name canned replies", async () => {
    const personal = await makeReply(agent);
    await upload(agent, `/api/canned-replies/${personal.id}/files`, [{ name: 'private.txt', content: 'mine' }]);
    const conversation = await newConversation();
    const byTeammate = await call(teammate, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Hi', cannedReplyIds: [personal.id] });
    expect(byTeammate.status).toBe(404);
    const byCustomer = await call(customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Hi', cannedReplyIds: [personal.id] });
    expect(byCustomer.status).toBe(403);
    // Nothing of either refused message was written.
    const messages = (await ok(agent, 'GET', `/api/conversations/${conversation.id}/messages`)).items as Json[];
    expect(messages).toHaveLength(1);

    // Uploading to or removing from a reply one may not change: not found, before a byte is stored.
    const shared = await makeReply(admin, { shared: true });
    expect((await upload(teammate, `/api/canned-replies/${personal.id}/files`, [{ name: 'x.txt', content: 'x' }])).status).toBe(404);
    expect((await upload(agent, `/api/canned-replies/${shared.id}/files`, [{ name: 'x.txt', content: 'x' }])).status).toBe(404);
    const file = ((await ok(agent, 'GET', `/api/canned-replies?q=${personal.shortcut}`)).items as Json[])[0]!.files[0] as Json;
    expect((await call(teammate, 'DELETE', `/api/canned-replies/${personal.id}/files/${file.id}`)).status).toBe(404);
    expect((await call(customer, 'GET', '/api/canned-replies')).status).toBe(403);
  });

  it('are removed one by one and with their reply; a sent message keeps its copy', async () => {
    const reply = await makeReply(agent);
    const content = `kept by the message ${Date.now()}`;
    const withFile = ((await (await upload(agent, `/api/canned-replies/${reply.id}/files`, [{ name: 'a.txt', content }])).json()) as Json).reply as Json;
    const conversation = await newConversation();
    await ok(agent, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'Attached.', cannedReplyIds: [reply.id] });
    expect((await call(agent, 'DELETE', `/api/canned-replies/${reply.id}/files/${withFile.files[0].id}`)).status).toBe(204);
    expect((await call(agent, 'DELETE', `/api/canned-replies/${reply.id}/files/${withFile.files[0].id}`)).status).toBe(404);
    const messages = (await ok(agent, 'GET', `/api/conversations/${conversation.id}/messages`)).items as Json[];
    expect((messages.at(-1)!.attachments as Json[]).map((a) => a.name)).toEqual(['a.txt']);

    const other = await makeReply(agent);
    await upload(agent, `/api/canned-replies/${other.id}/files`, [{ name: 'b.txt', content: 'b' }]);
    expect((await call(agent, 'DELETE', `/api/canned-replies/${other.id}`)).status).toBe(204);
    const left = await server.store.db.selectFrom('canned_reply_files').select('id').where('cannedReplyId', '=', other.id).execute();
    expect(left).toEqual([]);
  });

  it("go with a macro's canned reply too", async () => {
    const reply = await makeReply(agent);
    await upload(agent, `/api/canned-replies/${reply.id}/files`, [{ name: 'macro.txt', content: `from a macro ${Date.now()}` }]);
    const macro = (
      await ok(agent, 'POST', '/api/macros', { name: `Send the form ${++n}`, actions: [{ type: 'canned', cannedReplyId: reply.id, as: 'reply' }] })
    ).macro as Json;
    const conversation = await newConversation();
    await ok(agent, 'POST', `/api/macros/${macro.id}/apply`, { conversationIds: [conversation.id] });
    const messages = (await ok(agent, 'GET', `/api/conversations/${conversation.id}/messages`)).items as Json[];
    expect((messages.at(-1)!.attachments as Json[]).map((a) => a.name)).toEqual(['macro.txt']);
  });

  it('refuses more than ten files on one reply', async () => {
    const reply = await makeReply(agent);
    const files = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}.txt`, content: `file ${i}` }));
    expect((await upload(agent, `/api/canned-replies/${reply.id}/files`, files)).status).toBe(200);
    const eleventh = await upload(agent, `/api/canned-replies/${reply.id}/files`, [{ name: 'f10.txt', content: 'one too many' }]);
    expect(eleventh.status).toBe(409);
  });

  it('keep their blob from the orphan cleaner while no message uses it', async () => {
    const reply = await makeReply(agent);
    const content = `only the canned reply holds me ${Date.now()}`;
    await upload(agent, `/api/canned-replies/${reply.id}/files`, [{ name: 'held.txt', content }]);
    const storage = server.composition.uploads!.storage;
    const orphan = await storage.put([Buffer.from(`nobody holds me ${Date.now()}`)]);
    // Every blob counts as old: only the references decide.
    await cleanOrphanAttachments({ store: server.store, storage, graceMs: 0, now: () => Date.now() + 60_000 });
    const left: string[] = [];
    for await (const blob of storage.list()) left.push(blob.sha256);
    expect(left).toContain(sha256(content));
    expect(left).not.toContain(orphan.sha256);
  });
});
