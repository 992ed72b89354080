import { formatConversationNumber } from '../../inbox/records.js';
import type { PushContext } from '../../store/push-subscriptions.js';

// What one push says. It passes through the browser vendor's push service (encrypted, but
// stored there until delivered), so by default it carries no message text: the conversation's
// number and subject, and who did what. With the team's `pushPreviews` on, a short excerpt of
// the public message it is about — never of an internal note, mention or not.

export type PushPayload = {
  title: string;
  body: string;
  /** The service worker shows one notification per tag: a later push of the conversation replaces it. */
  tag: string;
  /** The conversation in the web app, a path on our origin. */
  url: string;
  conversationId: number;
  kind: string;
  count: number;
};

const TITLE_MAX = 120;
const EXCERPT_MAX = 140;

export function buildPushPayload(context: PushContext, options: { previews: boolean }): PushPayload {
  const { notification: n, conversation } = context;
  const title = clip(`${formatConversationNumber(conversation.number)} · ${oneLine(conversation.subject) || '(no subject)'}`, TITLE_MAX);
  const excerpt = options.previews && context.message && !context.message.isInternal ? clip(oneLine(context.message.body), EXCERPT_MAX) : '';
  return {
    title,
    body: excerpt ? `${n.actorName}: ${excerpt}` : describe(n.kind, n.actorName, n.count),
    tag: `conversation-${conversation.id}`,
    url: `/inbox/all?conversation=${conversation.id}`,
    conversationId: conversation.id,
    kind: n.kind,
    count: n.count,
  };
}

function describe(kind: string, actor: string, count: number): string {
  switch (kind) {
    case 'assigned':
      return `${actor} assigned it to you`;
    case 'mentioned':
      return `${actor} mentioned you`;
    case 'customer_replied':
      return count > 1 ? `${count} new replies, the latest from ${actor}` : `${actor} replied`;
    case 'unassigned_activity':
      return count > 1 ? `${count} new messages in your team's queue` : `New in your team's queue, from ${actor}`;
    default:
      return count > 1 ? `${count} updates on a conversation you follow` : `${actor} updated a conversation you follow`;
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
