import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DEFAULT_ATTACHMENT_LIMITS, type NewAttachment } from '../../attachments/index.js';
import type { SupportAddresses } from '../../channels/email/reply-address.js';
import { DomainError, notFound } from '../../errors.js';
import {
  addMessage,
  cannedAttachments,
  createConversation,
  deleteConversation,
  forwardConversation,
  inUnit,
  markConversationRead,
  retryDelivery,
  updateConversation,
} from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { getFollowerView } from '../../inbox/follower-queries.js';
import {
  canDelete,
  canForward,
  canRetryDelivery,
  canSeeEvents,
  canSeeInternal,
  canSeeTriage,
  canSetStatus,
  canStartAs,
  canTriage,
  canView,
  canWriteInternal,
  conversationScope,
  isTeam,
  type Viewer,
} from '../../inbox/policies.js';
import {
  CONVERSATION_STATES,
  getConversation,
  getConversationEvents,
  getConversationMessages,
  getConversations,
  HANDLERS,
  searchConversations,
} from '../../inbox/queries.js';
import type { ConversationRef } from '../../inbox/refs.js';
import {
  MAX_BODY,
  MAX_CANNED_PER_MESSAGE,
  MAX_CC,
  MAX_EMAIL,
  MAX_FORWARD_NOTE,
  MAX_FORWARD_RECIPIENTS,
  MAX_MENTIONS,
  MAX_NAME,
  MAX_PAGE,
  MAX_QUERY,
  MAX_SUBJECT,
  MAX_TAG_LENGTH,
  MAX_TAGS,
} from '../../limits.js';
import { presentConversation, presentEvent, presentMessage } from '../../present/presenters.js';
import { ConversationJson, ConversationPageJson, EventJson, MessageJson } from '../../present/schemas.js';
import { CHANNELS, CONVERSATION_TYPES, LABELS, PRIORITIES, STATUSES } from '../../store/schema.js';
import { requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { documentJsonOrForm, filesField, isMultipart, parseForm, receiveForm, registerMultipart, requireJsonOrForm, type UploadOptions } from '../multipart.js';
import { defineRoutes } from '../routing.js';

// The conversations API: validate, authorize, call one command or query, present.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody };
/** The routes that take files also refuse a body that is neither JSON nor a form. */
const uploadErrors = { ...errors, 415: errorBody };
const Params = z.strictObject({ id: z.string().min(1).max(32).describe('id or CONV-000123') });
// `_item` only carries the element type to the result.
const listOf = <T extends z.ZodType>(values: readonly [string, ...string[]], _item: T) =>
  z.string().transform((s, ctx) => {
    const parts = s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const bad = parts.find((p) => !values.includes(p));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `"${bad}" is not one of ${values.join(', ')}` });
    return parts as z.infer<T>[];
  });

/** The list's query; a saved view keeps its filter and sort (routes/views.ts). */
export const ListQuery = z.strictObject({
  status: listOf(STATUSES as [string, ...string[]], z.enum(STATUSES)).optional(),
  channel: z.enum(CHANNELS).optional(),
  assignee: z.union([z.enum(['me', 'unassigned']), z.coerce.number().int().positive()]).optional(),
  team: z
    .union([z.literal('none'), z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)])
    .optional()
    .describe("a team's id, or `none`: conversations without a team"),
  priority: z.enum(PRIORITIES).optional(),
  label: z.enum(LABELS).optional(),
  tag: z.string().min(1).max(MAX_TAG_LENGTH).optional(),
  handler: z.enum(HANDLERS).optional().describe('`bot`: chats the bot is still answering (tag `bot`); `team`: every other conversation (the Pending view)'),
  state: z
    .enum(CONVERSATION_STATES)
    .optional()
    .describe('`snoozed`: the Snoozed view (each with its wake time); `spam`: the Spam view, the only list that shows spam (team only)'),
  type: z.enum(CONVERSATION_TYPES).optional(),
  q: z.string().max(MAX_QUERY).optional(),
  sort: z.enum(['lastMessageAt', 'createdAt', 'priority']).optional(),
  mentioned: z
    .literal('me')
    .optional()
    .describe('the Mentions view (team only): where the viewer was mentioned, newest mention first; `unread`: a mention not read yet. Takes `status` only'),
  participating: z
    .literal('me')
    .optional()
    .describe('the Participating view (team only): the conversations the viewer follows, newest first. Takes `status` only'),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
});

// Filters on the team's own organisation of the inbox would tell a customer about it.
const TEAM_FILTERS = ['assignee', 'team', 'priority', 'label', 'tag', 'handler', 'state', 'mentioned', 'participating'] as const;

const CustomerBody = z.strictObject({ name: z.string().max(MAX_NAME).optional(), email: z.string().min(3).max(MAX_EMAIL) });

const CcList = z
  .array(z.string().min(3).max(MAX_EMAIL))
  .max(MAX_CC)
  .describe("addresses to copy (Cc), email conversations only (team only); they become the conversation's participants");

const CreateBody = z.strictObject({
  subject: z.string().min(1).max(MAX_SUBJECT),
  body: z.string().min(1).max(MAX_BODY),
  channel: z.enum(CHANNELS).optional(),
  type: z.enum(CONVERSATION_TYPES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  customer: CustomerBody.optional(),
  cc: CcList.optional(),
});

// An empty body is the command's to refuse (400 "body is required") unless files came with it.
const ReplyBody = z.strictObject({
  body: z.string().max(MAX_BODY),
  isInternal: z.boolean().optional(),
  cc: CcList.optional().describe(
    "whom this reply copies (Cc), email conversations only (team only): it becomes the conversation's participants; omitted, the reply copies them as they are",
  ),
  mentions: z
    .array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
    .max(MAX_MENTIONS)
    .optional()
    .describe('team members an internal note mentions (user ids; `@Name` in the body mentions too)'),
  cannedReplyIds: z
    .array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
    .max(MAX_CANNED_PER_MESSAGE)
    .optional()
    .describe('canned replies whose files this message attaches, without a new upload (team only)'),
});

// The same bodies as forms: the same rules, with what a form cannot nest or type spelt flat.
const formBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
/** Cc in a form: addresses separated by commas, semicolons or spaces; present and empty, nobody. */
const formCc = z
  .string()
  .max(6_000)
  .transform((v) => v.split(/[\s,;]+/).filter(Boolean))
  .pipe(CcList);

const createForm = (files: ReturnType<typeof filesField>) =>
  z
    .strictObject({
      subject: CreateBody.shape.subject,
      body: CreateBody.shape.body,
      channel: CreateBody.shape.channel,
      type: CreateBody.shape.type,
      priority: CreateBody.shape.priority,
      customerName: CustomerBody.shape.name,
      customerEmail: CustomerBody.shape.email.optional(),
      cc: formCc.optional(),
      files,
    })
    .refine((form) => form.customerName === undefined || form.customerEmail !== undefined, {
      path: ['customerEmail'],
      message: 'Required when customerName is given',
    });

const replyForm = (files: ReturnType<typeof filesField>) =>
  z.strictObject({
    body: ReplyBody.shape.body.default(''),
    isInternal: formBoolean.optional(),
    cc: formCc.optional(),
    cannedReplyIds: z
      .string()
      .max(200)
      .transform((v) =>
        v
          .split(/[\s,]+/)
          .filter(Boolean)
          .map(Number),
      )
      .pipe(ReplyBody.shape.cannedReplyIds.unwrap())
      .optional(),
    files,
  });

const FORM_NOTE = 'Also takes `multipart/form-data`: the same fields as form fields, files in `files`';

const PatchBody = z.strictObject({
  status: z.enum(STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  assignedTo: z.number().int().positive().nullable().optional(),
  labels: z.array(z.enum(LABELS)).max(LABELS.length).optional(),
  tags: z.array(z.string().max(MAX_TAG_LENGTH)).max(MAX_TAGS).optional(),
  type: z.enum(CONVERSATION_TYPES).optional(),
  teamId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable().optional().describe('the team it belongs to; null for none (team only)'),
});

const ForwardBody = z.strictObject({
  to: z.array(z.string().min(3).max(MAX_EMAIL)).min(1).max(MAX_FORWARD_RECIPIENTS).describe('where to forward (any addresses)'),
  note: z.string().max(MAX_FORWARD_NOTE).optional().describe('a few words above the forwarded mail'),
  messageId: z.number().int().positive().optional().describe('one public message; omitted, the whole public thread'),
  withReplyAddress: z
    .boolean()
    .optional()
    .describe('true: answers to the forward come back into this conversation (signed Reply-To, [CONV-…] in the subject); default false: they start a new one'),
});

const IdempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }).passthrough();

/** The conversation, if this viewer may know it exists; otherwise not_found, as if it did not. */
async function visibleConversation(inbox: InboxContext, viewer: Viewer, ref: ConversationRef) {
  const conversation = await getConversation(inbox, ref);
  if (!canView(viewer, conversation)) throw notFound('conversation');
  return conversation;
}

/** Retries of one request share a key; keys are per user so nobody can replay someone else's. */
function externalKey(request: FastifyRequest, viewer: Viewer): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' && key ? `http:${viewer.id}:${key}` : undefined;
}

/** Cc as the commands take it; our own support addresses are refused here, where they are known (mail to them would come back to us). */
function ccOf(support: SupportAddresses | null, cc: readonly string[] | undefined): { cc?: { email: string }[] } {
  if (!cc) return {};
  refuseOwn(support, cc, 'cc');
  return { cc: cc.map((email) => ({ email })) };
}

/** Refuses our own support addresses, where they are known (mail to them would come back to us as our own). */
function refuseOwn(support: SupportAddresses | null, addresses: readonly string[], field: string): void {
  const own = support && addresses.find((address) => support.isOwn(address));
  if (own) throw new DomainError('validation_failed', `${own} is our own support address`, field);
}

/** The files a multipart request stored, for its handler; a JSON request has none. */
const uploaded = new WeakMap<FastifyRequest, NewAttachment[]>();

export type ConversationRouteOptions = {
  inbox: InboxContext;
  attachments?: UploadOptions;
  /** The email channel's own addresses, refused as Cc or forward recipients; null without the channel. */
  support?: SupportAddresses | null;
};

export const conversationRoutes = defineRoutes<ConversationRouteOptions>(async (app, { inbox, attachments, support = null }) => {
  const limits = attachments?.limits ?? DEFAULT_ATTACHMENT_LIMITS;
  // Without storage the routes take JSON only, and a form answers 415.
  if (attachments) await registerMultipart(app, limits);
  const CreateForm = createForm(filesField(limits));
  const ReplyForm = replyForm(filesField(limits));

  app.get(
    '/api/conversations',
    {
      schema: {
        tags: ['conversations'],
        querystring: ListQuery,
        response: {
          200: ConversationPageJson,
          ...errors,
        },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const { status, ...query } = request.query;
      if (!canSeeTriage(viewer)) {
        const filter = TEAM_FILTERS.find((f) => query[f] !== undefined);
        if (filter) throw new DomainError('validation_failed', `customers cannot filter by ${filter}`, `query.${filter}`);
      }
      const { mentioned, participating, cursor, limit, ...others } = query;
      if (mentioned || participating) {
        const extra = Object.keys(others).find((k) => others[k as keyof typeof others] !== undefined);
        if (extra || (mentioned && participating))
          throw new DomainError('validation_failed', 'the Mentions and Participating views take status only', `query.${extra ?? 'participating'}`);
        const page = await getFollowerView(inbox, { view: mentioned ? 'mentioned' : 'participating', userId: viewer.id, statuses: status, cursor, limit });
        return { ...page, items: page.items.map((c) => presentConversation(viewer, c)) };
      }
      const page = await getConversations(inbox, {
        ...query,
        statuses: status,
        viewerId: viewer.id,
        includeInternal: canSeeInternal(viewer),
        ...conversationScope(viewer),
      });
      return { ...page, items: page.items.map((c) => presentConversation(viewer, c)) };
    },
  );

  app.post(
    '/api/conversations',
    {
      schema: {
        tags: ['conversations'],
        description: `Opens a conversation with its first message. ${FORM_NOTE}, and the customer as \`customerName\` and \`customerEmail\`.`,
        headers: IdempotencyHeaders,
        body: CreateBody,
        response: { 201: z.object({ conversation: ConversationJson, message: MessageJson }), ...uploadErrors },
      },
      config: { swaggerTransform: documentJsonOrForm(CreateForm) },
      preValidation: async (request, reply) => {
        requireJsonOrForm(request);
        if (!isMultipart(request) || !attachments) return;
        // Strangers are turned away before a single byte is stored.
        requireUser(request);
        const form = await receiveForm(request, reply, attachments);
        const { customerName, customerEmail, files: _files, ...fields } = parseForm(CreateForm, form.fields);
        request.body = { ...fields, ...(customerEmail !== undefined ? { customer: { email: customerEmail, name: customerName } } : {}) };
        uploaded.set(request, form.attachments);
      },
    },
    async (request, reply) => {
      const viewer = requireUser(request);
      const { customer, cc, ...input } = request.body;
      if (!canStartAs(viewer, { forCustomer: customer !== undefined, cc: cc !== undefined, priority: input.priority !== undefined, channel: input.channel })) {
        throw new DomainError('forbidden', 'customers open tickets for themselves: leave out customer, cc, priority and channel');
      }
      const created = await createConversation(inbox, {
        ...input,
        ...ccOf(support, cc),
        channel: input.channel ?? 'ticket',
        from: { userId: viewer.id },
        customer,
        attachments: uploaded.get(request) ?? [],
        externalKey: externalKey(request, viewer),
      });
      return reply.code(created.created ? 201 : 200).send({
        conversation: presentConversation(viewer, created.conversation),
        message: presentMessage(viewer, created.message)!,
      });
    },
  );

  app.get(
    '/api/conversations/:id',
    {
      schema: { tags: ['conversations'], params: Params, response: { 200: z.object({ conversation: ConversationJson }), ...errors } },
    },
    async (request) => {
      const viewer = requireUser(request);
      return { conversation: presentConversation(viewer, await visibleConversation(inbox, viewer, request.params.id)) };
    },
  );

  app.post(
    '/api/conversations/:id/read',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Marks the conversation read for the caller (the inbox clears its "New reply" mark)',
        params: Params,
        response: { 200: z.object({ readAt: z.string().describe('ISO time') }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const conversation = await visibleConversation(inbox, viewer, request.params.id);
      const { readAt } = await markConversationRead(inbox, { conversation: conversation.id, userId: viewer.id });
      return { readAt: new Date(readAt).toISOString() };
    },
  );

  app.patch(
    '/api/conversations/:id',
    {
      schema: { tags: ['conversations'], params: Params, body: PatchBody, response: { 200: z.object({ conversation: ConversationJson }), ...errors } },
    },
    async (request) => {
      const viewer = requireUser(request);
      const current = await visibleConversation(inbox, viewer, request.params.id);
      const { status, priority, assignedTo, labels, tags, type, teamId } = request.body;
      const triages =
        priority !== undefined || assignedTo !== undefined || labels !== undefined || tags !== undefined || type !== undefined || teamId !== undefined;
      if ((triages && !canTriage(viewer)) || (status !== undefined && !canSetStatus(viewer, status))) {
        throw new DomainError('forbidden', 'customers may only mark their conversation resolved');
      }
      // All changes in one command: one transaction, one audit event per change.
      const result = await updateConversation(inbox, {
        conversation: current.id,
        by: { userId: viewer.id },
        ...{ status, priority, labels, tags, type, teamId },
        ...(assignedTo !== undefined ? { assigneeId: assignedTo } : {}),
      });
      return { conversation: presentConversation(viewer, result) };
    },
  );

  app.delete(
    '/api/conversations/:id',
    {
      schema: { tags: ['conversations'], params: Params, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      const viewer = requireUser(request);
      const conversation = await visibleConversation(inbox, viewer, request.params.id);
      if (!canDelete(viewer)) throw new DomainError('forbidden', 'only an admin deletes conversations');
      await deleteConversation(inbox, { conversation: conversation.id, by: { userId: viewer.id } });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/conversations/:id/messages',
    {
      schema: {
        tags: ['messages'],
        params: Params,
        querystring: z.strictObject({
          cursor: z.string().max(500).optional(),
          limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
          direction: z
            .enum(['forward', 'backward'])
            .optional()
            .describe(
              'forward (default): from the first message on; backward: from the newest message back, each page still oldest first, `nextCursor` leading to older ones',
            ),
        }),
        response: { 200: z.object({ items: z.array(MessageJson), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const conversation = await visibleConversation(inbox, viewer, request.params.id);
      const { direction, ...query } = request.query;
      const page = await getConversationMessages(inbox, conversation.id, {
        ...query,
        newestFirst: direction === 'backward',
        includeInternal: canSeeInternal(viewer),
      });
      return { items: page.items.flatMap((m) => presentMessage(viewer, m) ?? []), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/conversations/:id/messages',
    {
      schema: {
        tags: ['messages'],
        description: `Adds a reply, or an internal note (team only). ${FORM_NOTE}; \`isInternal\` is \`true\` or \`false\`.`,
        params: Params,
        headers: IdempotencyHeaders,
        body: ReplyBody,
        response: { 201: z.object({ message: MessageJson }), ...uploadErrors },
      },
      config: { swaggerTransform: documentJsonOrForm(ReplyForm) },
      preValidation: async (request, reply) => {
        requireJsonOrForm(request);
        if (!isMultipart(request) || !attachments) return;
        // Strangers, and customers at someone else's conversation, are turned away before a byte is stored.
        await visibleConversation(inbox, requireUser(request), request.params.id);
        const form = await receiveForm(request, reply, attachments);
        const { files: _files, ...fields } = parseForm(ReplyForm, form.fields);
        request.body = fields;
        uploaded.set(request, form.attachments);
      },
    },
    async (request, reply) => {
      const viewer = requireUser(request);
      // The team may write to any conversation, and the command itself answers 404 for a
      // missing one; only a customer's ownership needs a look first.
      const conversation = isTeam(viewer) ? request.params.id : (await visibleConversation(inbox, viewer, request.params.id)).id;
      if (request.body.isInternal && !canWriteInternal(viewer)) throw new DomainError('forbidden', 'only the team writes internal notes', 'body.isInternal');
      const canned = request.body.cannedReplyIds ?? [];
      if (canned.length > 0 && !isTeam(viewer)) throw new DomainError('forbidden', 'canned replies are for the team', 'body.cannedReplyIds');
      // The canned replies' files are read in the message's own unit: attached as they are at its commit.
      const added = await inUnit(inbox, async (unit) =>
        addMessage(unit, {
          conversation,
          from: { userId: viewer.id },
          body: request.body.body,
          isInternal: request.body.isInternal,
          ...(request.body.mentions ? { mentions: request.body.mentions } : {}),
          ...ccOf(support, request.body.cc),
          attachments: [...(uploaded.get(request) ?? []), ...(await cannedAttachments(unit, canned, { userId: viewer.id }))],
          externalKey: externalKey(request, viewer),
        }),
      );
      return reply.code(added.created ? 201 : 200).send({ message: presentMessage(viewer, added.message)! });
    },
  );

  app.post(
    '/api/conversations/:id/messages/:messageId/retry',
    {
      schema: {
        tags: ['messages'],
        summary: 'Mails a message whose delivery failed once more (team only)',
        description: 'Queues the mail again, with the same Message-ID so a receiver that got the first one sees one message. 409 unless the delivery failed.',
        params: Params.extend({ messageId: z.coerce.number().int().positive() }),
        response: { 202: z.object({ message: MessageJson }), ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireUser(request);
      const conversation = await visibleConversation(inbox, viewer, request.params.id);
      if (!canRetryDelivery(viewer)) throw new DomainError('forbidden', 'retrying mail delivery is for the team');
      const message = await retryDelivery(inbox, { conversation: conversation.id, messageId: request.params.messageId, by: { userId: viewer.id } });
      return reply.code(202).send({ message: presentMessage(viewer, message)! });
    },
  );

  app.post(
    '/api/conversations/:id/forward',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Forwards a message, or the public thread, by email (team only)',
        description:
          "Mails the message (or every public message, oldest first) with its files to the addresses, From the support address with the agent's name, " +
          "with the note and the agent's signature above. Recorded as a `forwarded` event. Internal notes are never forwarded. 409 when this server sends no mail.",
        params: Params,
        body: ForwardBody,
        response: { 202: z.object({ event: EventJson }), ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireUser(request);
      const conversation = await visibleConversation(inbox, viewer, request.params.id);
      if (!canForward(viewer)) throw new DomainError('forbidden', 'forwarding is for the team');
      refuseOwn(support, request.body.to, 'to');
      const event = await forwardConversation(inbox, { conversation: conversation.id, by: { userId: viewer.id }, ...request.body });
      return reply.code(202).send({ event: presentEvent(viewer, event)! });
    },
  );

  app.get(
    '/api/conversations/:id/events',
    {
      schema: {
        tags: ['conversations'],
        params: Params,
        querystring: z.strictObject({ after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional() }),
        response: { 200: z.object({ items: z.array(EventJson) }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const conversation = await visibleConversation(inbox, viewer, request.params.id);
      if (!canSeeEvents(viewer)) throw new DomainError('forbidden', 'the audit trail is for the team');
      const events = await getConversationEvents(inbox, conversation.id, request.query);
      return { items: events.flatMap((e) => presentEvent(viewer, e) ?? []) };
    },
  );

  app.get(
    '/api/search',
    {
      schema: {
        tags: ['conversations'],
        querystring: z.strictObject({ q: z.string().min(1).max(MAX_QUERY), limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional() }),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                conversation: ConversationJson,
                messageId: z.number().int().nullable(),
                snippet: z.string().describe('HTML: escaped text, matches in <mark>'),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const results = await searchConversations(inbox, request.query.q, {
        limit: request.query.limit,
        includeInternal: canSeeInternal(viewer),
        ...conversationScope(viewer),
      });
      return { items: results.map((r) => ({ conversation: presentConversation(viewer, r.conversation), messageId: r.messageId, snippet: r.snippet })) };
    },
  );
});
