import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { mergeConversations, UNMERGE_DAYS, unmergeConversation } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { getMergeCandidates, getMergedInto } from '../../inbox/merge-queries.js';
import { isTeam } from '../../inbox/policies.js';
import { presentConversation } from '../../present/presenters.js';
import { ConversationJson } from '../../present/schemas.js';
import { requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// Merging a conversation into another, undoing it, and the merges the customer panel
// suggests. All the team's: a customer is answered 404, as for a conversation they cannot
// see (a tombstone's `mergedInto` is all a customer learns of a merge, on the conversation).

const errors = { 400: errorBody, 401: errorBody, 404: errorBody, 409: errorBody };
const Params = z.strictObject({ id: z.string().min(1).max(32).describe('id or CONV-000123') });
const MergeBody = z.strictObject({
  into: z.number().int().positive().describe('the conversation this one is merged into (it keeps both threads)'),
  confirmDifferentCustomers: z
    .boolean()
    .optional()
    .describe("true: merge although the two are different customers' (each then sees the other's messages); otherwise that is refused with 409"),
});
const MergeResultJson = z.object({
  source: ConversationJson.describe('the merged conversation: a tombstone with `mergedInto`, or itself again after an unmerge'),
  target: ConversationJson,
});

function requireTeamViewer(request: FastifyRequest) {
  const viewer = requireUser(request);
  if (!isTeam(viewer)) throw notFound('conversation');
  return viewer;
}

export const mergeRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  app.post(
    '/api/conversations/:id/merge',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Merges this conversation into `into`: its messages move there, it stays behind pointing at it (team only)',
        params: Params,
        body: MergeBody,
        response: { 200: MergeResultJson, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamViewer(request);
      const { into, confirmDifferentCustomers } = request.body;
      const merged = await mergeConversations(inbox, { source: request.params.id, into, by: { userId: viewer.id }, confirmDifferentCustomers });
      return { source: presentConversation(viewer, merged.source), target: presentConversation(viewer, merged.target) };
    },
  );

  app.post(
    '/api/conversations/:id/unmerge',
    {
      schema: {
        tags: ['conversations'],
        summary: `Undoes this conversation's merge (within ${UNMERGE_DAYS} days): its messages, fields and mail threading come back (team only)`,
        params: Params,
        response: { 200: MergeResultJson, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamViewer(request);
      const back = await unmergeConversation(inbox, { source: request.params.id, by: { userId: viewer.id } });
      return { source: presentConversation(viewer, back.source), target: presentConversation(viewer, back.target) };
    },
  );

  app.get(
    '/api/conversations/:id/merge-candidates',
    {
      schema: {
        tags: ['conversations'],
        summary: "The customer's other open and pending conversations, newest first: merges to suggest (team only)",
        description: '`merged`: the conversations merged into this one and not unmerged since, which may still be unmerged.',
        params: Params,
        response: { 200: z.object({ items: z.array(ConversationJson), merged: z.array(ConversationJson) }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamViewer(request);
      const items = await getMergeCandidates(inbox, request.params.id);
      const merged = await getMergedInto(inbox, request.params.id);
      return { items: items.map((c) => presentConversation(viewer, c)), merged: merged.map((c) => presentConversation(viewer, c)) };
    },
  );
});
