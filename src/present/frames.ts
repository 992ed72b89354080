import { z } from 'zod';
import { ConversationJson, MessageJson, NotificationJson } from './schemas.js';

// The frames the live sockets send, one schema each: /api/realtime (src/realtime/frames.ts
// builds the event frames, presence.ts the presence ones) and the chat widget's socket
// (src/http/widget-socket.ts, with the shapes of widget-frames.ts). The web app infers its
// frame types from these (type-only imports), so a change here breaks its type-check.

const eventId = z.number().int().describe('where a later `since` resumes');

export const EventFrame = z.discriminatedUnion('type', [
  z.object({ id: eventId, type: z.literal('conversation.created'), data: z.object({ conversation: ConversationJson, message: MessageJson.optional() }) }),
  z.object({ id: eventId, type: z.literal('conversation.updated'), data: z.object({ conversation: ConversationJson }) }),
  z.object({ id: eventId, type: z.literal('message.created'), data: z.object({ conversation: ConversationJson, message: MessageJson }) }),
  z.object({ id: eventId, type: z.literal('message.updated'), data: z.object({ conversation: ConversationJson, message: MessageJson }) }),
  z.object({ id: eventId, type: z.literal('conversation.deleted'), data: z.object({ id: z.number().int() }) }),
]);
export type EventFrame = z.infer<typeof EventFrame>;
export type EventFrameType = EventFrame['type'];

/** The socket has caught up and is live. */
export const ReadyFrame = z.object({ id: eventId, type: z.literal('ready'), data: z.object({}) });
export type ReadyFrame = z.infer<typeof ReadyFrame>;

// Here, not in realtime/protocol.ts: the presenters' module imports nothing from realtime.
export const PRESENCE_STATES = ['viewing', 'typing', 'left'] as const;
export const PresenceState = z.enum(PRESENCE_STATES);
export type PresenceState = z.infer<typeof PresenceState>;

/** Another team member's presence on a conversation, relayed as they report it. */
export const PresenceFrame = z.object({
  type: z.literal('presence'),
  data: z.object({
    conversationId: z.number().int(),
    user: z.object({ id: z.number().int(), name: z.string() }),
    state: PresenceState,
    at: z.string().describe('ISO 8601'),
  }),
});
export type PresenceFrame = z.infer<typeof PresenceFrame>;

/** The answer to a frame the server would not take. */
export const ErrorFrame = z.object({ type: z.literal('error'), data: z.object({ code: z.enum(['invalid_frame', 'rate_limited']), message: z.string() }) });
export type ErrorFrame = z.infer<typeof ErrorFrame>;

export const RealtimeFrame = z.union([EventFrame, ReadyFrame, PresenceFrame, ErrorFrame]);
export type RealtimeFrame = z.infer<typeof RealtimeFrame>;

// The user's own notifications (issue 18), to their own sockets only. No `id`: they are
// not events, are never replayed, and must not move a client's `since`; a client reads
// the bell again when its socket says `ready`.
const unreadCount = z.number().int().min(0).describe("the user's unread notifications now (the bell)");
const NotificationChanged = z.object({ notification: NotificationJson, unreadCount });
export const NotificationFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notification.created'), data: NotificationChanged }),
  z.object({ type: z.literal('notification.updated'), data: NotificationChanged }),
  z.object({
    type: z.literal('notification.read'),
    data: z.object({
      ids: z.array(z.number().int()).optional().describe('the notifications that became read (absent after "all")'),
      conversationId: z.number().int().optional(),
      all: z.literal(true).optional(),
      unreadCount,
    }),
  }),
]);
export type NotificationFrame = z.infer<typeof NotificationFrame>;

// --- the chat widget's socket --------------------------------------------------------

export const WidgetConversationJson = z.object({
  id: z.number().int(),
  number: z.string(),
  status: ConversationJson.shape.status,
  handler: z.enum(['bot', 'team']),
});
export type WidgetConversationJson = z.infer<typeof WidgetConversationJson>;

export const WidgetMessageJson = z.object({
  id: z.number().int(),
  body: z.string(),
  /** A team member's formatted message as sanitised HTML (text/markdown.ts); absent when the body is plain text. */
  html: z.string().optional(),
  sender: z.object({ type: MessageJson.shape.sender.shape.type, name: z.string() }),
  attachments: z.array(z.object({ id: z.number().int(), name: z.string(), contentType: z.string(), size: z.number().int(), url: z.string() })),
  sentAt: z.number().int(),
});
export type WidgetMessageJson = z.infer<typeof WidgetMessageJson>;

export const WidgetFrame = z.union([
  z.object({ id: eventId, type: z.literal('message.created'), data: WidgetMessageJson }),
  z.object({ id: eventId, type: z.literal('conversation.updated'), data: WidgetConversationJson }),
  /** The chat's satisfaction survey was sent or answered (issue 19): the widget reads it again (GET /api/widget/csat). */
  z.object({ id: eventId, type: z.literal('csat.updated'), data: z.object({ conversationId: z.number().int() }) }),
  ReadyFrame,
  /** Someone of the team is typing (or stopped). */
  z.object({ type: z.literal('typing'), data: z.object({ name: z.string(), typing: z.boolean() }) }),
]);
export type WidgetFrame = z.infer<typeof WidgetFrame>;
