import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { contentDisposition, DEFAULT_ATTACHMENT_LIMITS, isInlineSafe, servedContentType } from '../../attachments/index.js';
import { defaultCalendar, isOpen } from '../../calendar/index.js';
import {
  askForPerson,
  type ChatContext,
  currentChat,
  findVisitor,
  markSeen,
  openSession,
  postVisitorMessage,
  type Visitor,
  visitorChatIds,
} from '../../channels/chat/chat.js';
import type { ChatSettings } from '../../channels/chat/index.js';
import { originAllowed } from '../../channels/chat/origins.js';
import { DomainError, notFound } from '../../errors.js';
import { getAttachment } from '../../inbox/attachments.js';
import { MAX_EMAIL, MAX_NAME, MAX_VISITOR_MESSAGE } from '../../limits.js';
import { widgetConversation, widgetMessage } from '../../present/widget-frames.js';
import type { RealtimeHub } from '../../realtime/hub.js';
import type { PresenceRelay } from '../../realtime/presence.js';
import type { NewAttachment } from '../../store/messages.js';
import { errorBody, unauthorized } from '../errors.js';
import { filesField, isMultipart, parseForm, receiveForm, registerMultipart, requireJsonOrForm, type UploadOptions } from '../multipart.js';
import { SlidingWindowLimiter } from '../rate-limiter.js';
import { defineRoutes } from '../routing.js';
import { SocketSlots, VisitorClient } from '../widget-socket.js';
import { csatWidgetRoutes } from './csat-widget.js';

// The chat widget's API: served to other websites, so it is CORS-enabled for the allowed
// origins only and never uses cookies. A visitor is known by the token the session call
// hands out, sent back in the X-Visitor-Token header (and as ?token= on the socket and
// file links, which cannot carry headers).

export type WidgetRouteOptions = {
  chat: ChatContext;
  settings: ChatSettings;
  hub: RealtimeHub;
  presence: PresenceRelay;
  /** Whether some team member is effectively online, across instances (accounts/availability.ts teamOnline). */
  teamOnline: () => Promise<boolean>;
  attachments?: UploadOptions;
  /** The built bundle (dist/widget/widget.js). */
  bundle?: string;
};

export const WIDGET_BUNDLE = path.resolve(import.meta.dirname, '../../../dist/widget/widget.js');
const VISITOR_HEADER = 'x-visitor-token';
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 413: errorBody, 415: errorBody, 429: errorBody };

const WidgetConversationJson = z
  .object({ id: z.number().int(), number: z.string(), status: z.enum(['open', 'pending', 'resolved', 'closed']), handler: z.enum(['bot', 'team']) })
  .meta({ id: 'WidgetConversation' });
const WidgetMessageJson = z
  .object({
    id: z.number().int(),
    body: z.string(),
    html: z.string().optional(),
    sender: z.object({ type: z.enum(['customer', 'admin', 'bot']), name: z.string() }),
    attachments: z.array(z.object({ id: z.number().int(), name: z.string(), contentType: z.string(), size: z.number().int(), url: z.string() })),
    sentAt: z.number().int(),
  })
  .meta({ id: 'WidgetMessage' });

const SessionBody = z.strictObject({
  visitorToken: z.string().max(200).optional(),
  name: z.string().max(MAX_NAME).optional(),
  email: z.string().max(MAX_EMAIL).optional(),
  identity: z
    .strictObject({
      userId: z.string().min(1).max(200),
      email: z.string().max(MAX_EMAIL).optional(),
      name: z.string().max(MAX_NAME).optional(),
      hash: z.string().max(200),
    })
    .optional(),
});
const MessageBody = z.strictObject({ body: z.string().max(MAX_VISITOR_MESSAGE) });
const MessageForm = (files: z.ZodType) => z.strictObject({ body: z.string().max(MAX_VISITOR_MESSAGE).default(''), files });
const TypingBody = z.strictObject({ typing: z.boolean() });
const ReadBody = z.strictObject({ upTo: z.number().int().positive().describe('the newest message id the visitor has had on screen') });

const messagesOf = (list: readonly Parameters<typeof widgetMessage>[0][], visitor: Pick<Visitor, 'name'>, token: string) =>
  list.flatMap((m) => widgetMessage(m, token, visitor.name) ?? []);

export const widgetRoutes = defineRoutes<WidgetRouteOptions>(async (app, { chat, settings, hub, presence, teamOnline, attachments, bundle }) => {
  const limits = attachments?.limits ?? DEFAULT_ATTACHMENT_LIMITS;
  if (attachments) await registerMultipart(app, limits);
  const Form = MessageForm(filesField(limits));
  const uploaded = new WeakMap<FastifyRequest, NewAttachment[]>();
  const sockets = new Map<number, Set<VisitorClient>>();
  // Anyone on the web can open a chat: bound how fast one address makes visitors (rows,
  // customers) and how fast one visitor writes. In memory, per instance.
  const newSessions = new SlidingWindowLimiter(
    settings.limits.sessionsPerIp,
    10 * 60_000,
    Date.now,
    'Too many new chats from this address; try again in a few minutes',
  );
  const messages = new SlidingWindowLimiter(settings.limits.messagesPerMinute, 60_000, Date.now, 'You are sending messages too fast; wait a moment');
  // A read is reported once per message seen, and again after a reconnect: more than writes, still bounded.
  const reads = new SlidingWindowLimiter(settings.limits.messagesPerMinute * 2, 60_000, Date.now, 'Too many read reports; wait a moment');
  const socketSlots = new SocketSlots({ perVisitor: settings.limits.socketsPerVisitor, perAddress: settings.limits.socketsPerIp });

  // CORS for the widget's own routes: allowed origins get the grant; others a 403, so a
  // page that is not on the list learns nothing and writes nothing.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/widget/')) return;
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (!originAllowed(settings.origins, origin)) throw new DomainError('forbidden', `The chat widget is not enabled for ${origin.slice(0, 100)}`);
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      return reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', `content-type, ${VISITOR_HEADER}, idempotency-key`)
        .header('access-control-max-age', '600')
        .send();
    }
  });
  app.options('/api/widget/*', { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());

  async function visitorOf(request: FastifyRequest): Promise<Visitor & { token: string }> {
    const header = request.headers[VISITOR_HEADER];
    const token = typeof header === 'string' ? header : '';
    const visitor = await findVisitor(chat, token);
    if (!visitor) throw unauthorized('Start a chat session first (POST /api/widget/session) and send its visitorToken in X-Visitor-Token');
    return { ...visitor, token };
  }

  // The rating card's routes (issue 19), under this plugin so its CORS hook covers them.
  await app.register(csatWidgetRoutes, { chat, visitorOf });

  app.get('/widget.js', { schema: { hide: true } }, async (_request, reply) => {
    const file = bundle ?? WIDGET_BUNDLE;
    if (!existsSync(file)) return reply.code(404).type('application/javascript').send('/* The chat widget has not been built: npm run build */\n');
    // Short cache: sites embed this URL forever, so a new version must reach them.
    return reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(await readFile(file));
  });

  app.get(
    '/api/widget/config',
    {
      schema: {
        tags: ['chat widget'],
        response: {
          200: z.object({
            teamName: z.string(),
            online: z.boolean(),
            greeting: z.string(),
            offlineMessage: z.string(),
            preChat: z.enum(['off', 'optional', 'required']),
            helpUrl: z.string(),
          }),
          ...errors,
        },
      },
    },
    async () => ({
      teamName: settings.teamName,
      // The business hours are the stored default calendar, the team's availability the users'
      // rows (each read through a short cache: every page view of a host site asks).
      online: isOpen(await defaultCalendar(chat.inbox.store), chat.inbox.clock()) && (await teamOnline()),
      greeting: settings.greeting,
      offlineMessage: settings.offlineMessage,
      preChat: settings.preChat,
      helpUrl: '/help',
    }),
  );

  app.post(
    '/api/widget/session',
    {
      schema: {
        tags: ['chat widget'],
        body: SessionBody,
        response: {
          200: z.object({
            visitorToken: z.string(),
            visitor: z.object({ name: z.string().nullable(), email: z.string().nullable() }),
            conversation: WidgetConversationJson.nullable(),
            messages: z.array(WidgetMessageJson),
            lastEventId: z.number().int(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const known = request.body.visitorToken ? await findVisitor(chat, request.body.visitorToken) : null;
      if (!known) newSessions.take(request.ip);
      const session = await openSession(chat, request.body);
      // Sockets already open for this browser follow who the visitor now is.
      for (const client of sockets.get(session.visitor.id) ?? []) client.visitor = session.visitor;
      return {
        visitorToken: session.visitorToken,
        visitor: { name: session.visitor.name, email: session.visitor.email },
        conversation: session.conversation ? widgetConversation(session.conversation) : null,
        messages: messagesOf(session.messages, session.visitor, session.visitorToken),
        lastEventId: await hub.latestId(),
      };
    },
  );

  app.post(
    '/api/widget/messages',
    {
      schema: {
        tags: ['chat widget'],
        description: 'The visitor writes. Also takes `multipart/form-data` (`body`, files in `files`).',
        body: MessageBody,
        response: { 201: z.object({ conversation: WidgetConversationJson, message: WidgetMessageJson, replies: z.array(WidgetMessageJson) }), ...errors },
      },
      preValidation: async (request, reply) => {
        requireJsonOrForm(request);
        if (!isMultipart(request) || !attachments) return;
        await visitorOf(request);
        const form = await receiveForm(request, reply, attachments);
        const { files: _files, ...fields } = parseForm(Form, form.fields);
        request.body = fields;
        uploaded.set(request, form.attachments);
      },
    },
    async (request, reply) => {
      const visitor = await visitorOf(request);
      messages.take(`visitor:${visitor.id}`);
      const files = uploaded.get(request) ?? [];
      if (!request.body.body.trim() && files.length === 0) throw new DomainError('validation_failed', 'write a message or attach a file', 'body');
      const key = request.headers['idempotency-key'];
      const turn = await postVisitorMessage(chat, visitor, {
        body: request.body.body,
        attachments: files,
        requestId: typeof key === 'string' && key ? key : undefined,
      });
      return reply.code(201).send({
        conversation: widgetConversation(turn.conversation),
        message: widgetMessage(turn.message, visitor.token, visitor.name)!,
        replies: messagesOf(turn.replies, visitor, visitor.token),
      });
    },
  );

  app.post(
    '/api/widget/escalate',
    {
      schema: {
        tags: ['chat widget'],
        response: { 200: z.object({ conversation: WidgetConversationJson.nullable(), replies: z.array(WidgetMessageJson) }), ...errors },
      },
    },
    async (request) => {
      const visitor = await visitorOf(request);
      const result = await askForPerson(chat, visitor);
      return {
        conversation: result.conversation ? widgetConversation(result.conversation) : null,
        replies: messagesOf(result.replies, visitor, visitor.token),
      };
    },
  );

  app.post('/api/widget/typing', { schema: { tags: ['chat widget'], body: TypingBody, response: { 204: z.null(), ...errors } } }, async (request, reply) => {
    const visitor = await visitorOf(request);
    const client = [...(sockets.get(visitor.id) ?? [])].find((c) => c.open);
    const current = client ? await currentChat(chat, visitor) : null;
    if (client && current) presence.update(client, { type: 'presence', conversationId: current.id, state: request.body.typing ? 'typing' : 'viewing' });
    return reply.code(204).send(null);
  });

  app.post(
    '/api/widget/read',
    {
      schema: {
        tags: ['chat widget'],
        description:
          'The visitor has seen the team’s and the bot’s messages up to `upTo` (on screen, in the open chat, on a visible page): ' +
          'they are marked read, so the reply is not mailed to them as well (EMAIL_CONTINUITY_DELAY_SECONDS). Any chat this visitor may see; 404 otherwise.',
        body: ReadBody,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const visitor = await visitorOf(request);
      reads.take(`visitor:${visitor.id}`);
      await markSeen(chat, visitor, request.body.upTo);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/widget/attachments/:id',
    {
      schema: {
        tags: ['chat widget'],
        params: z.strictObject({ id: z.coerce.number().int().positive() }),
        querystring: z.strictObject({ token: z.string().max(200) }),
        response: errors,
      },
    },
    async (request, reply) => {
      const visitor = await findVisitor(chat, request.query.token);
      const found = await getAttachment(chat.inbox, request.params.id);
      if (!visitor || !found || found.message.isInternal || !(await visitorChatIds(chat, visitor)).has(found.conversation.id) || !attachments)
        throw notFound('attachment');
      const blob = await attachments.storage.open(found.attachment.sha256);
      if (!blob) throw new Error(`attachment ${found.attachment.id}: blob missing from storage`);
      return reply
        .header('content-type', servedContentType(found.attachment.contentType))
        .header('content-length', blob.size)
        .header('content-disposition', contentDisposition(isInlineSafe(found.attachment.contentType) ? 'inline' : 'attachment', found.attachment.name))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600')
        .send(blob.stream as never);
    },
  );

  app.get(
    '/api/widget/socket',
    {
      websocket: true,
      schema: {
        tags: ['chat widget'],
        querystring: z.strictObject({ token: z.string().max(200), since: z.coerce.number().int().min(0).optional() }),
        response: { 400: errorBody, 401: errorBody, 403: errorBody, 429: errorBody },
      },
      onRequest: async (request) => {
        // Browsers always name the page in Origin on a WebSocket: this is the widget's origin check.
        if (!originAllowed(settings.origins, request.headers.origin)) throw new DomainError('forbidden', 'The chat widget is not enabled for this site');
      },
      preHandler: async (request) => {
        // Refused with 429 before the upgrade rather than closed after it: a refused socket
        // costs no upgrade and no hub client, and the widget's reconnect backs off either way.
        const slot = socketSlots.take(request.query.token, request.ip);
        if ('full' in slot) {
          throw new DomainError(
            'rate_limited',
            slot.full === 'visitor'
              ? 'This chat already has too many open connections; close a tab and try again'
              : 'Too many open chat connections from this address; try again later',
          );
        }
        // The connection's end, however it comes (our close, the peer's, a failed upgrade), frees the slot.
        const connection = request.raw.socket;
        if (connection.closed) slot.release();
        else connection.once('close', slot.release);
      },
    },
    async (socket, request) => {
      const visitor = await findVisitor(chat, request.query.token);
      if (!visitor) return socket.close(4401, 'unknown visitor token');
      const client = new VisitorClient(socket, visitor, request.query.token, await visitorChatIds(chat, visitor), chat, hub.maxBufferedBytes, (gone) => {
        hub.leave(gone);
        presence.leave(gone);
        sockets.get(visitor.id)?.delete(gone);
      });
      if (!sockets.has(visitor.id)) sockets.set(visitor.id, new Set());
      sockets.get(visitor.id)!.add(client);
      presence.join(client);
      socket.on('error', () => socket.terminate());
      hub.join(client, request.query.since ?? null).catch(() => client.close(1011, 'replay failed; reconnect with since'));
    },
  );
});
