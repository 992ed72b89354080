import { canView, isTeam, type Viewer } from '../inbox/policies.js';
import { type Conversation, type Message, toConversation, toInboxEvent, toMessage } from '../inbox/records.js';
import type { EventFrameType } from '../present/frames.js';
import { presentConversation, presentMessage } from '../present/presenters.js';
import { findConversationsByIds } from '../store/conversations.js';
import { findDeliveries } from '../store/deliveries.js';
import { findMessagesByIds, listAttachments } from '../store/messages.js';
import type { EventRow } from '../store/schema.js';
import type { Tx } from '../store/transaction.js';

// Audit events → the frames a live client receives. A batch of events is read back from
// the database once (the rows as they are now, not as the event describes them) and
// then presented per audience: every team member sees the same frame, and only the
// owning customer can see a customer frame, so each frame is serialized at most twice.

/** The event frames' types; their shapes are declared in src/present/frames.ts. */
export type FrameType = EventFrameType;
/** Who a socket serves; kept current by the credential re-check (credentials.ts). */
export type LiveViewer = Viewer & { email: string; name: string };

const STATUS_EVENTS = new Set(['status_changed', 'resolved', 'closed', 'reopened']);
/** A satisfaction survey sent or answered (issue 19): the portal reads it again (GET /api/conversations/:id/csat). */
const CSAT_EVENTS = new Set(['csat_requested', 'csat_received']);
/** A message's mail delivery changed: the team sees the message again, with its new `delivery`. */
const DELIVERY_EVENTS = new Set(['delivery_updated', 'delivery_retried']);

/** One event, with the rows its frame presents; `null` rows were deleted since. */
export type PreparedEvent = {
  id: number;
  eventType: string;
  conversationId: number;
  conversation: Conversation | null;
  message: Message | null;
  /** For `deleted`: who owned the conversation, the only link left to them once the row is gone. */
  deletedOwner: DeletedOwner | null;
  /** Serialized frames per audience, filled on first use. */
  cache: { team?: string | null; customer?: string | null };
};

/**
 * What a `deleted` event recorded of the conversation's owner. Events written before it
 * recorded `customerId` and `openedBy` carry only the address.
 */
export type DeletedOwner = { customerId: number | null; openedBy: number | null; customerEmail: string | null };

function deletedOwnerOf(value: unknown): DeletedOwner {
  const recorded = (value ?? {}) as { customerId?: unknown; openedBy?: unknown; customerEmail?: unknown };
  const id = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
  return {
    customerId: id(recorded.customerId),
    openedBy: id(recorded.openedBy),
    customerEmail: typeof recorded.customerEmail === 'string' ? recorded.customerEmail : null,
  };
}

const messageIdOf = (value: unknown): number | null => {
  const id = (value as { messageId?: unknown } | null)?.messageId;
  return typeof id === 'number' ? id : null;
};

/** Reads what a batch of events needs in three queries, whatever its size. */
export async function prepareEvents(tx: Tx, rows: readonly EventRow[]): Promise<PreparedEvent[]> {
  const events = rows.flatMap((row) => {
    try {
      return [toInboxEvent(row)];
    } catch {
      // A row whose JSON does not parse cannot be presented; skipping it keeps the stream alive.
      return [];
    }
  });
  const conversationIds = [...new Set(events.filter((e) => e.eventType !== 'deleted').map((e) => e.conversationId))];
  const messageIds = [...new Set(events.flatMap((e) => messageIdOf(e.newValue) ?? []))];
  const [conversationRows, messageRows] = await Promise.all([findConversationsByIds(tx, conversationIds), findMessagesByIds(tx, messageIds)]);
  const [attachments, deliveries] = await Promise.all([
    listAttachments(
      tx,
      messageRows.map((m) => Number(m.id)),
    ),
    findDeliveries(
      tx,
      messageRows.map((m) => Number(m.id)),
    ),
  ]);
  const conversations = new Map(conversationRows.map((row) => [Number(row.id), toConversation(row)]));
  const messages = new Map(
    messageRows.map((row) => [
      Number(row.id),
      toMessage(
        row,
        attachments.filter((a) => Number(a.messageId) === Number(row.id)),
        deliveries.get(Number(row.id)),
      ),
    ]),
  );
  return events.map((e) => {
    const messageId = messageIdOf(e.newValue);
    return {
      id: e.id,
      eventType: e.eventType,
      conversationId: e.conversationId,
      conversation: conversations.get(e.conversationId) ?? null,
      message: messageId === null ? null : (messages.get(messageId) ?? null),
      deletedOwner: e.eventType === 'deleted' ? deletedOwnerOf(e.oldValue) : null,
      cache: {},
    };
  });
}

/** The serialized frame for this viewer, or null when they must not see the event. */
export function frameFor(viewer: LiveViewer, event: PreparedEvent): string | null {
  const team = isTeam(viewer);
  if (!team && !ownedBy(viewer, event)) return null;
  const audience = team ? 'team' : 'customer';
  const cached = event.cache[audience];
  if (cached !== undefined) return cached;
  const frame = buildFrame(viewer, event);
  event.cache[audience] = frame === null ? null : JSON.stringify(frame);
  return event.cache[audience];
}

function ownedBy(viewer: LiveViewer, event: PreparedEvent): boolean {
  if (event.eventType === 'deleted') return event.deletedOwner !== null && couldView(viewer, event.deletedOwner);
  return event.conversation !== null && canView(viewer, event.conversation);
}

/** canView, for a conversation that is gone: its deletion reaches whoever could see it. */
function couldView(viewer: LiveViewer, owner: DeletedOwner): boolean {
  if (owner.customerId !== null) {
    return canView(viewer, { customer: { id: owner.customerId, name: '', email: owner.customerEmail ?? '' }, openedBy: owner.openedBy });
  }
  // An older event names only the address: the one customer it is sure of is one who has
  // proven that address (an unconfirmed account with it may not be who wrote).
  return viewer.emailVerifiedAt !== null && owner.customerEmail !== null && owner.customerEmail.toLowerCase() === viewer.email.toLowerCase();
}

function buildFrame(viewer: LiveViewer, event: PreparedEvent): { id: number; type: FrameType; data: unknown } | null {
  const team = isTeam(viewer);
  const frame = (type: FrameType, data: unknown) => ({ id: event.id, type, data });
  if (event.eventType === 'deleted') return frame('conversation.deleted', { id: event.conversationId });
  const { conversation, message } = event;
  // Deleted since the event: a replay has nothing left to show.
  if (!conversation) return null;
  const presented = presentConversation(viewer, conversation);
  switch (event.eventType) {
    case 'created': {
      const first = message ? presentMessage(viewer, message) : null;
      return frame('conversation.created', { conversation: presented, ...(first ? { message: first } : {}) });
    }
    case 'replied':
    case 'note_added': {
      // presentMessage refuses an internal note to a customer, whichever event carried it.
      const shown = message ? presentMessage(viewer, message) : null;
      return shown ? frame('message.created', { message: shown, conversation: presented }) : null;
    }
    default:
      if (DELIVERY_EVENTS.has(event.eventType)) {
        const shown = team && message ? presentMessage(viewer, message) : null;
        return shown ? frame('message.updated', { message: shown, conversation: presented }) : null;
      }
      // Assignment, labels, priority and type are the team's organisation of the inbox.
      if (!team && !STATUS_EVENTS.has(event.eventType) && !CSAT_EVENTS.has(event.eventType)) return null;
      return frame('conversation.updated', { conversation: presented });
  }
}

/** Sent once a socket has caught up and is live: `id` is where a later `since` resumes. */
export function readyFrame(cursor: number): string {
  return JSON.stringify({ id: cursor, type: 'ready', data: {} });
}
