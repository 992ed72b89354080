import { parentPort } from 'node:worker_threads';
import WebSocket from 'ws';
import { epochNow, startTsxWorker } from './threads.js';

// The agents' WebSockets for the delivery latency, on a thread of their own: parsing
// 1,000 frames per message on the server's event loop would add the clients' work to
// the server's latency. Times are epoch milliseconds (threads.ts epochNow), comparable
// across threads of one process.

type ToWorker = { type: 'connect'; url: string; tokens: string[]; sockets: number } | { type: 'collect'; body: string } | { type: 'close' };
type FromWorker =
  | { type: 'connected'; seconds: number }
  | { type: 'received'; body: string; times: number[] }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

export type SocketClients = {
  count: number;
  connectSeconds: number;
  /** Receipt times of `body` on every socket, or those that arrived within `timeoutMs`. */
  receipts(body: string, timeoutMs: number): Promise<number[]>;
  close(): Promise<void>;
};

export async function startSocketClients(url: string, tokens: string[], sockets: number): Promise<SocketClients> {
  const worker = startTsxWorker(import.meta.url);
  const waiting = new Map<string, (times: number[]) => void>();
  let onConnected: (seconds: number) => void = () => {};
  let onClosed: () => void = () => {};
  let failure: (error: Error) => void = () => {};
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'connected') onConnected(message.seconds);
    else if (message.type === 'received') waiting.get(message.body)?.(message.times);
    else if (message.type === 'closed') onClosed();
    else failure(new Error(message.message));
  });
  worker.on('error', (error) => failure(error));
  const send = (message: ToWorker) => worker.postMessage(message);
  const connectSeconds = await new Promise<number>((resolve, reject) => {
    onConnected = resolve;
    failure = reject;
    send({ type: 'connect', url, tokens, sockets });
  });
  return {
    count: sockets,
    connectSeconds,
    receipts(body, timeoutMs) {
      return new Promise<number[]>((resolve) => {
        const timer = setTimeout(() => send({ type: 'collect', body }), timeoutMs);
        waiting.set(body, (times) => {
          clearTimeout(timer);
          waiting.delete(body);
          resolve(times);
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        onClosed = resolve;
        send({ type: 'close' });
      });
      await worker.terminate();
    },
  };
}

// ---- the worker's side ----

function runClients(port: NonNullable<typeof parentPort>): void {
  const sockets: WebSocket[] = [];
  const received = new Map<string, number[]>();
  const post = (message: FromWorker) => port.postMessage(message);

  const onFrame = (data: WebSocket.RawData, ready: () => void) => {
    const at = epochNow();
    const frame = JSON.parse(String(data)) as { type: string; data?: { message?: { body?: string } } };
    if (frame.type === 'ready') return ready();
    const body = frame.type === 'message.created' ? frame.data?.message?.body : undefined;
    if (body === undefined) return;
    const times = received.get(body) ?? [];
    received.set(body, times);
    times.push(at);
    if (times.length === sockets.length) {
      received.delete(body);
      post({ type: 'received', body, times });
    }
  };

  async function connect(url: string, tokens: string[], count: number) {
    const started = epochNow();
    const BATCH = 50;
    for (let i = 0; i < count; i += BATCH) {
      await Promise.all(
        Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => {
          const ws = new WebSocket(`${url}?token=${tokens[(i + j) % tokens.length]!}`);
          sockets.push(ws);
          return new Promise<void>((resolve, reject) => {
            ws.once('error', reject);
            ws.on('message', (data) => onFrame(data, resolve));
          });
        }),
      );
    }
    post({ type: 'connected', seconds: (epochNow() - started) / 1000 });
  }

  port.on('message', (message: ToWorker) => {
    if (message.type === 'connect') {
      connect(message.url, message.tokens, message.sockets).catch((error: Error) => post({ type: 'failed', message: error.message }));
    } else if (message.type === 'collect') {
      const times = received.get(message.body) ?? [];
      received.delete(message.body);
      post({ type: 'received', body: message.body, times });
    } else {
      void Promise.all(
        sockets.map((ws) => (ws.readyState === ws.CLOSED ? undefined : new Promise<void>((resolve) => (ws.once('close', () => resolve()), ws.terminate())))),
      ).then(() => post({ type: 'closed' }));
    }
  });
}

if (parentPort) runClients(parentPort);
