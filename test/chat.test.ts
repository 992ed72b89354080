import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, parseBusinessHours, setDefaultCalendar } from '../src/calendar/index.js';
import { HANDOVER_TEXT } from '../src/channels/chat/bot.js';
import { identityHash } from '../src/channels/chat/identity.js';
import { type ChatSettings, DEFAULT_CHAT_SETTINGS, parseAllowedOrigins } from '../src/channels/chat/index.js';
import type { Store } from '../src/store/database.js';
import { startTestApp } from './support/app.js';
import { seedKnowledgeBase } from './support/kb-articles.js';
import { call, type Instance, Live, type Person, person, refusal } from './support/live.js';
import { makeTestStore } from './support/store.js';

// The chat channel end to end over real HTTP and real sockets: a visitor's session, the
// bot's answers, the hand-over to the team, and who may see what.

const SITE = 'https://shop.example.test';
const SECRET = 'widget-identity-secret-for-the-tests-0123456789';

let store: Store;
let server: Instance;
let agent: Person;

function start(settings: ChatSettings): Promise<Instance> {
  return startTestApp({ store, config: { chat: settings }, realtime: { pollMs: 200 }, uploads: true });
}

beforeAll(async () => {
  store = await makeTestStore();
  await seedKnowledgeBase({ store, clock: Date.now });
  server = await start({
    ...DEFAULT_CHAT_SETTINGS,
    origins: parseAllowedOrigins(SITE),
    identity: { secret: SECRET, required: false },
    publicUrl: 'https://help.example.test',
  });
  agent = await person(server, 'agent');
});
afterAll(async () => {
  await server?.close();
  await store?.close();
});

async function widget(path: string, body?: unknown, token?: string, origin = SITE) {
  const response = await fetch(server.http + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { origin, ...(token ? { 'x-visitor-token': token } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: response.status === 204 ? null : ((await response.json()) as Record<string, any>) };
}

const visitorSocket = (token: string, since = 0) =>
  Live.open(`${server.http.replace('http', 'ws')}/api/widget/socket?token=${token}&since=${since}`, { origin: SITE });

describe('chat: the bot answers, then hands over to a person', () => {
  it('answers a knowledge-base question at once and keeps the chat out of the Open view', async () => {
    const session = await widget('/api/widget/session', { name: 'Mia' });
    expect(session.status).toBe(200);
    expect(session.headers.get('access-control-allow-origin')).toBe(SITE);
    const token = session.json!.visitorToken as string;
    expect(session.json).toMatchObject({ visitor: { name: 'Mia', email: null }, conversation: null, messages: [] });

    const sent = await widget('/api/widget/messages', { body: 'How do I reset my password?' }, token);
    expect(sent.status).toBe(201);
    expect(sent.json!.conversation).toMatchObject({ handler: 'bot', status: 'pending' });
    expect(sent.json!.message).toMatchObject({ body: 'How do I reset my password?', sender: { type: 'customer', name: 'Mia' } });
    expect(sent.json!.replies).toHaveLength(1);
    expect(sent.json!.replies[0].sender.type).toBe('bot');
    expect(sent.json!.replies[0].body).toContain('https://help.example.test/help/articles/resetting-your-password');

    const id = sent.json!.conversation.id;
    const open = (await call(server, agent, 'GET', '/api/conversations?status=open'))!.items.map((c: { id: number }) => c.id);
    expect(open).not.toContain(id);
    const bot = (await call(server, agent, 'GET', '/api/conversations?tag=bot&status=pending'))!.items.map((c: { id: number }) => c.id);
    expect(bot).toContain(id);
    // The sidebar's Bot count is the same list's length.
    expect((await call(server, agent, 'GET', '/api/inbox/counts'))!.bot).toBe(bot.length);
    const found = (await call(server, agent, 'GET', '/api/conversations?q=password'))!.items.map((c: { id: number }) => c.id);
    expect(found).toContain(id);
  });

  it('"I want a human" escalates: open in the inbox with the whole chat, an escalated event, and the agent reply reaches the visitor live', async () => {
    const token = (await widget('/api/widget/session', { name: 'Noah', email: 'noah@example.test' })).json!.visitorToken as string;
    await widget('/api/widget/messages', { body: 'Do you ship to Canada?' }, token);
    const agentSocket = await Live.as(agent, server);
    const handed = await widget('/api/widget/messages', { body: 'I want a human please' }, token);
    expect(handed.json!.conversation).toMatchObject({ handler: 'team', status: 'open' });
    expect(handed.json!.replies.map((m: { body: string }) => m.body)).toEqual([HANDOVER_TEXT]);
    const id = handed.json!.conversation.id;

    const update = await agentSocket.waitFor(
      (f) => f.type === 'conversation.updated' && f.data.conversation.id === id && f.data.conversation.status === 'open',
    );
    expect(update.data.conversation.tags).not.toContain('bot');
    const thread = (await call(server, agent, 'GET', `/api/conversations/${id}/messages`))!.items.map(
      (m: { sender: { type: string }; body: string }) => `${m.sender.type}: ${m.body.slice(0, 22)}`,
    );
    expect(thread).toEqual([
      'customer: Do you ship to Canada?',
      expect.stringMatching(/^bot: We ship to/),
      'customer: I want a human please',
      `bot: ${HANDOVER_TEXT.slice(0, 22)}`,
    ]);
    const events = (await call(server, agent, 'GET', `/api/conversations/${id}/events`))!.items.map((e: { eventType: string }) => e.eventType);
    expect(events).toContain('escalated');
    expect((await call(server, agent, 'GET', `/api/conversations/${id}`))!.conversation.customer).toMatchObject({ name: 'Noah', email: 'noah@example.test' });

    const session = await widget('/api/widget/session', { visitorToken: token }, undefined);
    const visitor = await visitorSocket(token, session.json!.lastEventId);
    await call(server, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'Hi Noah, Ben here.' });
    await call(server, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'internal: check his order', isInternal: true });
    await call(server, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'Yes, we ship to Canada.' });
    const reply = await visitor.waitFor((f) => f.type === 'message.created' && f.data.body === 'Yes, we ship to Canada.');
    expect(reply.data.sender).toEqual({ type: 'admin', name: agent.name });
    expect(visitor.frames.some((f) => f.type === 'message.created' && f.data.body.startsWith('internal'))).toBe(false);
    expect(JSON.stringify(visitor.frames)).not.toContain('noah@example.test');

    // After a person answered, the bot stays silent.
    const after = await widget('/api/widget/messages', { body: 'How do I reset my password?' }, token);
    expect(after.json!.replies).toEqual([]);
    expect(after.json!.conversation).toMatchObject({ handler: 'team', status: 'open' });
    await Promise.all([visitor.close(), agentSocket.close()]);
  });

  it('two misses in a row hand over; the "Talk to a person" button hands over at once', async () => {
    const token = (await widget('/api/widget/session', {})).json!.visitorToken as string;
    const first = await widget('/api/widget/messages', { body: 'What is the airspeed of a swallow?' }, token);
    expect(first.json!.conversation.handler).toBe('bot');
    const second = await widget('/api/widget/messages', { body: 'And the capital of Atlantis?' }, token);
    expect(second.json!.conversation).toMatchObject({ handler: 'team', status: 'open' });

    const other = (await widget('/api/widget/session', {})).json!.visitorToken as string;
    expect((await widget('/api/widget/escalate', {}, other)).json).toEqual({ conversation: null, replies: [] });
    await widget('/api/widget/messages', { body: 'How long does express shipping take?' }, other);
    const escalated = await widget('/api/widget/escalate', {}, other);
    expect(escalated.json!.conversation).toMatchObject({ handler: 'team', status: 'open' });
    // Once only.
    expect((await widget('/api/widget/escalate', {}, other)).json!.replies).toEqual([]);
  });

  it('a visitor who writes first and gives an address later: the chat moves to that customer, and live replies still reach them', async () => {
    const token = (await widget('/api/widget/session', {})).json!.visitorToken as string;
    const id = (await widget('/api/widget/messages', { body: 'I want a human about my invoice' }, token)).json!.conversation.id;
    const before = (await call(server, agent, 'GET', `/api/conversations/${id}`))!.conversation.customer;
    expect(before.email).toMatch(/@visitors\.invalid$/);
    expect(before.name).toMatch(/^Visitor [0-9A-F]{4}$/);
    const socket = await visitorSocket(token, (await widget('/api/widget/session', { visitorToken: token })).json!.lastEventId);

    const named = await widget('/api/widget/session', { visitorToken: token, name: 'Rita Late', email: 'rita@example.test' });
    expect(named.json).toMatchObject({ visitor: { name: 'Rita Late', email: 'rita@example.test' }, conversation: { id } });
    expect((await call(server, agent, 'GET', `/api/conversations/${id}`))!.conversation.customer).toMatchObject({
      name: 'Rita Late',
      email: 'rita@example.test',
    });
    const events = (await call(server, agent, 'GET', `/api/conversations/${id}/events`))!.items.map((e: { eventType: string }) => e.eventType);
    expect(events).toContain('customer_changed');

    await call(server, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'Hi Rita, about that invoice…' });
    await socket.waitFor((f) => f.type === 'message.created' && f.data.body === 'Hi Rita, about that invoice…');
    await socket.close();
  });

  it('an agent answering a bot chat takes it over', async () => {
    const token = (await widget('/api/widget/session', { name: 'Ola' })).json!.visitorToken as string;
    const id = (await widget('/api/widget/messages', { body: 'Can I export my contacts as CSV?' }, token)).json!.conversation.id;
    await call(server, agent, 'POST', `/api/conversations/${id}/messages`, { body: 'Jumping in: yes, and invoices too.' });
    const conversation = (await call(server, agent, 'GET', `/api/conversations/${id}`))!.conversation;
    expect(conversation.tags).not.toContain('bot');
    expect((await widget('/api/widget/messages', { body: 'Thanks! And how do I reset my password?' }, token)).json!.replies).toEqual([]);
  });
});

describe('chat: who may see what', () => {
  it('a visitor sees only the chats their browser started, even after typing someone else’s address', async () => {
    const alice = (await widget('/api/widget/session', { email: 'alice@example.test', name: 'Alice' })).json!.visitorToken as string;
    await widget('/api/widget/messages', { body: 'My order number is 5531, secret stuff' }, alice);
    const mallory = await widget('/api/widget/session', { email: 'alice@example.test', name: 'Mallory' });
    expect(mallory.json).toMatchObject({ conversation: null, messages: [] });
    const socket = await visitorSocket(mallory.json!.visitorToken, 0);
    await widget('/api/widget/messages', { body: 'anyone there? 5531 again' }, alice);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(JSON.stringify(socket.frames)).not.toContain('5531');
    await socket.close();
  });

  it('a visitor sends a file; only their own token downloads it', async () => {
    const token = (await widget('/api/widget/session', { name: 'Pia' })).json!.visitorToken as string;
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2274a4d0000000049454e44ae426082',
      'hex',
    );
    const form = new FormData();
    form.set('body', 'here is a screenshot');
    form.append('files', new Blob([png], { type: 'image/png' }), 'screen.png');
    const sent = await fetch(`${server.http}/api/widget/messages`, { method: 'POST', headers: { origin: SITE, 'x-visitor-token': token }, body: form });
    expect(sent.status).toBe(201);
    const file = ((await sent.json()) as any).message.attachments[0];
    expect(file).toMatchObject({ name: 'screen.png', contentType: 'image/png', size: png.length });
    const download = await fetch(server.http + file.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);

    const stranger = (await widget('/api/widget/session', {})).json!.visitorToken as string;
    expect((await fetch(`${server.http}/api/widget/attachments/${file.id}?token=${stranger}`)).status).toBe(404);
    expect((await fetch(`${server.http}/api/widget/attachments/${file.id}?token=nope`)).status).toBe(404);
  });

  it('refuses other origins, unknown tokens and forged identities', async () => {
    expect((await widget('/api/widget/session', {}, undefined, 'https://evil.example.test')).status).toBe(403);
    expect(await refusal(`${server.http.replace('http', 'ws')}/api/widget/socket?token=x`, { origin: 'https://evil.example.test' })).toBe(403);
    expect((await widget('/api/widget/messages', { body: 'hi' }, 'not-a-token-but-long-enough-1234')).status).toBe(401);
    const preflight = await fetch(`${server.http}/api/widget/messages`, {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-visitor-token');

    const required = await start({ ...DEFAULT_CHAT_SETTINGS, identity: { secret: SECRET, required: true } });
    try {
      const forged = await fetch(`${required.http}/api/widget/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identity: { userId: 'u-1', email: 'u1@example.test', hash: identityHash('not-the-secret-but-long-enough-00000', 'u-1') } }),
      });
      expect(forged.status).toBe(403);
      const unsigned = await fetch(`${required.http}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(unsigned.status).toBe(403);
    } finally {
      await required.close();
    }
  });

  it('says online while someone of the team is connected, and offline outside the business hours', async () => {
    const agentSocket = await Live.as(agent, server);
    expect((await widget('/api/widget/config')).json).toMatchObject({ online: true, teamName: 'Support', preChat: 'optional' });
    // The widget's hours are the stored business calendar. Open every day but today (UTC): closed now, whoever is online.
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const today = new Date().getUTCDay();
    const others = days
      .filter((_, i) => i !== today)
      .map((day) => `${day} 00:00-24:00`)
      .join(', ');
    const admin = { id: (await person(server, 'admin')).id, role: 'admin' as const, emailVerifiedAt: null };
    await setDefaultCalendar(store, parseBusinessHours(others), admin);
    try {
      expect((await widget('/api/widget/config')).json).toMatchObject({ online: false });
    } finally {
      await setDefaultCalendar(store, ALWAYS_OPEN, admin);
    }
    expect((await widget('/api/widget/config')).json).toMatchObject({ online: true });
    await agentSocket.close();
  });

  it('limits new chats per client address and messages per visitor (429)', async () => {
    const limited = await start({ ...DEFAULT_CHAT_SETTINGS, limits: { ...DEFAULT_CHAT_SETTINGS.limits, sessionsPerIp: 2, messagesPerMinute: 3 } });
    try {
      const session = (body: unknown) =>
        fetch(`${limited.http}/api/widget/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const first = (await (await session({})).json()) as { visitorToken: string };
      expect((await session({})).status).toBe(200);
      expect((await session({})).status).toBe(429);
      // A returning visitor is not a new chat.
      expect((await session({ visitorToken: first.visitorToken })).status).toBe(200);
      const send = () =>
        fetch(`${limited.http}/api/widget/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-visitor-token': first.visitorToken },
          body: JSON.stringify({ body: 'spam?' }),
        });
      for (let i = 0; i < 3; i++) expect((await send()).status).toBe(201);
      const refused = await send();
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });

  it('the same signed user on two devices sees the same chat', async () => {
    const identity = { userId: 'shop-user-77', email: 'sam@example.test', name: 'Sam', hash: identityHash(SECRET, 'shop-user-77') };
    const phone = (await widget('/api/widget/session', { identity })).json!.visitorToken as string;
    const sent = await widget('/api/widget/messages', { body: 'Where is my parcel? I need the tracking link' }, phone);
    const laptop = await widget('/api/widget/session', { identity });
    expect(laptop.json!.visitorToken).not.toBe(phone);
    expect(laptop.json!.conversation.id).toBe(sent.json!.conversation.id);
    expect(laptop.json!.messages.map((m: { body: string }) => m.body)[0]).toBe('Where is my parcel? I need the tracking link');
    expect(laptop.json!.visitor).toEqual({ name: 'Sam', email: 'sam@example.test' });
  });
});
