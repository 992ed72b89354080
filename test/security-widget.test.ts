import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { setUserActive } from '../src/accounts/index.js';
import { identityHash } from '../src/channels/chat/identity.js';
import { type ChatSettings, DEFAULT_CHAT_SETTINGS } from '../src/channels/chat/index.js';
import { EMAIL_REPLY_JOB } from '../src/channels/email/outbound.js';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { type ChatDatabase, type ChatVisitorRow, findVisitorByTokenHash, updateVisitor } from '../src/store/chat.js';
import type { Store } from '../src/store/database.js';
import { chatVisitorDetailsMigration } from '../src/store/migrations/0009_chat_visitor_details.js';
import { transact } from '../src/store/transaction.js';
import { findUserByEmail } from '../src/store/users.js';
import { startTestApp } from './support/app.js';
import { testEmailPlanner } from './support/email.js';
import { seedKnowledgeBase } from './support/kb-articles.js';
import { call, type Instance, Live, type Person, person, refusal, sleep } from './support/live.js';
import { makeTestStore } from './support/store.js';

// Issue 13, the chat widget's part: an identity claimed through the widget can only ever
// be a customer (item 1), the widget answers with what the visitor said rather than what
// is stored under an address (item 7), and one visitor or address cannot hold unbounded
// sockets (item 10). Real servers, real sockets, both databases; mail is planned by the
// email channel's real planner, so a message written as an agent would queue a reply.

const SECRET = 'widget-identity-secret-for-the-tests-0123456789';
const PASSWORD_QUESTION = 'How do I reset my password?';

let store: Store;
let server: Instance;
let agent: Person;
let admin: Person;
const started: Instance[] = [];

async function start(settings: ChatSettings): Promise<Instance> {
  const instance = await startTestApp({
    store,
    config: { chat: settings },
    realtime: { pollMs: 200 },
    sideEffects: [testEmailPlanner({ continuityDelayMs: 0 })],
  });
  started.push(instance);
  return instance;
}

beforeAll(async () => {
  store = await makeTestStore();
  await seedKnowledgeBase({ store, clock: Date.now });
  server = await start({ ...DEFAULT_CHAT_SETTINGS, identity: { secret: SECRET, required: false } });
  agent = await person(server, 'agent');
  admin = await person(server, 'admin');
});
afterAll(async () => {
  for (const instance of started) await instance.close();
  await store?.close();
});

async function widget(on: Instance, path: string, body?: unknown, token?: string) {
  const response = await fetch(on.http + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token ? { 'x-visitor-token': token } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as Record<string, any>) : null };
}
const session = (body: unknown, on = server) => widget(on, '/api/widget/session', body);
const send = (token: string, body: string, on = server) => widget(on, '/api/widget/messages', { body }, token);

const chatDb = () => store.db as unknown as Kysely<ChatDatabase>;
const visitorRow = (token: string) => findVisitorByTokenHash(store.db, createHash('sha256').update(token).digest('hex'));
const visitorCount = async () =>
  Number(
    (
      await chatDb()
        .selectFrom('chat_visitors')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const conversationOf = async (id: number) => (await call(server, agent, 'GET', `/api/conversations/${id}`))!.conversation;
const messagesOf = async (id: number) =>
  (await call(server, agent, 'GET', `/api/conversations/${id}/messages`))!.items as {
    body: string;
    sender: { type: string; id: number | null; email: string | null };
  }[];
const eventTypes = async (id: number) =>
  ((await call(server, agent, 'GET', `/api/conversations/${id}/events`))!.items as { eventType: string }[]).map((e) => e.eventType);

/** Reply mails queued for a conversation: what a message stored as the team's would cause. */
async function replyJobs(conversationId: number): Promise<unknown[]> {
  const rows = await store.db.selectFrom('outbox').select('payload').where('kind', '=', EMAIL_REPLY_JOB).execute();
  return rows
    .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { conversationId: number })
    .filter((p) => p.conversationId === conversationId);
}

/** The stored visitor, minus the one column a harmless read may move. */
const identityOf = (row: ChatVisitorRow | undefined) =>
  row && { customerId: Number(row.customerId), externalUserId: row.externalUserId, name: row.name, email: row.email, lastSeenAt: Number(row.lastSeenAt) };

function expectTeamAddressRefused(answer: { status: number; json: Record<string, any> | null; text: string }, field: string, member: Person) {
  expect(answer.status).toBe(400);
  expect(answer.json!.error).toMatchObject({ code: 'validation_failed', field });
  // Nothing of the member's is told back: not their name, not a token.
  expect(answer.text).not.toContain(member.name);
  expect(answer.json!.visitorToken).toBeUndefined();
}

describe('item 1: a widget visitor can only ever be a customer', () => {
  it('a visitor naming an agent’s address is refused before anything is written, and keeps writing as their customer', async () => {
    const victim = `victim-${process.pid}@example.test`;
    const opened = await session({ name: 'Vic', email: victim });
    const token = opened.json!.visitorToken as string;
    const first = await send(token, PASSWORD_QUESTION);
    expect(first.json!.conversation.handler).toBe('bot');
    const id = first.json!.conversation.id as number;
    const before = identityOf(await visitorRow(token));

    for (const email of [agent.email, agent.email.toUpperCase(), ` ${agent.email} `]) {
      expectTeamAddressRefused(await session({ visitorToken: token, email, name: 'Support' }), 'email', agent);
    }
    expect(identityOf(await visitorRow(token))).toEqual(before);
    expect((await conversationOf(id)).customer).toMatchObject({ email: victim });

    const next = await send(token, `${PASSWORD_QUESTION} Still stuck.`);
    expect(next.status).toBe(201);
    expect(next.json!.message.sender.type).toBe('customer');
    // The bot keeps the chat: nobody of the team answered.
    expect(next.json!.conversation.handler).toBe('bot');
    const stored = await messagesOf(id);
    expect(stored.filter((m) => m.sender.type === 'customer').map((m) => m.sender.email)).toEqual([victim, victim]);
    expect(stored.some((m) => m.sender.type === 'admin' || m.sender.id === agent.id)).toBe(false);
    expect(await eventTypes(id)).not.toContain('escalated');
    expect(await replyJobs(id)).toEqual([]);
  });

  it('naming an admin’s address after writing anonymously changes neither the visitor nor the chat (no partial commit)', async () => {
    const token = (await session({})).json!.visitorToken as string;
    const id = (await send(token, PASSWORD_QUESTION)).json!.conversation.id as number;
    const customer = (await conversationOf(id)).customer;
    expect(customer.email).toMatch(/@visitors\.invalid$/);
    const before = identityOf(await visitorRow(token));

    expectTeamAddressRefused(await session({ visitorToken: token, name: 'Eve', email: admin.email }), 'email', admin);
    expect(identityOf(await visitorRow(token))).toEqual(before);
    expect((await conversationOf(id)).customer).toEqual(customer);
    expect(await eventTypes(id)).not.toContain('customer_changed');

    const next = await send(token, 'and my invoices?');
    expect(next.status).toBe(201);
    expect((await messagesOf(id)).find((m) => m.body === 'and my invoices?')?.sender).toMatchObject({
      type: 'customer',
      id: customer.id,
      email: customer.email,
    });
    expect(await replyJobs(id)).toEqual([]);
  });

  it('a new browser naming a team address, active or deactivated, gets no visitor and no customer', async () => {
    const former = await person(server, 'agent');
    await setUserActive(server.accounts, former.id, false);
    const count = await visitorCount();
    expectTeamAddressRefused(await session({ email: agent.email, name: 'Agent' }), 'email', agent);
    expectTeamAddressRefused(await session({ email: former.email }), 'email', former);
    // Nor another anonymous visitor's made-up address.
    expect((await session({ email: 'visitor-0123456789ab@visitors.invalid' })).json!.error).toMatchObject({ code: 'validation_failed', field: 'email' });
    expect(await visitorCount()).toBe(count);
    expect((await findUserByEmail(store.db, agent.email))!.role).toBe('agent');
  });

  it('a correctly signed identity naming a team address is refused too, with WIDGET_IDENTITY=required', async () => {
    const required = await start({ ...DEFAULT_CHAT_SETTINGS, identity: { secret: SECRET, required: true } });
    const signed = (userId: string, email: string) => ({ identity: { userId, email, name: 'Shop User', hash: identityHash(SECRET, userId) } });
    const count = await visitorCount();
    expectTeamAddressRefused(await session(signed(`shop-${process.pid}-1`, agent.email), required), 'identity.email', agent);
    expect(await visitorCount()).toBe(count);

    // A signed user who already chats: the hash covers the user id only, so the address is still a claim.
    const userId = `shop-${process.pid}-2`;
    const own = `shopper-${process.pid}@example.test`;
    const token = (await session(signed(userId, own), required)).json!.visitorToken as string;
    const id = (await send(token, PASSWORD_QUESTION, required)).json!.conversation.id as number;
    const before = identityOf(await visitorRow(token));
    expectTeamAddressRefused(await session({ visitorToken: token, ...signed(userId, admin.email) }, required), 'identity.email', admin);
    expect(identityOf(await visitorRow(token))).toEqual(before);
    const next = await send(token, 'one more question', required);
    expect(next.json!.message.sender.type).toBe('customer');
    expect((await messagesOf(id)).filter((m) => m.sender.type === 'customer').map((m) => m.sender.email)).toEqual([own, own]);
    expect(await replyJobs(id)).toEqual([]);
  });

  it('the write path refuses a visitor message as a team member, and a visitor tied to one writes nothing', async () => {
    const token = (await session({ email: `tied-${process.pid}@example.test` })).json!.visitorToken as string;
    const id = (await send(token, PASSWORD_QUESTION)).json!.conversation.id as number;
    await expect(addMessage(server.inbox, { conversation: id, from: { customerId: agent.id }, body: 'as the agent' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(
      createConversation(server.inbox, { channel: 'chatbot', from: { customerId: admin.id }, subject: 'as the admin', body: 'hi' }),
    ).rejects.toMatchObject({ code: 'forbidden' });

    // A row the old code left pointing at an agent (as the exploit did): its messages are refused…
    const row = (await visitorRow(token))!;
    await transact(store, (tx) =>
      updateVisitor(tx, Number(row.id), { customerId: agent.id, externalUserId: null, name: null, email: null, lastSeenAt: Date.now() }),
    );
    const refused = await send(token, 'speaking as the agent');
    expect(refused.status).toBe(403);
    expect((await messagesOf(id)).map((m) => m.body)).not.toContain('speaking as the agent');
    expect(await replyJobs(id)).toEqual([]);
    // …and its next session puts it back on a customer of its own.
    const healed = await session({ visitorToken: token });
    expect(healed.status).toBe(200);
    const customerId = Number((await visitorRow(token))!.customerId);
    expect(customerId).not.toBe(agent.id);
    expect((await send(token, 'back to normal')).json!.message.sender.type).toBe('customer');
  });
});

describe('item 1: the visitor’s new identity and the chat’s new customer commit together or not at all', () => {
  /** A trigger that refuses updates of one row: a real database failure in the middle of the step. */
  async function refuseUpdates(table: 'conversations' | 'chat_visitors', id: number): Promise<() => Promise<void>> {
    const name = `refuse_${table}_${id}`;
    if (store.dialect === 'sqlite') {
      await sql
        .raw(`CREATE TRIGGER ${name} BEFORE UPDATE ON ${table} WHEN OLD.id = ${id} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
        .execute(store.db);
      return async () => void (await sql.raw(`DROP TRIGGER ${name}`).execute(store.db));
    }
    await sql.raw(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`).execute(store.db);
    await sql.raw(`CREATE TRIGGER ${name} BEFORE UPDATE ON ${table} FOR EACH ROW WHEN (OLD.id = ${id}) EXECUTE FUNCTION ${name}()`).execute(store.db);
    return async () => {
      await sql.raw(`DROP TRIGGER ${name} ON ${table}`).execute(store.db);
      await sql.raw(`DROP FUNCTION ${name}()`).execute(store.db);
    };
  }

  it.each(['conversations', 'chat_visitors'] as const)('when the %s update fails, neither changes', async (failing) => {
    const token = (await session({})).json!.visitorToken as string;
    const id = (await send(token, PASSWORD_QUESTION)).json!.conversation.id as number;
    const customer = (await conversationOf(id)).customer;
    const row = (await visitorRow(token))!;
    const email = `late-${failing}-${process.pid}@example.test`;
    const restore = await refuseUpdates(failing, failing === 'conversations' ? id : Number(row.id));
    try {
      expect((await session({ visitorToken: token, name: 'Late', email })).status).toBeGreaterThanOrEqual(500);
    } finally {
      await restore();
    }
    expect(identityOf(await visitorRow(token))).toEqual(identityOf(row));
    expect((await conversationOf(id)).customer).toEqual(customer);
    expect(await findUserByEmail(store.db, email)).toBeUndefined();

    // Once the database takes it, both change in the one step.
    const named = await session({ visitorToken: token, name: 'Late', email });
    expect(named.json).toMatchObject({ visitor: { name: 'Late', email }, conversation: { id } });
    expect((await conversationOf(id)).customer).toMatchObject({ email });
    expect((await visitorRow(token))!.email).toBe(email);
  });
});

describe('item 7: the widget answers with what the visitor said, never what is stored', () => {
  it('typing an existing customer’s address does not reveal their stored name, in answers, messages or live frames', async () => {
    const alice = `alice-stored-${process.pid}@example.test`;
    await createConversation(server.inbox, { channel: 'ticket', from: { customerEmail: alice, name: 'Alice Stored' }, subject: 'My account', body: 'hello' });

    const opened = await session({ email: alice, name: 'Bob' });
    expect(opened.status).toBe(200);
    expect(opened.json!.visitor).toEqual({ name: 'Bob', email: alice });
    expect(opened.text).not.toContain('Alice Stored');
    const token = opened.json!.visitorToken as string;

    const sent = await send(token, PASSWORD_QUESTION);
    expect(sent.json!.message.sender).toEqual({ type: 'customer', name: 'Bob' });
    expect(sent.text).not.toContain('Alice Stored');
    const id = sent.json!.conversation.id as number;
    // The team's record is the customer's, as with mail from that address.
    expect((await conversationOf(id)).customer).toMatchObject({ name: 'Alice Stored', email: alice });

    const resumed = await session({ visitorToken: token });
    expect(resumed.json!.visitor).toEqual({ name: 'Bob', email: alice });
    expect(resumed.text).not.toContain('Alice Stored');

    const nameless = await session({ email: alice });
    expect(nameless.json!.visitor).toEqual({ name: null, email: alice });
    expect(nameless.text).not.toContain('Alice Stored');

    // Two tabs and the agent's inbox: the visitor's typing is named as they named themselves.
    const since = resumed.json!.lastEventId as number;
    const url = `${server.http.replace('http', 'ws')}/api/widget/socket?token=${token}&since=${since}`;
    const [tab1, tab2, inbox] = await Promise.all([Live.open(url), Live.open(url), Live.as(agent, server)]);
    try {
      expect((await widget(server, '/api/widget/typing', { typing: true }, token)).status).toBe(204);
      const typing = await inbox.waitFor((f) => f.type === 'presence' && f.data.conversationId === id && f.data.state === 'typing');
      expect(typing.data.user.name).toBe('Bob');
      await send(token, 'and my invoices?');
      await call(server, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'Hi Bob, Ben here.' });
      for (const tab of [tab1, tab2]) {
        await tab.waitFor((f) => f.type === 'message.created' && f.data.body === 'Hi Bob, Ben here.');
        const own = await tab.waitFor((f) => f.type === 'message.created' && f.data.body === 'and my invoices?');
        expect(own.data.sender).toEqual({ type: 'customer', name: 'Bob' });
        // Their own typing is not echoed to their other tab as someone answering.
        expect(tab.frames.some((f) => f.type === 'typing')).toBe(false);
        expect(JSON.stringify(tab.frames)).not.toContain('Alice Stored');
      }
    } finally {
      await Promise.all([tab1.close(), tab2.close(), inbox.close()]);
    }
  });

  it('a visitor who gave no name is "You" on their own messages, and their made-up name stays the team’s', async () => {
    const token = (await session({})).json!.visitorToken as string;
    const sent = await send(token, PASSWORD_QUESTION);
    expect(sent.json!.message.sender).toEqual({ type: 'customer', name: 'You' });
    expect((await conversationOf(sent.json!.conversation.id)).customer.name).toMatch(/^Visitor [0-9A-F]{4}$/);
    expect((await session({ visitorToken: token })).json!.visitor).toEqual({ name: null, email: null });
  });

  it('migration 0009 fills in what earlier visitors told: their address, and the name of their made-up customer only', async () => {
    const typed = (await session({ name: 'Tess', email: `tess-${process.pid}@example.test` })).json!.visitorToken as string;
    const anonymous = (await session({ name: 'Ann' })).json!.visitorToken as string;
    const alice = `alice-stored-${process.pid}@example.test`;
    const other = (await session({ name: 'Mallory', email: alice })).json!.visitorToken as string;
    // Back to the schema before 0009, then forward again.
    await chatDb().schema.alterTable('chat_visitors').dropColumn('name').execute();
    await chatDb().schema.alterTable('chat_visitors').dropColumn('email').execute();
    // The migration itself, not the migrator: later migrations are applied already.
    await chatVisitorDetailsMigration().up(store.db as unknown as Kysely<unknown>);

    expect(await visitorRow(typed)).toMatchObject({ name: null, email: `tess-${process.pid}@example.test` });
    expect(await visitorRow(anonymous)).toMatchObject({ name: 'Ann', email: null });
    // The stored name of an address is not what this visitor typed: never filled in.
    expect(await visitorRow(other)).toMatchObject({ name: null, email: alice });
  });
});

describe('item 10: live sockets per visitor and per client address are capped', () => {
  const socketUrl = (on: Instance, token: string) => `${on.http.replace('http', 'ws')}/api/widget/socket?token=${token}&since=0`;

  /** The refused upgrade's status and body. */
  function refusedWith(url: string): Promise<{ status: number; body: Record<string, any> }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      ws.on('open', () => (ws.terminate(), reject(new Error('the upgrade was accepted'))));
      ws.on('error', () => undefined);
    });
  }

  /** Opens once a slot is free again, failing after `ms`. */
  async function openWhenFree(url: string, ms = 5000): Promise<Live> {
    const until = Date.now() + ms;
    for (;;) {
      try {
        return await Live.open(url);
      } catch (error) {
        if (Date.now() > until) throw error;
        await sleep(50);
      }
    }
  }

  it('refuses a visitor’s sockets over the cap with 429 before the upgrade, and a closed socket frees its slot', async () => {
    const limited = await start({ ...DEFAULT_CHAT_SETTINGS, limits: { ...DEFAULT_CHAT_SETTINGS.limits, socketsPerVisitor: 2, socketsPerIp: 100 } });
    const token = (await session({}, limited)).json!.visitorToken as string;
    const other = (await session({}, limited)).json!.visitorToken as string;
    const open = [await Live.open(socketUrl(limited, token)), await Live.open(socketUrl(limited, token))];
    const refused = await refusedWith(socketUrl(limited, token));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited' });
    // Another visitor on the same address is not affected.
    const others = await Live.open(socketUrl(limited, other));

    await open[0]!.close();
    open[0] = await openWhenFree(socketUrl(limited, token));
    expect(await refusal(socketUrl(limited, token))).toBe(429);
    await Promise.all([...open, others].map((s) => s.close()));
  });

  it('holds at the cap when a visitor opens many sockets at once', async () => {
    const limited = await start({ ...DEFAULT_CHAT_SETTINGS, limits: { ...DEFAULT_CHAT_SETTINGS.limits, socketsPerVisitor: 3, socketsPerIp: 100 } });
    const token = (await session({}, limited)).json!.visitorToken as string;
    const attempts = await Promise.allSettled(Array.from({ length: 40 }, () => Live.open(socketUrl(limited, token))));
    const opened = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    expect(opened).toHaveLength(3);
    await Promise.all(opened.map((s) => s.close()));
    // All freed: a new burst gets its three again.
    const again = await openWhenFree(socketUrl(limited, token));
    await again.close();
  });

  it('refuses sockets from one client address over its cap, whatever the tokens; refused and closed sockets hold nothing', async () => {
    const limited = await start({ ...DEFAULT_CHAT_SETTINGS, limits: { ...DEFAULT_CHAT_SETTINGS.limits, socketsPerVisitor: 5, socketsPerIp: 3 } });
    const tokens = await Promise.all([1, 2, 3, 4].map(async () => (await session({}, limited)).json!.visitorToken as string));
    // Unknown tokens are closed at once (4401) and give their slot back: twice as many of
    // them as the cap, one after another (a slot is free once the server sees the connection end).
    const attempt = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('error', () => undefined);
        ws.on('unexpected-response', (_req, res) => (resolve(res.statusCode ?? 0), ws.terminate()));
        ws.on('close', (code) => resolve(code));
      });
    for (let i = 0; i < 6; i++) {
      let code = await attempt(socketUrl(limited, `unknown-but-long-enough-token-${i}`));
      for (let tries = 0; code === 429 && tries < 40; tries++)
        code = (await sleep(50), await attempt(socketUrl(limited, `unknown-but-long-enough-token-${i}`)));
      expect(code).toBe(4401);
    }
    const open = await Promise.all(tokens.slice(0, 3).map((t) => openWhenFree(socketUrl(limited, t))));
    expect(await refusal(socketUrl(limited, tokens[3]!))).toBe(429);
    expect(await refusal(socketUrl(limited, 'unknown-but-long-enough-token-x'))).toBe(429);
    await open[1]!.close();
    const fourth = await openWhenFree(socketUrl(limited, tokens[3]!));
    await Promise.all([open[0]!.close(), open[2]!.close(), fourth.close()]);
  });
});
