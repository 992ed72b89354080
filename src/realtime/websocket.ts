import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { findUserByApiToken, type AccountsContext } from '../accounts/index.js';
import { unauthorized } from '../http/errors.js';
import { DomainError } from '../inbox/errors.js';
import { defineRoutes, type ZodApp } from '../http/routing.js';
import type { LiveViewer } from './frames.js';
import type { LiveClient, RealtimeHub } from './hub.js';

// GET /api/realtime: the live stream over WebSocket. Authentication happens before the
// upgrade, so a stranger gets a plain 401 and never a socket: the session cookie or a
// bearer token (filled in by http/auth.ts), or `?token=` since browsers cannot set
// headers on a WebSocket.

const Query = z.strictObject({
  since: z.coerce.number().int().min(0).optional().describe('resume after this event id'),
  token: z.string().min(1).max(200).optional().describe('an API token, for clients that cannot send headers'),
});

/** Clients only listen; anything they send is small or a mistake. */
const MAX_INCOMING_BYTES = 4096;

async function authenticateSocket(accounts: AccountsContext, request: FastifyRequest): Promise<void> {
  const token = (request.query as { token?: unknown }).token;
  if (!request.user && typeof token === 'string') {
    const user = await findUserByApiToken(accounts, token);
    if (!user) throw unauthorized('The API token is not valid');
    request.user = user;
  }
  if (!request.user) throw unauthorized();
  // Cross-site WebSocket hijacking: a page elsewhere could open this socket with the
  // visitor's cookie. Cookie sessions must come from a page on this host.
  const origin = request.headers.origin;
  if (request.session && origin && hostOf(origin) !== request.headers.host) {
    throw new DomainError('forbidden', 'A cookie-authenticated WebSocket must come from this site');
  }
}

const hostOf = (origin: string) => {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
};

/**
 * The WebSocket transport. Register it before any hook that may refuse a request: its
 * own onRequest hook marks upgrade requests, and only a marked request's socket is
 * destroyed after a refusal; an unmarked one would stay open and hold up server.close().
 */
export async function registerWebSocketTransport(app: ZodApp): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_INCOMING_BYTES } });
}

export const realtimeRoutes = defineRoutes<{ hub: RealtimeHub; accounts: AccountsContext }>(async (app, { hub, accounts }) => {
  app.get('/api/realtime', {
    websocket: true,
    schema: { tags: ['realtime'], querystring: Query },
    onRequest: async (request) => authenticateSocket(accounts, request),
  }, (socket, request) => {
    const user = request.user!;
    const client = new WsClient(socket, { id: user.id, role: user.role, email: user.email }, hub.maxBufferedBytes);
    socket.on('close', () => hub.leave(client));
    socket.on('error', () => socket.terminate());
    hub.join(client, request.query.since ?? null).catch((error) => {
      request.log.warn({ err: error }, 'realtime: replay failed');
      client.close(1011, 'replay failed; reconnect with since');
    });
  });
});

/** One socket as the hub sees it: backpressure, heartbeat, close. */
class WsClient implements LiveClient {
  sentUpTo = 0;
  #alive = true;

  constructor(
    private readonly socket: WebSocket,
    readonly viewer: LiveViewer,
    private readonly maxBufferedBytes: number,
  ) {
    socket.on('pong', () => {
      this.#alive = true;
    });
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(frame: string): void {
    if (!this.open) return;
    // A client that cannot keep up would hold an ever-growing backlog in our memory and
    // no close frame would reach it past that backlog: cut it; it resumes with `since`.
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.socket.terminate();
      return;
    }
    this.socket.send(frame);
  }

  async drained(): Promise<void> {
    for (let waited = 0; this.open && this.socket.bufferedAmount > this.maxBufferedBytes / 2; waited += 20) {
      if (waited > 30_000) return this.socket.terminate();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** No pong since the last ping: the peer is gone (or unreachable); free its socket. */
  heartbeat(): void {
    if (!this.#alive) return this.socket.terminate();
    this.#alive = false;
    this.socket.ping();
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}
