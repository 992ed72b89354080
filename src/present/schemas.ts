import { z } from 'zod';
import { AVAILABILITIES } from '../inbox/availability.js';
import { ORIGINS } from '../inbox/context.js';
import { SNOOZE_PRESETS } from '../inbox/macros/actions.js';
import {
  ARTICLE_STATUSES,
  ASSIGNMENT_MODES,
  AVAILABILITY_CHOICES,
  CHANNELS,
  CONVERSATION_TYPES,
  LABELS,
  MESSAGE_AUTO,
  PRIORITIES,
  ROLES,
  SHELVES,
  STATUSES,
} from '../store/schema.js';

// The API's resources as JSON, one schema each: the presenters build exactly these,
// route responses are declared with them, and OpenAPI is generated from them.

const timestamp = z.number().int().describe('epoch milliseconds');

export const UserJson = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    // For the admins' team page; absent for everyone else.
    active: z.boolean().optional().describe('false once deactivated: cannot sign in, API tokens refused (admins only)'),
    deactivatedAt: timestamp.nullable().optional().describe('admins only'),
    emailVerified: z
      .boolean()
      .optional()
      .describe('customers, their own account only: whether they confirmed the address (until then they see only the conversations they opened signed in)'),
    signature: z
      .string()
      .nullable()
      .optional()
      .describe('team members, their own account only: plain text appended to their replies mailed to customers; null for none'),
    availability: z
      .enum(AVAILABILITIES)
      .optional()
      .describe('team members, to the team: online while their inbox is open (and ~2 minutes after), unless they chose busy or offline'),
    availabilityChoice: z
      .enum(['auto', ...AVAILABILITY_CHOICES])
      .optional()
      .describe('team members, to the team: auto (online while the inbox is open), or the state they chose by hand'),
  })
  .meta({ id: 'User' });

export const ConversationJson = z
  .object({
    id: z.number().int(),
    number: z.string().describe('CONV-000123'),
    channel: z.enum(CHANNELS),
    type: z.enum(CONVERSATION_TYPES),
    customer: z.object({ id: z.number().int(), name: z.string(), email: z.string() }),
    subject: z.string(),
    status: z.enum(STATUSES),
    lastMessagePreview: z.string(),
    firstMessageAt: timestamp,
    lastMessageAt: timestamp,
    resolvedAt: timestamp.nullable(),
    closedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    // The team's own organisation of the inbox; absent for customers.
    priority: z.enum(PRIORITIES).optional(),
    assignedTo: z.number().int().nullable().optional(),
    team: z.object({ id: z.number().int(), name: z.string() }).nullable().optional().describe('the team it belongs to; null for none (team only)'),
    tags: z.array(z.string()).optional(),
    labels: z.array(z.enum(LABELS)).optional(),
    messageCount: z.number().int().optional().describe('includes internal notes'),
    lastReplyAt: timestamp.nullable().optional(),
    lastCustomerMessageAt: timestamp.nullable().optional(),
    participants: z
      .array(z.object({ email: z.string(), name: z.string() }))
      .optional()
      .describe("others on the conversation's mail besides the customer: replies Cc them (team only)"),
    unread: z.boolean().optional().describe('a customer message arrived since this agent last read it'),
    snoozed: z
      .object({ at: timestamp, until: timestamp.nullable().describe('null: until the customer writes'), by: z.number().int().nullable() })
      .nullable()
      .optional()
      .describe('set while snoozed (team only)'),
    shelf: z.enum(SHELVES).nullable().optional().describe('spam, or merged into `mergedInto`: out of every view (team only)'),
    mergedInto: z.number().int().nullable().describe('the conversation this one was merged into: follow it'),
    legacyRef: z.string().optional().describe('imported conversations: the old system’s reference (team only)'),
    customFields: z.record(z.string(), z.unknown()).optional().describe('imported conversations: the old system’s custom fields, title → value (team only)'),
  })
  .meta({ id: 'Conversation' });

export const AttachmentJson = z
  .object({ id: z.number().int(), name: z.string(), contentType: z.string(), size: z.number().int(), url: z.string() })
  .meta({ id: 'Attachment' });

export const DeliveryJson = z
  .object({
    status: z.enum(['queued', 'sent', 'failed']).describe('queued: planned, not sent yet (an `error` means an attempt failed and it will be retried)'),
    error: z.string().nullable(),
    attempts: z.number().int(),
    updatedAt: z.string().describe('ISO time'),
  })
  .meta({ id: 'Delivery' });

export const MessageJson = z
  .object({
    id: z.number().int(),
    conversationId: z.number().int(),
    sender: z.object({
      id: z.number().int().nullable(),
      type: z.enum(['customer', 'admin', 'bot']),
      name: z.string(),
      email: z.string().nullable().optional().describe('absent for team members when a customer is looking'),
    }),
    body: z.string(),
    htmlBody: z
      .string()
      .nullable()
      .describe('Sanitised HTML, or null. An inline image too large to be a data: URL has the src of its attachment (/api/attachments/:id).'),
    attachments: z.array(AttachmentJson),
    isInternal: z.boolean(),
    auto: z
      .enum(MESSAGE_AUTO)
      .nullable()
      .describe(
        'written by a machine, not the person it is from: auto_reply (out-of-office and other automatic answers), bounce (a delivery failure), bulk (list or bulk mail); null for people',
      ),
    sentAt: timestamp,
    readAt: timestamp.nullable(),
    delivery: DeliveryJson.nullable().optional().describe('team only: how mailing this message to the customer stands; null when it is not mailed'),
    email: z
      .object({
        from: z.string().nullable().describe('null for our own mail until it is sent'),
        to: z.array(z.string()),
        cc: z.array(z.string()),
      })
      .nullable()
      .optional()
      .describe("team only: the headers of the message's mail, each address as `Name <address>` (received, or as sent); null when it is no mail"),
  })
  .meta({ id: 'Message' });

export const EventJson = z
  .object({
    id: z.number().int(),
    conversationId: z.number().int(),
    eventType: z.string(),
    performedBy: z.number().int().nullable(),
    performedByName: z.string(),
    origin: z
      .enum(ORIGINS)
      .describe('where the change came from: user (a team member), customer, bot, rule (an automation), system (Onethread itself), import'),
    oldValue: z.unknown(),
    newValue: z.unknown(),
    createdAt: timestamp,
  })
  .meta({ id: 'ConversationEvent' });

/** How many conversations a sidebar view holds. */
const viewCount = z.number().int().min(0);

export const InboxCountsJson = z
  .object({
    statuses: z.record(z.enum(STATUSES), viewCount).describe('every conversation, by status'),
    all: viewCount.describe('every conversation, whatever its status'),
    mine: viewCount.describe('open, assigned to the caller'),
    unassigned: viewCount.describe('open, assigned to nobody'),
    channels: z.record(z.enum(CHANNELS), viewCount).describe('open, by channel'),
    labels: z.record(z.enum(LABELS), viewCount).describe('open, by label'),
    bot: viewCount.describe('chats the bot is still answering (tag `bot`, pending)'),
    snoozed: viewCount.describe('snoozed conversations (pending until they wake)'),
    spam: viewCount.describe('the Spam view: conversations marked as spam or from a blocked sender'),
    notifications: viewCount.describe("the caller's unread notifications (the bell)"),
    teams: z.array(z.object({ id: z.number().int(), name: z.string(), open: viewCount })).describe("the caller's teams, each with its open conversations"),
  })
  .meta({ id: 'InboxCounts' });

export const TeamJson = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    memberIds: z.array(z.number().int()).describe('the team members in it (users)'),
    channels: z.array(z.enum(['ticket', 'chatbot', 'email'])).describe('the channels whose new conversations go to this team'),
    open: viewCount.describe('its open conversations'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Team' });
export type TeamJson = z.infer<typeof TeamJson>;

/** How a team's conversations (`team` null: those without a team) are given out (GET /api/assignment-rules). */
export const AssignmentRuleJson = z
  .object({
    team: z.object({ id: z.number().int(), name: z.string() }).nullable().describe('null: the rule for conversations without a team'),
    mode: z.enum(ASSIGNMENT_MODES),
    capacity: z.number().int().nullable().describe('most open and pending conversations a member may hold for the rule to give them another; null: no limit'),
    capacities: z.array(z.object({ userId: z.number().int(), capacity: z.number().int() })).describe("members' own capacities, over the rule's"),
    arrivals: z
      .object({ new: z.boolean(), reopened: z.boolean(), handover: z.boolean() })
      .describe(
        'which arrivals the rule takes: new conversations (and ones moved into the team), reopened ones whose assignee is away, chats the bot hands over',
      ),
  })
  .meta({ id: 'AssignmentRule' });
export type AssignmentRuleJson = z.infer<typeof AssignmentRuleJson>;

export const SavedViewJson = z
  .object({
    id: z.number().int(),
    name: z.string(),
    filter: z.record(z.string(), z.string()).describe("the conversation list's query parameters (GET /api/conversations), as the URL spells them"),
    ownerId: z.number().int().describe("who saved it; a shared view is its team's to edit"),
    teamId: z.number().int().nullable().describe("the team it is shared with; null: its owner's alone"),
    counts: z.record(z.enum(STATUSES), viewCount).describe('its conversations by status, as the list counts them'),
    countsCapped: z.boolean().describe('a count stopped at the cap and means "that many or more"'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'SavedView' });
export type SavedViewJson = z.infer<typeof SavedViewJson>;

export type UserJson = z.infer<typeof UserJson>;
export type ConversationJson = z.infer<typeof ConversationJson>;

/** One page of a conversation list (GET /api/conversations, a saved view's conversations), with its counts by status. */
export const ConversationPageJson = z.object({
  items: z.array(ConversationJson),
  nextCursor: z.string().nullable(),
  counts: z.record(z.enum(STATUSES), z.number().int()),
  countsCapped: z.boolean(),
});
export type MessageJson = z.infer<typeof MessageJson>;
export type DeliveryJson = z.infer<typeof DeliveryJson>;
export type EventJson = z.infer<typeof EventJson>;
export type InboxCountsJson = z.infer<typeof InboxCountsJson>;

export const KbCategoryJson = z
  .object({
    id: z.number().int(),
    name: z.string(),
    slug: z.string(),
    description: z.string(),
    position: z.number().int(),
    articleCount: z.number().int().optional().describe('articles this reader can see'),
  })
  .meta({ id: 'KbCategory' });

// The knowledge base (routes/kb.ts).
const summaryShape = {
  id: z.number().int(),
  slug: z.string(),
  title: z.string(),
  categoryId: z.number().int().nullable(),
  status: z.enum(ARTICLE_STATUSES),
  excerpt: z.string(),
  url: z.string().describe('the article in the help center'),
  createdAt: timestamp,
  updatedAt: timestamp,
  publishedAt: timestamp.nullable(),
};
export const KbArticleSummaryJson = z.object(summaryShape).meta({ id: 'KbArticleSummary' });
export const KbArticleJson = z
  .object({ ...summaryShape, body: z.string().describe('Markdown'), html: z.string().describe('rendered and sanitised'), category: KbCategoryJson.nullable() })
  .meta({ id: 'KbArticle' });
export const KbArticleHitJson = z.object({ ...summaryShape, highlight: z.string().describe('HTML excerpt, matches in <mark>') }).meta({ id: 'KbArticleHit' });

export type KbCategoryJson = z.infer<typeof KbCategoryJson>;
export type KbArticleSummaryJson = z.infer<typeof KbArticleSummaryJson>;
export type KbArticleJson = z.infer<typeof KbArticleJson>;
export type KbArticleHitJson = z.infer<typeof KbArticleHitJson>;

// The team's view of a customer (issue 16): the side panel and the customer list.
const customerShape = {
  id: z.number().int(),
  name: z.string(),
  email: z.string(),
  firstSeenAt: timestamp.describe('when the account was made: their first message, sign-up or chat'),
};
export const CustomerSummaryJson = z.object(customerShape).meta({ id: 'CustomerSummary' });
export const CustomerJson = z
  .object({
    ...customerShape,
    channels: z.array(z.enum(CHANNELS)).describe('the channels of their conversations'),
    company: z.string().nullable().describe('as an import brought it (a Zendesk organization); null otherwise'),
  })
  .meta({ id: 'Customer' });
export const CustomerConversationJson = z
  .object({
    id: z.number().int(),
    number: z.string().describe('CONV-000123'),
    channel: z.enum(CHANNELS),
    subject: z.string(),
    status: z.enum(STATUSES),
    lastActivityAt: timestamp.describe('the last message'),
  })
  .meta({ id: 'CustomerConversation' });

export type CustomerSummaryJson = z.infer<typeof CustomerSummaryJson>;
export type CustomerJson = z.infer<typeof CustomerJson>;
export type CustomerConversationJson = z.infer<typeof CustomerConversationJson>;

// Canned replies (issue 17).
// Notifications (issue 18): one line per conversation and kind, the bell's list.
export const NOTIFICATION_KINDS = ['assigned', 'customer_replied', 'unassigned_activity', 'mentioned', 'participating', 'csat_low_rating'] as const;
export const NotificationJson = z
  .object({
    id: z.number().int(),
    kind: z
      .enum(NOTIFICATION_KINDS)
      .describe(
        "assigned: given to you; customer_replied: on a conversation assigned to you; unassigned_activity: new or answered in your team's unassigned queue; mentioned: in a note; participating: a conversation you follow changed; csat_low_rating: a customer rated it 1 or 2 of 5",
      ),
    conversation: z.object({ id: z.number().int(), number: z.string(), subject: z.string() }),
    messageId: z.number().int().nullable().describe('the latest message it is about, if any'),
    actor: z.object({ id: z.number().int().nullable(), name: z.string() }).describe('who did the latest of it'),
    count: z.number().int().describe('how many events it folds: further ones of the same kind on the same conversation while unread'),
    firstAt: timestamp,
    lastAt: timestamp,
    readAt: timestamp.nullable(),
  })
  .meta({ id: 'Notification' });
export type NotificationJson = z.infer<typeof NotificationJson>;

export const CannedReplyJson = z
  .object({
    id: z.number().int(),
    name: z.string(),
    shortcut: z.string().describe('one word, typed after `/` in the composer'),
    body: z.string().describe('with placeholders such as {{customer.firstName}}, filled by GET /api/canned-replies/:id/render'),
    ownerId: z.number().int().nullable().describe('whose personal reply it is; null: shared'),
    teamId: z.number().int().nullable().describe("a shared reply's team; null: the whole team (or personal)"),
    canManage: z.boolean().describe('the viewer may change and delete it: their own, or a shared one for admins'),
    files: z
      .array(z.object({ id: z.number().int(), name: z.string(), contentType: z.string(), size: z.number().int() }))
      .describe('attached to a message that names this reply in `cannedReplyIds`, without a new upload'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'CannedReply' });
export type CannedReplyJson = z.infer<typeof CannedReplyJson>;

// Macros (issue 17): a named list of actions run on a conversation in one transaction.
const tagNames = z.array(z.string()).optional();
export const MacroActionJson = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('reply'), body: z.string().describe('a public reply') }),
    z.object({ type: z.literal('note'), body: z.string().describe('an internal note') }),
    z.object({
      type: z.literal('canned'),
      cannedReplyId: z.number().int(),
      as: z.enum(['reply', 'note']).describe('filled for the conversation; a reply with a placeholder left fails the macro'),
    }),
    z.object({ type: z.literal('status'), status: z.enum(STATUSES) }),
    z.object({ type: z.literal('priority'), priority: z.enum(PRIORITIES) }),
    z.object({ type: z.literal('team'), teamId: z.number().int().nullable().describe('null: no team') }),
    z.object({
      type: z.literal('assign'),
      assigneeId: z.union([z.number().int(), z.literal('me'), z.null()]).describe("a team member, 'me' (who runs it), or null: unassigned"),
    }),
    z.object({ type: z.literal('labels'), add: z.array(z.enum(LABELS)).optional(), remove: z.array(z.enum(LABELS)).optional() }),
    z.object({ type: z.literal('tags'), add: tagNames, remove: tagNames }),
    z.object({
      type: z.literal('snooze'),
      preset: z.enum(SNOOZE_PRESETS).optional().describe("counted from when the macro runs, in the business calendar's time zone"),
      until: z.null().optional().describe('without a preset: null, until the customer writes'),
    }),
  ])
  .meta({ id: 'MacroAction' });
export type MacroActionJson = z.infer<typeof MacroActionJson>;

export const MacroJson = z
  .object({
    id: z.number().int(),
    name: z.string(),
    actions: z.array(MacroActionJson).describe('run in this order, all in one transaction: all happen or none'),
    ownerId: z.number().int().nullable().describe('whose personal macro it is; null: shared with the team'),
    canManage: z.boolean().describe('the viewer may change and delete it: their own, or a shared one for admins'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Macro' });
export type MacroJson = z.infer<typeof MacroJson>;
