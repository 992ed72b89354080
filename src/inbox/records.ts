import { safeContentType } from '../attachments/sniff.js';
import type {
  AttachmentRow,
  Channel,
  ConversationRow,
  ConversationType,
  DeliveryRow,
  DeliveryStatus,
  EventRow,
  Label,
  MessageAuto,
  MessageRow,
  Priority,
  SenderType,
  Shelf,
  Status,
} from '../store/schema.js';
import type { Origin } from './context.js';

// The domain's view of stored rows: what commands return and queries list. Which
// fields a role may see is decided later, by the HTTP presenters.

export type Conversation = {
  id: number;
  number: string;
  channel: Channel;
  type: ConversationType;
  customer: { id: number; name: string; email: string };
  /** The signed-in user who opened it; null when it came by mail, the contact form or another channel without sign-in. */
  openedBy: number | null;
  subject: string;
  status: Status;
  priority: Priority;
  assignedTo: number | null;
  /** The team it belongs to; null for none. */
  team: { id: number; name: string } | null;
  tags: string[];
  labels: Label[];
  /** Others on the conversation's mail besides the customer (Cc), customers too but never its customer. */
  participants: Participant[];
  messageCount: number;
  lastMessagePreview: string;
  firstMessageAt: number;
  lastMessageAt: number;
  lastCustomerMessageAt: number | null;
  lastReplyAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** Set while snoozed: since when, until when (null: until the customer writes), by whom. */
  snoozed: Snooze | null;
  /** Out of every view: `spam`, or `merged` into the conversation `mergedInto`. */
  shelf: Shelf | null;
  mergedInto: number | null;
  /** The old system's reference of an imported conversation (issue 20). */
  legacyRef: string | null;
  /** The old system's custom fields of an imported conversation (issue 20): title → value. */
  customFields: Record<string, unknown> | null;
};

export type Snooze = { at: number; until: number | null; by: number | null };

/** Someone else on a conversation's mail: a colleague of the customer's, Cc'd. */
export type Participant = { email: string; name: string };

/**
 * The addresses of a message's mail: as received, or as sent (`from` is null until our
 * mail has gone, when the sender reports what it went with).
 */
export type MailHeaders = { from: Participant | null; to: Participant[]; cc: Participant[] };

export type Attachment = { id: number; name: string; contentType: string; size: number; sha256: string };

/** How mailing the message stands; null for messages that are not mailed. */
export type Delivery = { status: DeliveryStatus; error: string | null; attempts: number; updatedAt: number };

export type Message = {
  id: number;
  conversationId: number;
  sender: { id: number | null; type: SenderType; name: string; email: string | null };
  body: string;
  htmlBody: string | null;
  attachments: Attachment[];
  delivery: Delivery | null;
  isInternal: boolean;
  /** Written by a machine, not the person it is from: null for people's messages. */
  auto: MessageAuto | null;
  /** The message's mail headers; null for messages that are no mail. */
  email: MailHeaders | null;
  sentAt: number;
  readAt: number | null;
  createdAt: number;
};

export type InboxEvent = {
  id: number;
  conversationId: number;
  eventType: string;
  performedBy: number | null;
  performedByName: string;
  /** Where the write came from (context.ts). */
  origin: Origin;
  oldValue: unknown;
  newValue: unknown;
  createdAt: number;
};

const NUMBER_PREFIX = 'CONV-';

export function formatConversationNumber(n: number): string {
  return NUMBER_PREFIX + String(n).padStart(6, '0');
}

/** `CONV-000123` → 123; anything else → null. */
export function parseConversationNumber(value: string): number | null {
  const match = /^CONV-(\d{1,15})$/i.exec(value.trim());
  return match ? Number(match[1]) : null;
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: Number(row.id),
    number: formatConversationNumber(Number(row.number)),
    channel: row.channel,
    type: row.type,
    customer: { id: Number(row.customerId), name: row.customerName, email: row.customerEmail },
    openedBy: row.openedBy === null ? null : Number(row.openedBy),
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    assignedTo: row.assignedTo === null ? null : Number(row.assignedTo),
    team: row.teamId === null ? null : { id: Number(row.teamId), name: row.teamName ?? '' },
    tags: JSON.parse(row.tags) as string[],
    labels: JSON.parse(row.labels) as Label[],
    participants: JSON.parse(row.participants) as Participant[],
    messageCount: row.messageCount,
    lastMessagePreview: row.lastMessagePreview,
    firstMessageAt: row.firstMessageAt,
    lastMessageAt: row.lastMessageAt,
    lastCustomerMessageAt: row.lastCustomerMessageAt,
    lastReplyAt: row.lastReplyAt,
    resolvedAt: row.resolvedAt,
    closedAt: row.closedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    snoozed: row.snoozedAt === null ? null : { at: row.snoozedAt, until: row.snoozedUntil, by: row.snoozedBy === null ? null : Number(row.snoozedBy) },
    shelf: row.shelf,
    mergedInto: row.mergedInto === null ? null : Number(row.mergedInto),
    legacyRef: row.legacyRef,
    customFields: row.customFields === null ? null : (JSON.parse(row.customFields) as Record<string, unknown>),
  };
}

export function toAttachment(row: AttachmentRow): Attachment {
  return { id: Number(row.id), name: row.name, contentType: safeContentType(row.contentType), size: Number(row.size), sha256: row.sha256 };
}

export function toDelivery(row: DeliveryRow): Delivery {
  return { status: row.status, error: row.error, attempts: row.attempts, updatedAt: row.updatedAt };
}

export function toMessage(row: MessageRow, attachments: readonly AttachmentRow[] = [], delivery: DeliveryRow | null = null): Message {
  return {
    id: Number(row.id),
    conversationId: Number(row.conversationId),
    sender: {
      id: row.senderId === null ? null : Number(row.senderId),
      type: row.senderType,
      name: row.senderName,
      email: row.senderEmail,
    },
    body: row.body,
    htmlBody: row.htmlBody,
    attachments: attachments.map(toAttachment),
    delivery: delivery ? toDelivery(delivery) : null,
    isInternal: row.isInternal === 1,
    auto: row.auto ?? null,
    email: row.mailHeaders ? (JSON.parse(row.mailHeaders) as MailHeaders) : null,
    sentAt: row.sentAt,
    readAt: row.readAt,
    createdAt: row.createdAt,
  };
}

export function toInboxEvent(row: EventRow): InboxEvent {
  return {
    id: Number(row.id),
    conversationId: Number(row.conversationId),
    eventType: row.eventType,
    performedBy: row.performedBy === null ? null : Number(row.performedBy),
    performedByName: row.performedByName,
    origin: row.origin,
    oldValue: row.oldValue === null ? null : JSON.parse(row.oldValue),
    newValue: row.newValue === null ? null : JSON.parse(row.newValue),
    createdAt: row.createdAt,
  };
}
