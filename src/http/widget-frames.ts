import type { Conversation, Message } from '../inbox/records.js';
import { BOT_TAG } from '../inbox/rules.js';

// The widget's view of a chat: only what a visitor should see, in the shapes the widget
// bundle reads (widget/). No addresses, no tags, no internal notes.

export type WidgetConversation = { id: number; number: string; status: Conversation['status']; handler: 'bot' | 'team' };
export type WidgetMessage = {
  id: number;
  body: string;
  sender: { type: Message['sender']['type']; name: string };
  attachments: { id: number; name: string; contentType: string; size: number; url: string }[];
  sentAt: number;
};

export function widgetConversation(c: Conversation): WidgetConversation {
  return { id: c.id, number: c.number, status: c.status, handler: c.tags.includes(BOT_TAG) ? 'bot' : 'team' };
}

/**
 * Null for an internal note: the visitor never learns one exists. File links carry the
 * visitor's token because a link cannot send a header (like the socket's ?token=).
 */
export function widgetMessage(m: Message, visitorToken: string): WidgetMessage | null {
  if (m.isInternal) return null;
  return {
    id: m.id,
    body: m.body,
    sender: { type: m.sender.type, name: m.sender.name },
    attachments: m.attachments.map((a) => ({ id: a.id, name: a.name, contentType: a.contentType, size: a.size, url: `/api/widget/attachments/${a.id}?token=${encodeURIComponent(visitorToken)}` })),
    sentAt: m.sentAt,
  };
}
