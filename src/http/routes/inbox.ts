import type { InboxContext } from '../../inbox/context.js';
import { getInboxCounts } from '../../inbox/queries.js';
import { InboxCountsJson } from '../../present/schemas.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// The inbox sidebar's numbers in one request: a handful of counter rows, whatever the size
// of the inbox. Each number is what the matching list (GET /api/conversations) counts.

export const inboxRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  app.get(
    '/api/inbox/counts',
    {
      schema: {
        tags: ['conversations'],
        summary: 'Counts of the inbox views (team only)',
        response: { 200: InboxCountsJson, 401: errorBody, 403: errorBody },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const counts = await getInboxCounts(inbox, viewer.id);
      const all = Object.values(counts.statuses).reduce((sum, n) => sum + n, 0);
      return { ...counts, all };
    },
  );
});
