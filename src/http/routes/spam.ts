import { z } from 'zod';
import { notFound } from '../../errors.js';
import { listBlockedSenders } from '../../inbox/blocked-senders.js';
import { blockSender, markAsSpam, restoreFromSpam, unblockSender } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { canUnblock, canView, type Viewer } from '../../inbox/policies.js';
import { getConversation } from '../../inbox/queries.js';
import type { ConversationRef } from '../../inbox/refs.js';
import { presentConversation } from '../../present/presenters.js';
import { ConversationJson } from '../../present/schemas.js';
import { requireTeamMember, requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// Spam and the block list (issue 17). Marking as spam and restoring are the team's; a
// customer asking about someone else's conversation hears it does not exist (404), about
// their own that they may not (403). The block list is the team's to read, an admin's to
// add to; a block is lifted by an admin or by whoever made it (docs/security.md).

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const ConversationParams = z.strictObject({ id: z.string().min(1).max(32).describe('id or CONV-000123') });
const BlockParams = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

const BlockedSenderJson = z
  .object({
    id: z.number().int(),
    value: z.string().describe('a lower-cased address (ann@x.com) or a domain (x.com: that domain, not its subdomains)'),
    kind: z.enum(['address', 'domain']),
    createdBy: z.number().int(),
    createdByName: z.string().nullable(),
    createdAt: z.number().describe('epoch milliseconds'),
    conversationId: z.number().int().nullable().describe('the conversation it was blocked from, if any (it may be gone)'),
    canUnblock: z.boolean().describe('whether the caller may lift it: admins, and whoever blocked it'),
  })
  .meta({ id: 'BlockedSender' });

export type SpamRouteOptions = {
  inbox: InboxContext;
  /** Our own support addresses (the email channel's): never blocked. */
  ownAddresses: () => readonly string[];
};

async function visibleConversation(inbox: InboxContext, viewer: Viewer, ref: ConversationRef) {
  const conversation = await getConversation(inbox, ref);
  if (!canView(viewer, conversation)) throw notFound('conversation');
  return conversation;
}

export const spamRoutes = defineRoutes<SpamRouteOptions>(async (app, { inbox, ownAddresses }) => {
  const one = z.object({ conversation: ConversationJson });

  app.post(
    '/api/conversations/:id/spam',
    {
      schema: {
        tags: ['spam'],
        summary:
          'Moves the conversation to Spam (closed, out of every other view, deleted after 30 days unless restored); `block` also blocks the customer’s address or whole domain (team only)',
        params: ConversationParams,
        body: z.strictObject({ block: z.enum(['address', 'domain']).nullable().optional() }).default({}),
        response: { 200: one, ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const current = await visibleConversation(inbox, viewer, request.params.id);
      const conversation = await markAsSpam(inbox, {
        conversation: current.id,
        by: { userId: viewer.id },
        block: request.body.block ?? null,
        ownAddresses: ownAddresses(),
      });
      return { conversation: presentConversation(viewer, conversation) };
    },
  );

  app.delete(
    '/api/conversations/:id/spam',
    {
      schema: {
        tags: ['spam'],
        summary: 'Not spam: brings the conversation back as open. Its sender stays blocked until unblocked (team only)',
        params: ConversationParams,
        response: { 200: one, ...errors },
      },
    },
    async (request) => {
      const viewer = requireUser(request);
      const current = await visibleConversation(inbox, viewer, request.params.id);
      const conversation = await restoreFromSpam(inbox, { conversation: current.id, by: { userId: viewer.id } });
      return { conversation: presentConversation(viewer, conversation) };
    },
  );

  app.get(
    '/api/blocked-senders',
    {
      schema: {
        tags: ['spam'],
        summary: 'The block list, newest first (team only)',
        querystring: z.strictObject({
          cursor: z.coerce.number().int().positive().optional().describe('nextCursor of the previous page'),
          limit: z.coerce.number().int().min(1).max(100).optional(),
        }),
        response: { 200: z.object({ items: z.array(BlockedSenderJson), nextCursor: z.number().int().nullable() }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const page = await listBlockedSenders(inbox, { cursor: request.query.cursor, limit: request.query.limit ?? 50 });
      return { items: page.items.map((b) => ({ ...b, canUnblock: canUnblock(viewer, b) })), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/blocked-senders',
    {
      schema: {
        tags: ['spam'],
        summary: 'Blocks an address or a whole domain: their new conversations land in Spam (admins)',
        body: z.strictObject({ value: z.string().min(1).max(254).describe('ann@x.com, or x.com for the whole domain') }),
        response: { 201: z.object({ blocked: BlockedSenderJson }), ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      const blocked = await blockSender(inbox, { value: request.body.value, by: { userId: viewer.id }, ownAddresses: ownAddresses() });
      return reply.code(201).send({ blocked: { ...blocked, createdByName: viewer.name, canUnblock: canUnblock(viewer, blocked) } });
    },
  );

  app.delete(
    '/api/blocked-senders/:id',
    {
      schema: {
        tags: ['spam'],
        summary: 'Unblocks: their next conversation lands in the inbox again; what is in Spam stays there (admins, or whoever blocked it)',
        params: BlockParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const viewer = requireTeamMember(request);
      await unblockSender(inbox, { id: request.params.id, by: { userId: viewer.id } });
      return reply.code(204).send(null);
    },
  );
});
