import WebSocket from 'ws';
import { type Latency, summarize } from './measure.js';

// The chat round trip under load: `visitors` widget sockets connected at once, and
// messages sent by random visitors one after another, each timed from just before its
// POST until the agent's socket receives it. The baseline, in the same run and through
// the same server, is an agent's own reply timed to that same agent socket: the inbox's
// path without the widget's session lookup, CORS and visitor rendering.

export type ChatFigures = { visitors: number; connectSeconds: number; messages: number; missed: number; visitor: Latency; baseline: Latency; ratio: number };

type Socket = { ws: WebSocket; frames: (match: (frame: Record<string, any>) => boolean, ms: number) => Promise<number | null> };

function open(url: string, headers: Record<string, string> = {}): Promise<Socket> {
  const ws = new WebSocket(url, { headers });
  const waiters = new Set<{ match: (f: Record<string, any>) => boolean; done: (at: number) => void }>();
  ws.on('message', (data) => {
    const at = performance.now();
    const frame = JSON.parse(String(data)) as Record<string, any>;
    for (const waiter of waiters) if (waiter.match(frame)) waiters.delete(waiter), waiter.done(at);
  });
  const frames: Socket['frames'] = (match, ms) =>
    new Promise((resolve) => {
      const waiter = { match, done: (at: number) => (clearTimeout(timer), resolve(at)) };
      const timer = setTimeout(() => (waiters.delete(waiter), resolve(null)), ms);
      waiters.add(waiter);
    });
  return new Promise((resolve, reject) => {
    const ready = frames((f) => f.type === 'ready', 10_000);
    ws.once('error', reject);
    ws.once('open', () => void ready.then(() => resolve({ ws, frames })));
  });
}

async function json(url: string, init: RequestInit): Promise<Record<string, any>> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, any>;
}

export async function measureChat(server: string, agentToken: string, options: { visitors: number; messages: number; origin: string }): Promise<ChatFigures> {
  const headers = (token?: string) => ({ origin: options.origin, 'content-type': 'application/json', ...(token ? { 'x-visitor-token': token } : {}) });
  const started = performance.now();
  const visitors: { token: string; socket: Socket }[] = [];
  // Sessions and sockets 25 at a time, as visitors arrive.
  for (let i = 0; i < options.visitors; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, options.visitors - i) }, async (_, j) => {
        const session = await json(`${server}/api/widget/session`, { method: 'POST', headers: headers(), body: JSON.stringify({ name: `Visitor ${i + j}` }) });
        const socket = await open(`${server.replace('http', 'ws')}/api/widget/socket?token=${session.visitorToken}&since=${session.lastEventId}`, {
          origin: options.origin,
        });
        return { token: session.visitorToken as string, socket };
      }),
    );
    visitors.push(...batch);
  }
  const connectSeconds = (performance.now() - started) / 1000;
  const agent = await open(`${server.replace('http', 'ws')}/api/realtime?token=${agentToken}`);

  // Every visitor has a chat with the team, so a message is an ordinary customer message.
  let conversationId = 0;
  for (const [i, v] of visitors.entries()) {
    const turn = await json(`${server}/api/widget/messages`, { method: 'POST', headers: headers(v.token), body: JSON.stringify({ body: `hello from ${i}` }) });
    conversationId = turn.conversation.id;
  }

  const visitorTimes: number[] = [];
  const baselineTimes: number[] = [];
  let missed = 0;
  for (let n = 0; n < options.messages; n++) {
    const v = visitors[Math.floor(Math.random() * visitors.length)]!;
    const body = `visitor message ${n} ${Math.random()}`;
    const arrived = agent.frames((f) => f.type === 'message.created' && f.data.message.body === body, 5000);
    const t0 = performance.now();
    await json(`${server}/api/widget/messages`, { method: 'POST', headers: headers(v.token), body: JSON.stringify({ body }) });
    const at = await arrived;
    if (at === null) missed++;
    else visitorTimes.push(at - t0);

    const reply = `agent reply ${n} ${Math.random()}`;
    const back = agent.frames((f) => f.type === 'message.created' && f.data.message.body === reply, 5000);
    const t1 = performance.now();
    await json(`${server}/api/conversations/${conversationId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: reply }),
    });
    const backAt = await back;
    if (backAt === null) missed++;
    else baselineTimes.push(backAt - t1);
  }
  agent.ws.close();
  for (const v of visitors) v.socket.ws.close();
  const visitor = summarize(visitorTimes);
  const baseline = summarize(baselineTimes);
  return { visitors: visitors.length, connectSeconds, messages: options.messages, missed, visitor, baseline, ratio: visitor.p50 / baseline.p50 };
}
