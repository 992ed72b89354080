import { z } from 'zod';
import { markNotificationsRead } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { countUnreadNotifications, listNotifications } from '../../inbox/notifications/queries.js';
import { MAX_PAGE } from '../../limits.js';
import { presentNotification } from '../../present/presenters.js';
import { NotificationJson } from '../../present/schemas.js';
import { requireTeamMember } from '../auth.js';
import { errorBody } from '../errors.js';
import { defineRoutes } from '../routing.js';

// The bell (issue 18): each team member's own notifications. A customer is refused (403):
// notifications are the team's, and a customer has none to ask about.

const errors = { 400: errorBody, 401: errorBody, 403: errorBody };
const Unread = z.object({ unreadCount: z.number().int().min(0).describe('unread notifications: the counter row, not a count') });
const ListQuery = z.strictObject({
  cursor: z.string().max(200).optional().describe("the previous page's nextCursor"),
  unread: z.enum(['0', '1']).optional().describe('1: unread ones only'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
});
const ReadBody = z.union([
  z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(MAX_PAGE) }),
  z.strictObject({ conversationId: z.number().int().positive() }),
  z.strictObject({ all: z.literal(true) }),
]);

export const notificationRoutes = defineRoutes<{ inbox: InboxContext }>(async (app, { inbox }) => {
  app.get(
    '/api/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: "The caller's notifications, newest first (by their latest event), in keyset pages (team only)",
        querystring: ListQuery,
        response: { 200: Unread.extend({ items: z.array(NotificationJson), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      const { cursor, unread, limit } = request.query;
      const page = await listNotifications(inbox, viewer.id, { cursor, unread: unread === '1', limit });
      return { items: page.items.map(presentNotification), nextCursor: page.nextCursor, unreadCount: await countUnreadNotifications(inbox, viewer.id) };
    },
  );

  app.get(
    '/api/notifications/count',
    { schema: { tags: ['notifications'], summary: "The caller's unread notifications (team only)", response: { 200: Unread, ...errors } } },
    async (request) => {
      const viewer = requireTeamMember(request);
      return { unreadCount: await countUnreadNotifications(inbox, viewer.id) };
    },
  );

  app.post(
    '/api/notifications/read',
    {
      schema: {
        tags: ['notifications'],
        summary: "Marks the caller's notifications read: some by id, a conversation's, or all (team only)",
        body: ReadBody,
        response: { 200: Unread, ...errors },
      },
    },
    async (request) => {
      const viewer = requireTeamMember(request);
      await markNotificationsRead(inbox, { userId: viewer.id, ...request.body });
      return { unreadCount: await countUnreadNotifications(inbox, viewer.id) };
    },
  );
});
