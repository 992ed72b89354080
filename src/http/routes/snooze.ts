import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isTimeZone } from '../../calendar/index.js';
import { SNOOZE_PRESETS } from '../../calendar/snooze-presets.js';
import { notFound } from '../../errors.js';
import { type SnoozeUntil, snoozeConversation, unsnoozeConversation } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { isTeam } from '../../inbox/policies.js';
import { presentConversation } from '../../present/presenters.js';
import { ConversationJson } from '../../present/schemas.js';
import { requireUser } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// Snoozing a conversation and waking it by hand (inbox/commands/snooze.ts). The team's: a
// customer is answered 404 whichever conversation they name, their own included, so the
// routes tell them nothing.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody };
const Params = z.strictObject({ id: z.string().min(1).max(32).describe('id or CONV-000123') });
const SnoozeBody = z
  .strictObject({
    until: z.number().int().positive().max(8.64e15).nullable().optional().describe('when it wakes (epoch ms, in the future); null: when the customer writes'),
    preset: z.enum(SNOOZE_PRESETS).optional().describe("in an hour; tomorrow morning or next week: the business calendar's next opening"),
    timezone: z.string().max(64).refine(isTimeZone, 'must be a time zone like Europe/Berlin').optional().describe("the agent's IANA time zone, for a preset"),
  })
  .refine((b) => (b.until !== undefined) !== (b.preset !== undefined), 'give either `until` or `preset`');

function requireTeamViewer(request: FastifyRequest) {
  const viewer = requireUser(request);
  if (!isTeam(viewer)) throw notFound('conversation');
  return viewer;
}

export const snoozeRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  const answer = { 200: z.object({ conversation: ConversationJson }), ...errors };

  app.post(
    '/api/conversations/:id/snooze',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Snoozes the conversation (pending) until a time, a preset or the customer writes; again: the new time replaces the old (team only)',
        params: Params,
        body: SnoozeBody,
        response: answer,
      },
    },
    async (request) => {
      const viewer = requireTeamViewer(request);
      const { until, preset, timezone } = request.body;
      const when: SnoozeUntil = preset ? { preset, timezone } : (until ?? null);
      const conversation = await snoozeConversation(inbox, { conversation: request.params.id, until: when, by: { userId: viewer.id } });
      return { conversation: presentConversation(viewer, conversation) };
    },
  );

  app.delete(
    '/api/conversations/:id/snooze',
    {
      schema: { tags: ['conversations'], summary: 'Wakes a snoozed conversation now: open again (team only)', params: Params, response: answer },
    },
    async (request) => {
      const viewer = requireTeamViewer(request);
      const conversation = await unsnoozeConversation(inbox, { conversation: request.params.id, by: { userId: viewer.id }, reason: 'manual' });
      return { conversation: presentConversation(viewer, conversation) };
    },
  );
});
