import websocket from '@fastify/websocket';
import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { RawData } from 'ws';
import { z } from 'zod';
import { findApiTokenUse } from '../accounts/api-tokens.js';
import type { AccountsContext, SeenTracker } from '../accounts/index.js';
import { DomainError } from '../errors.js';
import { isTeam } from '../inbox/policies.js';
import type { Credential, CredentialWatch } from '../realtime/credentials.js';
import type { RealtimeHub } from '../realtime/hub.js';
import type { PresenceRelay } from '../realtime/presence.js';
import { errorFrame, parseClientFrame, RATE_LIMITED, REALTIME_DESCRIPTION, REALTIME_SUMMARY } from '../realtime/protocol.js';
import { textOf, WsClient } from '../realtime/ws-client.js';
import { errorBody, unauthorized } from './errors.js';
import { defineRoutes, type ZodApp } from './routing.js';

// GET /api/realtime: the live stream over WebSocket. Authentication happens before the
// upgrade, so a stranger gets a plain 401 and never a socket: the session cookie or a
// bearer token (filled in by http/auth.ts), or `?token=` since browsers cannot set
// headers on a WebSocket. The socket remembers which credential opened it, so the
// credential watch can close it when that credential ends.

const Query = z.strictObject({
  since: z.coerce.number().int().min(0).optional().describe('resume after this event id'),
  token: z.string().min(1).max(200).optional().describe('an API token, for clients that cannot send headers'),
});

/** Clients only send presence frames; anything bigger is a mistake. */
const MAX_INCOMING_BYTES = 4096;

/** What the upgrade's onRequest hook learned, for the handler that runs after the upgrade. */
const credentials = new WeakMap<FastifyRequest, Credential>();

async function authenticateSocket(accounts: AccountsContext, request: FastifyRequest): Promise<Credential> {
  if (request.session && request.user) {
    // Cross-site WebSocket hijacking: a page elsewhere could open this socket with the
    // visitor's cookie. Cookie sessions must come from a page on this host.
    const origin = request.headers.origin;
    if (origin && hostOf(origin) !== request.headers.host) {
      throw new DomainError('forbidden', 'A cookie-authenticated WebSocket must come from this site');
    }
    return { kind: 'session', sessionId: request.session.id, userId: request.user.id };
  }
  // http/auth.ts already refused a bad bearer token; asking again yields the token's id.
  const authorization = request.headers.authorization;
  const query = (request.query as { token?: unknown }).token;
  const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : typeof query === 'string' ? query : null;
  if (token === null) throw unauthorized();
  const use = await findApiTokenUse(accounts, token);
  if (!use) throw unauthorized('The API token is not valid');
  request.user = use.user;
  return { kind: 'token', tokenId: use.tokenId, userId: use.user.id };
}

const hostOf = (origin: string) => {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
};

/**
 * @fastify/websocket hides its routes from the OpenAPI document (a plain GET there
 * answers 404), but the upgrade is half of this API: it is documented as a GET answering 101.
 */
const documentUpgrade: NonNullable<FastifyContextConfig['swaggerTransform']> = (input) => {
  const { schema, url } = jsonSchemaTransform({ ...input, schema: { ...input.schema, hide: false } });
  const switching = { type: 'null', description: 'Switching Protocols: the WebSocket is open; the frames are described above' };
  return { url, schema: { ...schema, response: { 101: switching, ...(schema.response as object) } } };
};

/**
 * The WebSocket transport. Register it before any hook that may refuse a request: its
 * own onRequest hook marks upgrade requests, and only a marked request's socket is
 * destroyed after a refusal; an unmarked one would stay open and hold up server.close().
 */
export async function registerWebSocketTransport(app: ZodApp): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_INCOMING_BYTES } });
}

export type RealtimeRouteOptions = {
  hub: RealtimeHub;
  watch: CredentialWatch;
  presence: PresenceRelay;
  accounts: AccountsContext;
  /** A team member's open sockets make them online (accounts/availability.ts). */
  seen: SeenTracker;
};

export const realtimeRoutes = defineRoutes<RealtimeRouteOptions>(async (app, { hub, watch, presence, accounts, seen }) => {
  /** One client frame: a bad one is answered with an error frame, never fatal to the socket. */
  function receive(client: WsClient, data: RawData, isBinary: boolean): void {
    const budget = client.budget.take();
    if (budget === 'ignore') return;
    if (budget === 'over') {
      client.send(errorFrame(RATE_LIMITED));
      return;
    }
    const parsed = parseClientFrame(textOf(data, isBinary));
    if ('error' in parsed) {
      client.send(errorFrame(parsed.error));
      return;
    }
    // Customers may not announce themselves to the team; their presence frames are ignored.
    if (parsed.frame.type === 'presence' && isTeam(client.viewer)) presence.update(client, parsed.frame);
  }

  app.get(
    '/api/realtime',
    {
      websocket: true,
      schema: {
        tags: ['realtime'],
        summary: REALTIME_SUMMARY,
        description: REALTIME_DESCRIPTION,
        querystring: Query,
        // The refusals before the upgrade; 101 is added for the document by documentUpgrade.
        response: { 400: errorBody, 401: errorBody, 403: errorBody },
      },
      config: { swaggerTransform: documentUpgrade },
      onRequest: async (request) => {
        credentials.set(request, await authenticateSocket(accounts, request));
      },
    },
    (socket, request) => {
      const user = request.user!;
      const viewer = { id: user.id, role: user.role, emailVerifiedAt: user.emailVerifiedAt, email: user.email, name: user.name };
      const client = new WsClient(socket, viewer, credentials.get(request)!, hub.maxBufferedBytes, (gone) => {
        hub.leave(gone);
        watch.remove(gone);
        presence.leave(gone);
        if (isTeam(viewer)) void seen.closed(viewer.id);
      });
      watch.add(client);
      if (isTeam(viewer)) presence.join(client);
      // The ready frame follows the record that the member is online, so whoever the client
      // tells next (a test, a colleague) finds them so.
      const recorded = isTeam(viewer) ? seen.opened(viewer.id) : Promise.resolve();
      socket.on('message', (data, isBinary) => {
        try {
          receive(client, data, isBinary);
        } catch (error) {
          request.log.warn({ err: error }, 'realtime: handling a client frame failed');
        }
      });
      socket.on('error', () => socket.terminate());
      recorded
        .then(() => hub.join(client, request.query.since ?? null))
        .catch((error) => {
          request.log.warn({ err: error }, 'realtime: replay failed');
          client.close(1011, 'replay failed; reconnect with since');
        });
    },
  );
});
