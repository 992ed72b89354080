import { pointStoredImages } from '../attachments/index.js';
import { type AvailabilityFacts, effectiveAvailability } from '../inbox/availability.js';
import type { NotificationItem } from '../inbox/notifications/queries.js';
import { formatAddress } from '../inbox/participants.js';
import { canManageUsers, isTeam, type Viewer } from '../inbox/policies.js';
import type { Conversation, InboxEvent, Message } from '../inbox/records.js';
import { formatConversationNumber } from '../inbox/records.js';
import type { UserRow } from '../store/schema.js';
import type { ConversationJson, EventJson, MessageJson, NotificationJson, UserJson } from './schemas.js';

// The only place that decides which fields a role sees. REST and the live stream both
// present through these, so a field cannot leak through one and not the other.

type PresentableUser = Pick<UserRow, 'id' | 'name' | 'email' | 'role'> & { deactivatedAt?: number | null } & Partial<AvailabilityFacts>;

/**
 * Whether an account is switched off is for admins to see; given no viewer, nobody is one.
 * A team member's availability is shown to the team when the caller says when `now` is.
 */
export function presentUser(user: PresentableUser, viewer?: Viewer, now?: number): UserJson {
  const shared = { id: Number(user.id), name: user.name, email: user.email, role: user.role, ...availabilityOf(user, viewer, now) };
  if (!viewer || !canManageUsers(viewer) || user.deactivatedAt === undefined) return shared;
  return { ...shared, active: user.deactivatedAt === null, deactivatedAt: user.deactivatedAt };
}

function availabilityOf(user: PresentableUser, viewer: Viewer | undefined, now: number | undefined): Pick<UserJson, 'availability' | 'availabilityChoice'> {
  if (now === undefined || user.role === 'customer' || (viewer && !isTeam(viewer))) return {};
  if (user.availabilityChoice === undefined || user.lastSeenAt === undefined) return {};
  const facts = { availabilityChoice: user.availabilityChoice, lastSeenAt: user.lastSeenAt };
  return { availability: effectiveAvailability(facts, now), availabilityChoice: facts.availabilityChoice ?? 'auto' };
}

/**
 * The signed-in user's own account; a customer's says whether the address is confirmed, which decides what they see;
 * a team member's carries their signature, which nobody else is shown, and their availability.
 */
export function presentSelf(user: PresentableUser & { emailVerifiedAt: number | null; signature?: string | null }, now?: number): UserJson {
  const shared = presentUser(user, undefined, now);
  return user.role === 'customer' ? { ...shared, emailVerified: user.emailVerifiedAt !== null } : { ...shared, signature: user.signature ?? null };
}

export function presentConversation(viewer: Viewer, c: Conversation & { unread?: boolean }): ConversationJson {
  const shared = {
    id: c.id,
    number: c.number,
    channel: c.channel,
    type: c.type,
    customer: c.customer,
    subject: c.subject,
    status: c.status,
    lastMessagePreview: c.lastMessagePreview,
    firstMessageAt: c.firstMessageAt,
    lastMessageAt: c.lastMessageAt,
    resolvedAt: c.resolvedAt,
    closedAt: c.closedAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    mergedInto: c.mergedInto,
  };
  if (!isTeam(viewer)) return shared;
  return {
    ...shared,
    priority: c.priority,
    assignedTo: c.assignedTo,
    team: c.team,
    tags: c.tags,
    labels: c.labels,
    messageCount: c.messageCount,
    lastReplyAt: c.lastReplyAt,
    lastCustomerMessageAt: c.lastCustomerMessageAt,
    participants: c.participants,
    snoozed: c.snoozed,
    shelf: c.shelf,
    ...(c.legacyRef === null ? {} : { legacyRef: c.legacyRef }),
    ...(c.customFields === null ? {} : { customFields: c.customFields }),
    ...(c.unread === undefined ? {} : { unread: c.unread }),
  };
}

const attachmentUrl = (id: number) => `/api/attachments/${id}`;

/** A large inline image gets its attachment's address, which whoever sees the message may load. */
function withStoredImages(html: string | null, attachments: Message['attachments']): string | null {
  if (html === null) return null;
  return pointStoredImages(html, (sha256) => {
    const attachment = attachments.find((a) => a.sha256 === sha256);
    return attachment && attachmentUrl(attachment.id);
  });
}

/** Callers filter internal notes for customers (policies.canSeeMessage); this never shows one to them either. */
export function presentMessage(viewer: Viewer, m: Message): MessageJson | null {
  const team = isTeam(viewer);
  if (m.isInternal && !team) return null;
  const hideEmail = !team && m.sender.type !== 'customer';
  return {
    id: m.id,
    conversationId: m.conversationId,
    sender: { id: m.sender.id, type: m.sender.type, name: m.sender.name, ...(hideEmail ? {} : { email: m.sender.email }) },
    body: m.body,
    htmlBody: withStoredImages(m.htmlBody, m.attachments),
    attachments: m.attachments.map((a) => ({ id: a.id, name: a.name, contentType: a.contentType, size: a.size, url: attachmentUrl(a.id) })),
    isInternal: m.isInternal,
    auto: m.auto,
    sentAt: m.sentAt,
    readAt: m.readAt,
    // Whether mail to them went out is the team's business (and a bounce's error names their mail server).
    ...(team ? { delivery: m.delivery && { ...m.delivery, updatedAt: new Date(m.delivery.updatedAt).toISOString() } } : {}),
    // Who else a mail went to is the team's business, as the conversation's participants are.
    ...(team
      ? { email: m.email && { from: m.email.from && formatAddress(m.email.from), to: m.email.to.map(formatAddress), cc: m.email.cc.map(formatAddress) } }
      : {}),
  };
}

export function presentEvent(viewer: Viewer, e: InboxEvent): EventJson | null {
  return isTeam(viewer) ? { ...e } : null;
}

/** A notification, to its own user only (the routes list nothing else). */
export function presentNotification(n: NotificationItem): NotificationJson {
  return {
    id: n.id,
    kind: n.kind as NotificationJson['kind'],
    conversation: { id: n.conversationId, number: formatConversationNumber(n.conversationNumber), subject: n.subject },
    messageId: n.messageId,
    actor: { id: n.actorId, name: n.actorName },
    count: n.count,
    firstAt: n.firstAt,
    lastAt: n.lastAt,
    readAt: n.readAt,
  };
}
