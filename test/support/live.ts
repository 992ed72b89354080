import { expect } from 'vitest';
import WebSocket from 'ws';
import type { CredentialWatchOptions } from '../../src/realtime/credentials.js';
import type { HubOptions } from '../../src/realtime/hub.js';
import type { Store } from '../../src/store/database.js';
import { PASSWORD, type Person, startTestApp } from './app.js';

// Real servers on real ports and real WebSocket clients, for the live-stream tests: the
// upgrade, the hooks and the hub's timing are what is under test, so nothing is injected.

export { PASSWORD, type Person, person } from './app.js';

/** `id` is absent on presence, error and notification frames, which are not events. */
export type Frame = { id: number; type: string; data: Record<string, any> };
export type Instance = Awaited<ReturnType<typeof startInstance>>;

/**
 * The app on `on`. The tests change accounts through `accounts`, which has no listener:
 * only the server's own routes tell its sockets at once, so these changes exercise the timer.
 */
export function startInstance(on: Store, realtime: HubOptions & CredentialWatchOptions = {}) {
  return startTestApp({ store: on, realtime });
}

export async function call(on: Instance, who: Person, method: string, path: string, body?: unknown) {
  const response = await fetch(on.http + path, {
    method,
    headers: { authorization: `Bearer ${who.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return response.status === 204 ? null : ((await response.json()) as Record<string, any>);
}

/** A browser session: its cookie header and CSRF token. */
export async function login(on: Instance, email: string, password = PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${on.http}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(response.status, 'login').toBe(200);
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}

/** A cookie-authenticated write, as the web app sends it. */
export function sessionPost(on: Instance, session: { cookie: string; csrf: string }, path: string, body?: unknown): Promise<Response> {
  return fetch(on.http + path, {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

export type Closed = { code: number; reason: string };

/** A connected socket that records every frame and how it closed; `open` resolves once the hub says it is live. */
export class Live {
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  closedWith: Closed | null = null;
  #waiters: (() => unknown)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const w of this.#waiters) w();
    });
    // A socket cut mid-frame reports an error before it closes; the close is what tests look at.
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closedWith = { code, reason: String(reason) };
        resolve(this.closedWith);
      }),
    );
  }

  static async open(url: string, headers: Record<string, string> = {}, options: WebSocket.ClientOptions = {}): Promise<Live> {
    const live = new Live(new WebSocket(url, { headers, ...options }));
    await Promise.race([
      live.waitFor((f) => f.type === 'ready'),
      live.closed.then((c) => Promise.reject(new Error(`closed before ready: ${c.code} ${c.reason}`))),
    ]);
    return live;
  }

  static as(who: Person, on: Instance, query = ''): Promise<Live> {
    return Live.open(on.ws + query, { authorization: `Bearer ${who.token}` });
  }

  /** The first recorded frame matching, waiting up to `ms` for it. */
  waitFor(match: (f: Frame) => boolean, ms = 5000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame in ${ms} ms; got ${JSON.stringify(this.frames)}`)), ms);
      const check = () => {
        const found = this.frames.find(match);
        if (found) clearTimeout(timer), resolve(found);
        return found;
      };
      if (!check()) this.#waiters.push(check);
    });
  }

  /** How the socket closed, failing after `ms`. */
  closedWithin(ms: number): Promise<Closed> {
    return Promise.race([this.closed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms))]);
  }

  /** What the socket got besides `ready` and the user's own notification frames (which have no id and are never replayed). */
  events = (): Frame[] => this.frames.filter((f) => f.type !== 'ready' && !f.type.startsWith('notification.'));

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => this.ws.once('close', () => resolve()).close());
  }
}

/** The HTTP status a refused upgrade answered with. */
export function refusal(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => (resolve(res.statusCode ?? 0), ws.terminate()));
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
  });
}

export const messageOf = (body: string) => (f: Frame) => f.type === 'message.created' && f.data.message.body === body;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
