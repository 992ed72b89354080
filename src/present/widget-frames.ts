import type { Conversation, Message } from '../inbox/records.js';
import { BOT_TAG } from '../inbox/rules.js';
import type { WidgetConversationJson, WidgetMessageJson } from './frames.js';

// The widget's view of a chat: only what a visitor should see, in the shapes the widget
// bundle reads (widget/). No addresses, no tags, no internal notes.

/** The shapes are declared with the socket's other frames (frames.ts). */
export type WidgetConversation = WidgetConversationJson;
export type WidgetMessage = WidgetMessageJson;

export function widgetConversation(c: Conversation): WidgetConversation {
  return { id: c.id, number: c.number, status: c.status, handler: c.tags.includes(BOT_TAG) ? 'bot' : 'team' };
}

/** How the widget names the visitor's own messages when they gave no name. */
export const VISITOR_SELF = 'You';

/**
 * Null for an internal note: the visitor never learns one exists. File links carry the
 * visitor's token because a link cannot send a header (like the socket's ?token=). The
 * customer's messages carry the name the visitor gave, not the one stored with the
 * address they typed, which may be someone else's (issue 13).
 */
export function widgetMessage(m: Message, visitorToken: string, visitorName: string | null): WidgetMessage | null {
  if (m.isInternal) return null;
  return {
    id: m.id,
    body: m.body,
    // Only the team's formatting is HTML the widget shows: a customer's own message is their text as typed.
    ...(m.htmlBody && m.sender.type !== 'customer' ? { html: m.htmlBody } : {}),
    sender: { type: m.sender.type, name: m.sender.type === 'customer' ? (visitorName ?? VISITOR_SELF) : m.sender.name },
    attachments: m.attachments.map((a) => ({
      id: a.id,
      name: a.name,
      contentType: a.contentType,
      size: a.size,
      url: `/api/widget/attachments/${a.id}?token=${encodeURIComponent(visitorToken)}`,
    })),
    sentAt: m.sentAt,
  };
}

/** A survey sent or answered (issue 19): the frame carries no rating, the widget asks for it with the visitor's token. */
export const isCsatEvent = (eventType: string) => eventType === 'csat_requested' || eventType === 'csat_received';

export function widgetCsatFrame(eventId: number, conversationId: number) {
  return { id: eventId, type: 'csat.updated' as const, data: { conversationId } };
}
