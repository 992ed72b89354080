import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { accountsContext, createApiToken, createUser } from '../src/accounts/index.js';
import { addMessage } from '../src/inbox/commands.js';
import { createInboxContext } from '../src/inbox/context.js';
import { registerApi } from '../src/http/api.js';
import { buildServer } from '../src/http/server.js';
import type { HubOptions } from '../src/realtime/hub.js';
import { EventBus } from '../src/realtime/bus.js';
import { openPostgres, type Store } from '../src/store/database.js';
import type { Role } from '../src/store/schema.js';
import { makeTestStore } from './support/store.js';

// Real servers on real ports, real WebSocket clients: the upgrade, the hooks and the
// hub's timing are what is under test, so nothing here is injected.

type Frame = { id: number; type: string; data: Record<string, any> };
type Instance = Awaited<ReturnType<typeof startInstance>>;
type Person = { id: number; token: string; email: string };

let store: Store;
let main: Instance;

async function startInstance(on: Store, realtime: HubOptions = {}) {
  const inbox = createInboxContext({ store: on, bus: new EventBus() });
  const accounts = accountsContext(on);
  const app = buildServer({ store: on });
  await registerApi(app, { inbox, accounts, secureCookies: false, realtime });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { app, inbox, accounts, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/api/realtime` };
}

beforeAll(async () => {
  store = await makeTestStore();
  // A long poll: a test passing must mean the wake-up worked, not that the poll caught up.
  main = await startInstance(store, { pollMs: 60_000 });
});
afterAll(async () => {
  await main.app.close();
  await store.close();
});

let n = 0;
async function person(role: Role): Promise<Person> {
  const email = `${role}${++n}@example.test`;
  const user = await createUser(main.accounts, { name: `${role} ${n}`, email, role, password: 'correct horse 1' });
  return { id: user.id, email, token: (await createApiToken(main.accounts, user.id, 'test')).token };
}

async function call(who: Person, method: string, path: string, body?: unknown) {
  const response = await fetch(main.http + path, {
    method,
    headers: { authorization: `Bearer ${who.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return response.status === 204 ? null : ((await response.json()) as Record<string, any>);
}

/** A connected socket that records every frame; resolves once the hub says it is live. */
class Live {
  readonly frames: Frame[] = [];
  #waiters: (() => unknown)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      this.#waiters.forEach((w) => w());
    });
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<Live> {
    const live = new Live(new WebSocket(url, { headers }));
    await Promise.race([live.waitFor((f) => f.type === 'ready'), new Promise((_, reject) => live.ws.once('error', reject))]);
    return live;
  }

  static as(who: Person, query = '', on: Instance = main): Promise<Live> {
    return Live.open(on.ws + query, { authorization: `Bearer ${who.token}` });
  }

  /** The first recorded frame matching, waiting up to `ms` for it. */
  waitFor(match: (f: Frame) => boolean, ms = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame in ${ms} ms; got ${JSON.stringify(this.frames)}`)), ms);
      const check = () => {
        const found = this.frames.find(match);
        if (found) (clearTimeout(timer), resolve(found));
        return found;
      };
      if (!check()) this.#waiters.push(check);
    });
  }

  events = (): Frame[] => this.frames.filter((f) => f.type !== 'ready');

  close(): Promise<void> {
    return new Promise((resolve) => this.ws.once('close', () => resolve()).close());
  }
}

/** The HTTP status a refused upgrade answered with. */
function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => (resolve(res.statusCode ?? 0), ws.terminate()));
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
  });
}

const messageOf = (body: string) => (f: Frame) => f.type === 'message.created' && f.data.message.body === body;

describe('live updates over WebSocket', () => {
  it('an agent socket receives message.created after a customer posts', async () => {
    const agent = await person('agent');
    const customer = await person('customer');
    const socket = await Live.as(agent);
    const { conversation } = (await call(customer, 'POST', '/api/conversations', { subject: 'Help', body: 'first' }))!;
    await call(customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'are you there?' });
    const created = await socket.waitFor((f) => f.type === 'conversation.created');
    expect(created.data.conversation).toMatchObject({ id: conversation.id, priority: 'normal' });
    expect(created.data.message.body).toBe('first');
    const message = await socket.waitFor(messageOf('are you there?'));
    expect(message.data.conversation).toMatchObject({ id: conversation.id, messageCount: 2 });
    expect(message.id).toBeGreaterThan(created.id);
    await socket.close();
  });

  it('a customer never receives an internal note, team-only changes, or another customer’s events', async () => {
    const agent = await person('agent');
    const alice = await person('customer');
    const bob = await person('customer');
    const mine = (await call(alice, 'POST', '/api/conversations', { subject: 'Mine', body: 'hello' }))!.conversation;
    const theirs = (await call(bob, 'POST', '/api/conversations', { subject: 'Theirs', body: 'hi' }))!.conversation;
    const [aliceSocket, agentSocket] = await Promise.all([Live.as(alice), Live.as(agent)]);
    await call(agent, 'POST', `/api/conversations/${mine.id}/messages`, { body: 'secret: legacy plan', isInternal: true });
    await call(agent, 'PATCH', `/api/conversations/${mine.id}`, { labels: ['urgent'], priority: 'high' });
    await call(bob, 'POST', `/api/conversations/${theirs.id}/messages`, { body: 'bob again' });
    await call(agent, 'POST', `/api/conversations/${mine.id}/messages`, { body: 'public reply' });
    await aliceSocket.waitFor(messageOf('public reply'));
    // The reply's status change (open → pending) is the last event: once it is here, all earlier ones were decided.
    const update = await aliceSocket.waitFor((f) => f.type === 'conversation.updated');
    expect(update.data.conversation).toMatchObject({ id: mine.id, status: 'pending' });
    expect(update.data.conversation.priority).toBeUndefined();
    expect(aliceSocket.events().map((f) => f.type)).toEqual(['message.created', 'conversation.updated']);
    expect(JSON.stringify(aliceSocket.frames)).not.toMatch(/legacy plan|bob again|Theirs/);
    // The team sees everything, the note included.
    const note = await agentSocket.waitFor(messageOf('secret: legacy plan'));
    expect(note.data.message.isInternal).toBe(true);
    const reply = await agentSocket.waitFor(messageOf('public reply'));
    await agentSocket.waitFor((f) => f.type === 'conversation.updated' && f.id > reply.id);
    expect(agentSocket.events().filter((f) => f.type === 'conversation.updated')).toHaveLength(3);
    await Promise.all([aliceSocket.close(), agentSocket.close()]);
  });

  it('a socket that reconnects with since receives exactly what it missed, in order, then continues live', async () => {
    const agent = await person('agent');
    const customer = await person('customer');
    const first = await Live.as(agent);
    const { conversation } = (await call(customer, 'POST', '/api/conversations', { subject: 'Resume', body: 'start' }))!;
    const seen = await first.waitFor((f) => f.type === 'conversation.created' && f.data.conversation.id === conversation.id);
    await first.close();
    for (const body of ['missed 1', 'missed 2', 'missed 3']) await call(customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body });
    const again = await Live.as(agent, `?since=${seen.id}`);
    const replayed = again.events();
    expect(replayed.map((f) => `${f.type}: ${f.data.message.body}`)).toEqual(['missed 1', 'missed 2', 'missed 3'].map((b) => `message.created: ${b}`));
    expect(replayed.map((f) => f.id)).toEqual([...replayed.map((f) => f.id)].sort((a, b) => a - b));
    expect(again.frames.at(-1)).toMatchObject({ type: 'ready', id: replayed.at(-1)!.id });
    await call(customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'live 4' });
    await again.waitFor(messageOf('live 4'));
    expect(again.events().map((f) => f.data.message.body)).toEqual(['missed 1', 'missed 2', 'missed 3', 'live 4']);
    await again.close();
  });

  it('refuses unauthenticated upgrades with 401 and accepts ?token=, a bearer header or the session cookie', async () => {
    const agent = await person('agent');
    expect(await refusal(main.ws)).toBe(401);
    expect(await refusal(`${main.ws}?token=not-a-token`)).toBe(401);
    expect(await refusal(main.ws, { authorization: 'Bearer nope' })).toBe(401);
    const byQuery = await Live.open(`${main.ws}?token=${encodeURIComponent(agent.token)}`);
    const customer = await person('customer');
    await call(customer, 'POST', '/api/conversations', { subject: 'Via query token', body: 'x' });
    await byQuery.waitFor((f) => f.type === 'conversation.created' && f.data.conversation.subject === 'Via query token');
    await byQuery.close();
    const credentials = JSON.stringify({ email: agent.email, password: 'correct horse 1' });
    const login = await fetch(`${main.http}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: credentials });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const byCookie = await Live.open(main.ws, { cookie, origin: main.http });
    await byCookie.close();
    // Another site's page would send the visitor's cookie too; its Origin gives it away.
    expect(await refusal(main.ws, { cookie, origin: 'https://evil.example' })).toBe(403);
  });

  it('catches up from the table when the bus is silent (the poll, the safety net)', async () => {
    const polled = await startInstance(store, { pollMs: 100 });
    try {
      const agent = await person('agent');
      const customer = await person('customer');
      const { conversation } = (await call(customer, 'POST', '/api/conversations', { subject: 'Poll', body: 'x' }))!;
      const socket = await Live.as(agent, '', polled);
      // A writer with a bus nobody hears, so no hub wakes and no NOTIFY is sent: only the poll finds it.
      const silent = createInboxContext({ store, bus: new EventBus() });
      await addMessage(silent, { conversation: conversation.id, from: { userId: customer.id }, body: 'found by polling' });
      await socket.waitFor(messageOf('found by polling'), 3000);
      await socket.close();
    } finally {
      await polled.app.close();
    }
  });

  it('drops a socket that stops answering pings', async () => {
    const beating = await startInstance(store, { heartbeatMs: 100 });
    try {
      const agent = await person('agent');
      const healthy = await Live.as(agent, '', beating);
      const dead = new WebSocket(beating.ws, { headers: { authorization: `Bearer ${agent.token}` }, autoPong: false });
      await new Promise((resolve) => dead.once('close', resolve));
      expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
      await healthy.close();
    } finally {
      await beating.app.close();
    }
  });

  it('two instances on one PostgreSQL database: a message posted through A reaches a socket on B', async () => {
    if (store.dialect !== 'postgres') {
      console.log('[realtime] two-instance test not applicable on SQLite (one process per database file); set DATABASE_URL to run it');
      expect(store.dialect).toBe('sqlite');
      return;
    }
    const otherStore = openPostgres(store.connectionString!);
    // No poll within the test's time: only NOTIFY can bring the message over.
    const b = await startInstance(otherStore, { pollMs: 60_000 });
    try {
      const agent = await person('agent');
      const customer = await person('customer');
      const onB = await Live.as(agent, '', b);
      const { conversation } = (await call(customer, 'POST', '/api/conversations', { subject: 'Across', body: 'x' }))!;
      await call(customer, 'POST', `/api/conversations/${conversation.id}/messages`, { body: 'from A to B' });
      const frame = await onB.waitFor(messageOf('from A to B'), 3000);
      expect(frame.data.conversation.id).toBe(conversation.id);
      await onB.close();
    } finally {
      await b.app.close();
      await otherStore.close();
    }
  });
});
