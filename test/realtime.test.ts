import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EventBus } from '../src/inbox/bus.js';
import { addMessage, createConversation } from '../src/inbox/commands.js';
import { createInboxContext } from '../src/inbox/context.js';
import { openPostgres, type Store } from '../src/store/database.js';
import type { Role } from '../src/store/schema.js';
import {
  call as callOn,
  type Frame,
  type Instance,
  Live as LiveOn,
  messageOf,
  type Person,
  person as personOn,
  refusal,
  startInstance,
} from './support/live.js';
import { makeTestStore } from './support/store.js';

// Real servers on real ports, real WebSocket clients: the upgrade, the hooks and the
// hub's timing are what is under test, so nothing here is injected.

let store: Store;
let main: Instance;

beforeAll(async () => {
  store = await makeTestStore();
  // A long poll: a test passing must mean the wake-up worked, not that the poll caught up.
  main = await startInstance(store, { pollMs: 60_000 });
});
afterAll(async () => {
  await main.app.close();
  await store.close();
});

const person = (role: Role) => personOn(main, role);
const call = (who: Person, method: string, path: string, body?: unknown) => callOn(main, who, method, path, body);
const Live = { open: LiveOn.open, as: (who: Person, query = '', on: Instance = main) => LiveOn.as(who, on, query) };

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
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
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

  it('drops a socket whose unsent backlog passes the limit; reconnecting with since delivers the rest', async () => {
    const limited = await startInstance(store, { maxBufferedBytes: 1024 * 1024, pollMs: 60_000 });
    try {
      const agent = await personOn(limited, 'agent');
      const customer = await personOn(limited, 'customer');
      const slow = await LiveOn.as(agent, limited);
      const healthy = await LiveOn.as(agent, limited);
      // Reading nothing: once the kernel's buffers are full (a few MB on loopback), frames pile up in the server.
      slow.ws.pause();
      const { conversation } = await createConversation(limited.inbox, { from: { userId: customer.id }, channel: 'ticket', subject: 'Backlog', body: 'x' });
      const COUNT = 80;
      const padding = 'lorem ipsum '.repeat(17_000); // ~200 KB a frame, 16 MB in all
      for (let i = 0; i < COUNT; i++)
        await addMessage(limited.inbox, { conversation: conversation.id, from: { userId: customer.id }, body: `#${i} ${padding}` });
      const numberOf = (f: Frame) => Number(/^#(\d+) /.exec(f.data.message.body)![1]);
      const isBacklog = (f: Frame) => f.type === 'message.created' && f.data.conversation.id === conversation.id;
      // A client that reads keeps up with the same frames under the same limit.
      await healthy.waitFor((f) => isBacklog(f) && numberOf(f) === COUNT - 1, 30_000);
      expect(healthy.closedWith).toBeNull();
      slow.ws.resume();
      // Cut without a close frame (1006): a close frame would have queued behind the backlog.
      expect((await slow.closedWithin(10_000)).code).toBe(1006);
      const received = slow.events().filter(isBacklog);
      expect(received.length).toBeLessThan(COUNT);
      expect(received.map(numberOf)).toEqual(received.map((_, i) => i));
      const resumed = await LiveOn.as(agent, limited, `?since=${slow.events().at(-1)!.id}`);
      expect(resumed.events().filter(isBacklog).map(numberOf)).toEqual(Array.from({ length: COUNT - received.length }, (_, i) => received.length + i));
      await Promise.all([resumed.close(), healthy.close()]);
    } finally {
      await limited.app.close();
    }
  }, 60_000);

  it('conversation.deleted reaches the team and the owning customer, and no other customer', async () => {
    const admin = await person('admin');
    const agent = await person('agent');
    const owner = await person('customer');
    const other = await person('customer');
    const doomed = (await call(owner, 'POST', '/api/conversations', { subject: 'Delete me', body: 'x' }))!.conversation;
    const fence = (await call(other, 'POST', '/api/conversations', { subject: 'Fence', body: 'x' }))!.conversation;
    const [agentSocket, ownerSocket, otherSocket] = await Promise.all([Live.as(agent), Live.as(owner), Live.as(other)]);
    await call(admin, 'DELETE', `/api/conversations/${doomed.id}`);
    const deletedFor = (id: number) => (f: Frame) => f.type === 'conversation.deleted' && f.data.id === id;
    const forTeam = await agentSocket.waitFor(deletedFor(doomed.id));
    const forOwner = await ownerSocket.waitFor(deletedFor(doomed.id));
    expect(forOwner).toEqual(forTeam);
    expect(forTeam.data).toEqual({ id: doomed.id });
    // Events are delivered in id order, so once the later one is here the deletion was decided for this socket.
    await call(other, 'POST', `/api/conversations/${fence.id}/messages`, { body: 'after the deletion' });
    await otherSocket.waitFor(messageOf('after the deletion'));
    expect(otherSocket.events().filter((f) => f.type === 'conversation.deleted')).toEqual([]);
    await Promise.all([agentSocket.close(), ownerSocket.close(), otherSocket.close()]);
  });

  it('documents GET /api/realtime in the OpenAPI document, and /api/docs still serves', async () => {
    const document = (await (await fetch(`${main.http}/api/openapi.json`)).json()) as Record<string, any>;
    const operation = document.paths['/api/realtime']?.get;
    expect(operation, 'the /api/realtime path').toBeDefined();
    expect(operation.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`).sort()).toEqual(['query:since', 'query:token']);
    expect(operation.responses['101'].description).toMatch(/Switching Protocols/);
    expect(operation.responses['101'].content).toBeUndefined();
    for (const frame of ['conversation.created', 'conversation.updated', 'message.created', 'conversation.deleted', 'ready', 'presence', 'error']) {
      expect(operation.description).toContain(`\`${frame}\``);
    }
    expect(operation.description).toContain('"type": "presence"');
    expect(document.components.schemas.RealtimePresenceRequest.properties.state.enum).toEqual(['viewing', 'typing', 'left']);
    const docs = await fetch(`${main.http}/api/docs/json`);
    expect(docs.status).toBe(200);
    expect(((await docs.json()) as Record<string, any>).paths['/api/realtime']).toBeDefined();
    expect((await fetch(`${main.http}/api/docs/`)).status).toBe(200);
  });
});
