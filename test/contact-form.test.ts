import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsContext, createUser } from '../src/accounts/index.js';
import type { ZodApp } from '../src/http/server.js';
import type { Store } from '../src/store/database.js';
import { startTestApp, type TestApp } from './support/app.js';
import { makeTestStore } from './support/store.js';

// POST /api/contact, the public contact form: a customer and a ticket without an account,
// kept from bots by a honeypot and by limits per client address and per email address.

let store: Store;
const servers: TestApp[] = [];
/** Limits high enough never to matter, for the tests of what the form stores. */
let open: ZodApp;
/** Tight limits: 4 per client address, 2 per email address. */
let tight: ZodApp;

async function server(limits: { perIp: number; perEmail: number }) {
  const started = await startTestApp({ store, config: { contact: limits } });
  servers.push(started);
  return started.app;
}

beforeAll(async () => {
  store = await makeTestStore();
  open = await server({ perIp: 1000, perEmail: 1000 });
  tight = await server({ perIp: 4, perEmail: 2 });
});
afterAll(async () => {
  for (const started of servers) await started.close();
  await store?.close();
});

let n = 0;
const address = (name: string) => `${name}${++n}-${process.pid}@example.test`;
const form = (fields: Record<string, unknown> = {}) => ({
  name: 'Dana Doe',
  email: address('dana'),
  subject: 'Opening hours',
  message: 'Are you open on Sunday?',
  ...fields,
});
const send = (payload: unknown, on = open) => on.inject({ method: 'POST', url: '/api/contact', payload: payload as never });

async function rowCounts() {
  const count = async (table: 'users' | 'conversations' | 'messages') =>
    Number(
      (
        await store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { users: await count('users'), conversations: await count('conversations'), messages: await count('messages') };
}

describe('the contact form', () => {
  it('creates an unconfirmed customer without a password and a ticket, and answers its number', async () => {
    const payload = form({ email: `  ${address('Dana').toUpperCase()} ` });
    const response = await send(payload);
    expect(response.statusCode, response.body).toBe(201);
    const { number } = response.json();
    expect(number).toMatch(/^CONV-\d{6}$/);

    const customer = await store.db.selectFrom('users').selectAll().where('email', '=', payload.email.trim().toLowerCase()).executeTakeFirstOrThrow();
    expect(customer).toMatchObject({ name: 'Dana Doe', role: 'customer', passwordHash: null, emailVerifiedAt: null });
    const conversation = await store.db
      .selectFrom('conversations')
      .selectAll()
      .where('number', '=', Number(number.slice(5)))
      .executeTakeFirstOrThrow();
    expect(conversation).toMatchObject({ channel: 'ticket', subject: 'Opening hours', status: 'open', customerId: customer.id, openedBy: null });
    const message = await store.db.selectFrom('messages').selectAll().where('conversationId', '=', conversation.id).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ body: 'Are you open on Sunday?', senderType: 'customer', senderName: 'Dana Doe' });
    // The email channel acknowledges contact-form tickets: it reads where one came from in the event.
    const created = await store.db
      .selectFrom('conversation_events')
      .selectAll()
      .where('conversationId', '=', conversation.id)
      .where('eventType', '=', 'created')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(created.newValue!)).toMatchObject({ origin: 'contact', channel: 'ticket' });
  });

  it('files a known customer’s message under their account, leaving their name as it is', async () => {
    const known = await createUser(accountsContext(store), { name: 'Kim Known', email: address('kim'), role: 'customer', password: 'correct horse 1' });
    const response = await send(form({ email: known.email, name: 'Someone Else' }));
    expect(response.statusCode).toBe(201);
    const conversation = await store.db
      .selectFrom('conversations')
      .selectAll()
      .where('number', '=', Number(response.json().number.slice(5)))
      .executeTakeFirstOrThrow();
    expect(conversation).toMatchObject({ customerId: known.id, customerName: 'Kim Known' });
  });

  it('refuses a team member’s address with 400, storing nothing', async () => {
    const agent = await createUser(accountsContext(store), { name: 'Ana Agent', email: address('ana'), role: 'agent', password: null });
    const before = await rowCounts();
    const response = await send(form({ email: agent.email }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field: 'email' });
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a filled-in honeypot with 400 and stores nothing', async () => {
    const before = await rowCounts();
    const response = await send(form({ website: 'http://spam.example' }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'validation_failed', field: 'website' });
    expect(await rowCounts()).toEqual(before);
    // An empty honeypot is what people send.
    expect((await send(form({ website: '' }))).statusCode).toBe(201);
  });

  it('refuses missing, empty, unknown and malformed fields with 400, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [form({ email: 'not an address' }), 'email'],
      [form({ subject: '   ' }), 'subject'],
      [form({ message: undefined }), 'message'],
      [{ ...form(), priority: 'urgent' }, 'priority'],
      [form({ name: 'x'.repeat(201) }), 'name'],
    ];
    for (const [payload, field] of cases) {
      const response = await send(payload);
      expect(response.statusCode, field).toBe(400);
      expect(response.json().error.field, field).toContain(field);
    }
  });
});

describe('the contact form’s limits', () => {
  it('refuses a third message for one email address within the hour, and a fifth from one client address, with 429', async () => {
    const repeated = address('repeat');
    const statuses = [];
    for (const email of [repeated, repeated, repeated, address('other'), address('third')]) statuses.push((await send(form({ email }), tight)).statusCode);
    expect(statuses).toEqual([201, 201, 429, 201, 429]);
    const refused = await send(form(), tight);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({ code: 'rate_limited', message: expect.stringContaining('wait') });
  });
});

describe('the client address behind a reverse proxy (TRUST_PROXY)', () => {
  const from = (app: ZodApp, client: string) =>
    app.inject({ method: 'POST', url: '/api/contact', payload: form() as never, headers: { 'x-forwarded-for': client }, remoteAddress: '127.0.0.1' });

  it('counts each client apart when the proxy is trusted, and believes no header when none is', async () => {
    const behindProxy = await startTestApp({ store, config: { contact: { perIp: 1, perEmail: 100 }, trustProxy: ['127.0.0.1'] } });
    const direct = await startTestApp({ store, config: { contact: { perIp: 1, perEmail: 100 } } });
    servers.push(behindProxy, direct);
    const statuses = async (app: ZodApp) => {
      const seen = [];
      for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.1']) seen.push((await from(app, client)).statusCode);
      return seen;
    };
    expect(await statuses(behindProxy.app)).toEqual([201, 201, 429]);
    // Reached directly, a client could write any X-Forwarded-For: the socket's address counts.
    expect(await statuses(direct.app)).toEqual([201, 429, 429]);
  });
});
