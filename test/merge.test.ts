import { beforeAll, describe, expect, it } from 'vitest';
import { countable } from '../src/inbox/commands/unit.js';
import { countKeys } from '../src/inbox/rules.js';
import { MAIL_PEERS, rawMail, uniqueId } from './support/email.js';
import { type ApiPerson, apiPerson, type MailApi, receive, request, useEmailApp } from './support/mail-api.js';

// Issue 17, merge and unmerge: conversation B merged into A moves its messages (ids, times,
// attachments) into A's thread in time order and leaves a tombstone that points at A; a
// reply to B's old mail lands in A; an unmerge within 30 days puts both back exactly, and a
// reply to B's old mail lands in B again. Team only: customers get 404 from every route.

const DAY = 24 * 60 * 60 * 1000;

describe.skipIf(!MAIL_PEERS.swaks)('merge and unmerge', () => {
  const composed = useEmailApp({ uploads: true });
  const api = {} as MailApi;
  let agent: ApiPerson;
  let customer: ApiPerson;
  let stranger: ApiPerson;

  beforeAll(async () => {
    Object.assign(api, { mail: composed.mail, http: composed.app.http });
    agent = await apiPerson(api, 'agent', 'Ana Agent');
    customer = await apiPerson(api, 'customer', 'Carol Customer');
    stranger = await apiPerson(api, 'customer', 'Sam Stranger');
  });

  const db = () => api.mail.store.db;
  const ok = async (who: ApiPerson, method: string, path: string, body?: unknown) => {
    const answer = await request(api, who, method, path, body);
    expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.json)}`).toBeLessThan(300);
    return answer.json;
  };
  const mailIn = async (mail: Parameters<typeof rawMail>[0]) => {
    const filed = await receive(api, rawMail({ from: `Carol Customer <${customer.email}>`, ...mail }));
    return filed.conversationId === null ? null : Number(filed.conversationId);
  };
  const say = (who: ApiPerson, id: number, body: string | FormData) =>
    ok(who, 'POST', `/api/conversations/${id}/messages`, typeof body === 'string' ? { body } : body);
  const messageRows = (id: number) => db().selectFrom('messages').selectAll().where('conversationId', '=', id).orderBy('id').execute();
  const attachmentRows = (id: number) => db().selectFrom('attachments').selectAll().where('conversationId', '=', id).orderBy('id').execute();
  const row = (id: number) => db().selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const events = async (id: number) => (await ok(agent, 'GET', `/api/conversations/${id}/events?limit=100`)).items as { id: number; eventType: string }[];
  const thread = async (id: number) => (await ok(agent, 'GET', `/api/conversations/${id}/messages?limit=100`)).items as { id: number; sentAt: number }[];
  const withoutUpdatedAt = ({ updatedAt: _u, search: _s, ...rest }: Record<string, unknown>) => rest;

  async function expectCountsMatchRecount(): Promise<void> {
    const rows = await db().selectFrom('conversations').selectAll().execute();
    const recount = new Map<string, number>();
    for (const r of rows) for (const key of countKeys(countable({ ...r, teamName: null }))) recount.set(key, (recount.get(key) ?? 0) + 1);
    const stored = (await db().selectFrom('inbox_counts').select(['key', 'n']).where('key', 'not like', 'notifications:%').execute()).filter(
      (c) => Number(c.n) !== 0,
    );
    expect(Object.fromEntries(stored.map((c) => [c.key, Number(c.n)]).sort())).toEqual(Object.fromEntries([...recount].sort()));
  }

  /** A: three mails; B: a mail then four messages over the API, one with a file; interleaved in time. */
  async function twoConversations(label: string) {
    const [a1, a2, a3, b1] = ['a1', 'a2', 'a3', 'b1'].map((m) => uniqueId(`${label}-${m}`)) as [string, string, string, string];
    const a = (await mailIn({ messageId: a1, subject: `Invoice missing ${label}`, body: 'My March invoice is missing.' }))!;
    const b = (await mailIn({ messageId: b1, subject: `Login trouble ${label}`, body: 'I cannot sign in.' }))!;
    await say(customer, b, 'Still locked out, tried twice.');
    await mailIn({ messageId: a2, inReplyTo: a1, references: [a1], subject: `Re: Invoice missing ${label}`, body: 'Any news on the invoice?' });
    const form = new FormData();
    form.append('body', 'Here is the reset guide.');
    form.append('files', new Blob(['reset steps'], { type: 'text/plain' }), 'reset.txt');
    await say(agent, b, form);
    await mailIn({ messageId: a3, inReplyTo: a2, references: [a1, a2], subject: `Re: Invoice missing ${label}`, body: 'Found it, thanks.' });
    await say(agent, b, 'Did the guide help?');
    await say(customer, b, `Yes, zebraword${label} works now.`);
    return { a, b, b1 };
  }

  it('merges B into A: one thread in time order, files open, B a tombstone pointing at A, counts exact; unmerge puts both back byte for byte', async () => {
    const { a, b, b1 } = await twoConversations('one');
    expect((await ok(agent, 'GET', `/api/conversations/${a}/merge-candidates`)).items.map((c: { id: number }) => c.id)).toContain(b);

    const before = { aRow: await row(a), bRow: await row(b), aMessages: await messageRows(a), bMessages: await messageRows(b) };
    const bAttachments = await attachmentRows(b);
    const bEvents = await events(b);
    expect(before.aMessages).toHaveLength(3);
    expect(before.bMessages).toHaveLength(5);
    expect(bAttachments).toHaveLength(1);

    const merged = await ok(agent, 'POST', `/api/conversations/${b}/merge`, { into: a });
    expect(merged.source).toMatchObject({ id: b, status: 'closed', shelf: 'merged', mergedInto: a });
    expect(merged.target).toMatchObject({ id: a, messageCount: 8 });

    const items = await thread(a);
    expect(items).toHaveLength(8);
    const expected = [...before.aMessages, ...before.bMessages]
      .sort((x, y) => Number(x.sentAt) - Number(y.sentAt) || Number(x.id) - Number(y.id))
      .map((m) => Number(m.id));
    expect(items.map((m) => m.id)).toEqual(expected);
    expect(items.map((m) => m.sentAt)).toEqual([...items.map((m) => m.sentAt)].sort((x, y) => x - y));
    // A's thread is really interleaved: B's messages sit between A's mails.
    expect(expected).not.toEqual([...before.aMessages, ...before.bMessages].map((m) => Number(m.id)));
    const withFile = (await ok(agent, 'GET', `/api/conversations/${a}/messages?limit=100`)).items.find(
      (m: { attachments: unknown[] }) => m.attachments.length > 0,
    );
    const file = await fetch(api.http + withFile.attachments[0].url, { headers: { authorization: `Bearer ${customer.token}` } });
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('reset steps');

    // B: in no list, its GET answers where it went (to its customer too), the search finds A.
    const all = await ok(agent, 'GET', '/api/conversations?status=open,pending,resolved,closed&limit=100');
    expect(all.items.map((c: { id: number }) => c.id)).not.toContain(b);
    expect((await ok(customer, 'GET', `/api/conversations/${b}`)).conversation.mergedInto).toBe(a);
    const mine = await ok(customer, 'GET', '/api/conversations?status=open,pending,resolved,closed');
    expect(mine.items.map((c: { id: number }) => c.id)).toEqual([a]);
    const found = await ok(agent, 'GET', '/api/conversations?q=zebrawordone&status=open,pending,resolved,closed');
    expect(found.items.map((c: { id: number }) => c.id)).toEqual([a]);
    expect((await row(a)).messageCount).toBe(8);
    await expectCountsMatchRecount();
    expect((await events(b)).at(-1)).toMatchObject({ eventType: 'merged_into' });
    expect((await events(a)).at(-1)).toMatchObject({ eventType: 'merged_from' });

    const back = await ok(agent, 'POST', `/api/conversations/${b}/unmerge`);
    expect(back.source).toMatchObject({ id: b, shelf: null, mergedInto: null });
    expect(await messageRows(b)).toEqual(before.bMessages);
    expect(await messageRows(a)).toEqual(before.aMessages);
    expect(await attachmentRows(b)).toEqual(bAttachments);
    expect(withoutUpdatedAt(await row(b))).toEqual(withoutUpdatedAt(before.bRow));
    expect(withoutUpdatedAt(await row(a))).toEqual(withoutUpdatedAt(before.aRow));
    const after = await events(b);
    expect(after.slice(0, bEvents.length)).toEqual(bEvents);
    expect(after.slice(bEvents.length).map((e) => e.eventType)).toEqual(['merged_into', 'unmerged']);
    expect((await events(a)).at(-1)).toMatchObject({ eventType: 'unmerged' });
    await expectCountsMatchRecount();

    // Merged again: a reply to B's old Message-ID lands in A; unmerged: the next one lands in B.
    await ok(agent, 'POST', `/api/conversations/${b}/merge`, { into: a });
    expect(await mailIn({ inReplyTo: b1, references: [b1], subject: 'Re: Login trouble one', body: 'One more thing.' })).toBe(a);
    await ok(agent, 'POST', `/api/conversations/${b}/unmerge`);
    expect(await messageRows(b)).toEqual(before.bMessages);
    // A keeps the reply it got meanwhile; its fields are its own messages' again.
    const aNow = await row(a);
    expect(aNow.messageCount).toBe(4);
    expect(aNow.lastMessagePreview).toBe('One more thing.');
    expect(await mailIn({ inReplyTo: b1, references: [b1], subject: 'Re: Login trouble one', body: 'And another.' })).toBe(b);
    await expectCountsMatchRecount();
  });

  it('refuses merging into itself, a tombstone into anything, anything into a tombstone, and different customers unless confirmed', async () => {
    const { a, b } = await twoConversations('two');
    const c = Number((await ok(agent, 'POST', '/api/conversations', { subject: 'Other', body: 'Hi', customer: { email: stranger.email } })).conversation.id);
    expect((await request(api, agent, 'POST', `/api/conversations/${a}/merge`, { into: a })).status).toBe(400);
    const differ = await request(api, agent, 'POST', `/api/conversations/${c}/merge`, { into: a });
    expect(differ.status).toBe(409);
    expect(differ.json.error.message).toMatch(/different customers/);
    expect((await row(c)).shelf).toBeNull();

    await ok(agent, 'POST', `/api/conversations/${b}/merge`, { into: a });
    const again = await request(api, agent, 'POST', `/api/conversations/${b}/merge`, { into: c, confirmDifferentCustomers: true });
    expect(again.status).toBe(409);
    expect((await request(api, agent, 'POST', `/api/conversations/${c}/merge`, { into: b, confirmDifferentCustomers: true })).status).toBe(409);
    expect((await request(api, agent, 'POST', `/api/conversations/${a}/unmerge`)).status).toBe(409);
    // The tombstone takes no message and no change: they belong where it went.
    const written = await request(api, agent, 'POST', `/api/conversations/${b}/messages`, { body: 'Into the tombstone?' });
    expect(written.status).toBe(409);
    expect(written.json.error.message).toContain(`merged into conversation ${a}`);
    expect((await request(api, agent, 'PATCH', `/api/conversations/${b}`, { status: 'open' })).status).toBe(409);

    const confirmed = await ok(agent, 'POST', `/api/conversations/${c}/merge`, { into: a, confirmDifferentCustomers: true });
    expect(confirmed.source.mergedInto).toBe(a);
    await ok(agent, 'POST', `/api/conversations/${c}/unmerge`);
    await ok(agent, 'POST', `/api/conversations/${b}/unmerge`);
    await expectCountsMatchRecount();
  });

  it('answers a customer and another customer 404 on every merge route, never data', async () => {
    const { a, b } = await twoConversations('three');
    for (const who of [customer, stranger]) {
      for (const [method, path, body] of [
        ['POST', `/api/conversations/${b}/merge`, { into: a }],
        ['POST', `/api/conversations/${a}/merge`, { into: b }],
        ['POST', `/api/conversations/${b}/unmerge`, undefined],
        ['GET', `/api/conversations/${a}/merge-candidates`, undefined],
        ['GET', `/api/conversations/${b}/merge-candidates`, undefined],
      ] as const) {
        const answer = await request(api, who, method, path, body);
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(Object.keys(answer.json)).toEqual(['error']);
      }
    }
    expect((await row(b)).shelf).toBeNull();
    // The other customer does not learn where a merged conversation went.
    await ok(agent, 'POST', `/api/conversations/${b}/merge`, { into: a });
    expect((await request(api, stranger, 'GET', `/api/conversations/${b}`)).status).toBe(404);
    expect((await request(api, stranger, 'GET', `/api/conversations/${a}/messages`)).status).toBe(404);
    await ok(agent, 'POST', `/api/conversations/${b}/unmerge`);
  });

  it('refuses an unmerge after 30 days (fixed clock)', async () => {
    const { a, b } = await twoConversations('four');
    await ok(agent, 'POST', `/api/conversations/${b}/merge`, { into: a });
    api.mail.clock.advance(30 * DAY + 1000);
    const late = await request(api, agent, 'POST', `/api/conversations/${b}/unmerge`);
    expect(late.status).toBe(409);
    expect(late.json.error.message).toMatch(/30 days/);
    expect((await row(b)).mergedInto).toBe(a);
  });
});
