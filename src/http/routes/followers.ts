import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { setFollowing } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { getFollowers } from '../../inbox/follower-queries.js';
import { isTeam } from '../../inbox/policies.js';
import { FOLLOW_REASONS } from '../../store/schema.js';
import { requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// A conversation's team participants (its followers), and following one. These are the
// team's: a customer is answered 404, as for a conversation they cannot see, so the routes
// tell them nothing (not even that the conversation exists).

const errors = { 400: errorBody, 401: errorBody, 404: errorBody };
const Params = z.strictObject({ id: z.string().min(1).max(32).describe('id or CONV-000123') });
const FollowerJson = z.object({
  userId: z.number().int(),
  name: z.string(),
  reason: z.enum(FOLLOW_REASONS).describe('how they became one first'),
  since: z.number().int(),
});

function requireTeamViewer(request: FastifyRequest) {
  const viewer = requireUser(request);
  if (!isTeam(viewer)) throw notFound('conversation');
  return viewer;
}

export const followerRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  app.get(
    '/api/conversations/:id/participants',
    {
      schema: {
        tags: ['conversations'],
        summary: "The team members following the conversation (team only; not its Cc'd mail participants)",
        params: Params,
        response: { 200: z.object({ items: z.array(FollowerJson) }), ...errors },
      },
    },
    async (request) => {
      requireTeamViewer(request);
      const followers = await getFollowers(inbox, request.params.id);
      return { items: followers.map((f) => ({ userId: f.userId, name: f.name, reason: f.reason, since: f.createdAt })) };
    },
  );

  for (const [method, follow] of [
    ['POST', true],
    ['DELETE', false],
  ] as const) {
    app.route({
      method,
      url: '/api/conversations/:id/follow',
      schema: {
        tags: ['conversations'],
        summary: follow ? 'Follows the conversation (team only)' : 'Stops following the conversation (team only)',
        params: Params,
        response: { 200: z.object({ following: z.boolean() }), ...errors },
      },
      handler: async (request) => {
        const viewer = requireTeamViewer(request);
        return setFollowing(inbox, { conversation: request.params.id, by: { userId: viewer.id }, follow });
      },
    });
  }
});
