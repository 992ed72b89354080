import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { CsatSurveysTable } from './schema-csat.js';
import type { ImportRecordsTable } from './schema-imports.js';
import type { ReportCyclesTable, ReportFactsTable, ReportRollupsTable } from './schema-reports.js';

// Row shapes as stored. Timestamps are epoch milliseconds; booleans are 0/1 so one
// migration set serves SQLite and PostgreSQL; lists (tags, labels) are JSON text on the
// conversation for display and rows in `conversation_tags` for filtering.

export type Channel = 'ticket' | 'chatbot' | 'email';
export type ConversationType = 'support' | 'sales' | 'general';
export type Status = 'open' | 'pending' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type Label = 'urgent' | 'follow-up' | 'resolved';
export type Role = 'admin' | 'agent' | 'customer';
export type SenderType = 'customer' | 'admin' | 'bot';
/** Mail no person wrote: an out-of-office or other automatic answer, a delivery failure, list or bulk mail. */
export const MESSAGE_AUTO = ['auto_reply', 'bounce', 'bulk'] as const;
export type MessageAuto = (typeof MESSAGE_AUTO)[number];

export const CHANNELS: readonly Channel[] = ['ticket', 'chatbot', 'email'];
export const CONVERSATION_TYPES: readonly ConversationType[] = ['support', 'sales', 'general'];
export const STATUSES: readonly Status[] = ['open', 'pending', 'resolved', 'closed'];
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];
export const LABELS: readonly Label[] = ['urgent', 'follow-up', 'resolved'];
export const ROLES: readonly Role[] = ['admin', 'agent', 'customer'];

export interface UsersTable {
  id: Generated<number>;
  name: string;
  /** Stored lower-cased: addresses are compared case-insensitively everywhere. */
  email: string;
  role: Role;
  passwordHash: string | null;
  createdAt: number;
  updatedAt: number;
  /** Set when the account is switched off: it can no longer sign in or use its tokens. */
  deactivatedAt: number | null;
  /**
   * When the person showed they read this mailbox (a verification or reset link). Until
   * then a customer sees only the conversations they opened signed in (inbox/policies.ts).
   */
  emailVerifiedAt: number | null;
  /** An agent's email signature, appended to their mailed replies (migration 0010). */
  signature: ColumnType<string | null, string | null | undefined, string | null>;
  /** A team member's manual availability (migration 0017): null is automatic (inbox/availability.ts). */
  availabilityChoice: ColumnType<AvailabilityChoice | null, AvailabilityChoice | null | undefined, AvailabilityChoice | null>;
  /** When one of their inbox sockets was last known open; null: never. */
  lastSeenAt: ColumnType<number | null, number | null | undefined, number | null>;
  /** A customer's company, as an import brought it (migration 0037); null otherwise. */
  company: ColumnType<string | null, string | null | undefined, string | null>;
}

export const AVAILABILITY_CHOICES = ['busy', 'offline'] as const;
export type AvailabilityChoice = (typeof AVAILABILITY_CHOICES)[number];

export type AccountLinkPurpose = 'verify' | 'reset';

/** A single-use link mailed to a user (confirm the address, set a new password); only its SHA-256 is kept. */
export interface AccountTokensTable {
  id: Generated<number>;
  userId: number;
  purpose: AccountLinkPurpose;
  tokenHash: string;
  /** The address the link went to: a verification proves that address, not whatever the account has now. */
  email: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** A signed-in browser. `id` is the SHA-256 of the cookie's token, never the token itself. */
export interface SessionsTable {
  id: string;
  userId: number;
  /** Not a credential on its own (it only counts next to the cookie); the server compares it with a header. */
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
}

/** An integration's bearer token, kept only as its SHA-256. */
export interface ApiTokensTable {
  id: Generated<number>;
  userId: number;
  name: string;
  tokenHash: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface ConversationsTable {
  id: Generated<number>;
  number: number;
  channel: Channel;
  type: ConversationType;
  customerId: number;
  customerName: string;
  customerEmail: string;
  /** The signed-in user who opened it (null: by mail, the contact form, a channel without sign-in). */
  openedBy: number | null;
  subject: string;
  status: Status;
  priority: Priority;
  /** Generated from `priority` so "sort by priority" can walk an index. */
  priorityRank: Generated<number>;
  assignedTo: number | null;
  /** The team it belongs to (migration 0016); null for none. */
  teamId: ColumnType<number | null, number | null | undefined, number | null>;
  tags: string;
  labels: string;
  /** JSON [{email, name}]: the others on the conversation's mail besides the customer (migration 0011). */
  participants: ColumnType<string, string | undefined, string>;
  messageCount: number;
  /** One line of the last public message, for the inbox list. */
  lastMessagePreview: string;
  firstMessageAt: number;
  lastMessageAt: number;
  lastCustomerMessageAt: number | null;
  lastReplyAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** When it was snoozed (migration 0023); null: not snoozed. A snoozed conversation is `pending`. */
  snoozedAt: ColumnType<number | null, number | null | undefined, number | null>;
  /** When it wakes; null while snoozed: when the customer writes. */
  snoozedUntil: ColumnType<number | null, number | null | undefined, number | null>;
  snoozedBy: ColumnType<number | null, number | null | undefined, number | null>;
  /** Out of every view (migration 0023): `spam`, or `merged` (a tombstone pointing at `mergedInto`). Always `closed`. */
  shelf: ColumnType<Shelf | null, Shelf | null | undefined, Shelf | null>;
  shelvedAt: ColumnType<number | null, number | null | undefined, number | null>;
  mergedInto: ColumnType<number | null, number | null | undefined, number | null>;
  /** The old system's reference of an imported conversation (migration 0036); null otherwise. */
  legacyRef: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON { "<field>": value }: the old system's custom fields of an imported conversation (migration 0037); null otherwise. */
  customFields: ColumnType<string | null, string | null | undefined, string | null>;
}

export const SHELVES = ['spam', 'merged'] as const;
export type Shelf = (typeof SHELVES)[number];

export interface MessagesTable {
  id: Generated<number>;
  conversationId: number;
  senderId: number | null;
  senderType: SenderType;
  senderName: string;
  senderEmail: string | null;
  body: string;
  htmlBody: string | null;
  isInternal: number;
  /** Caller-supplied idempotency key (an email Message-ID, a client request id). */
  externalKey: string | null;
  /** Written by a machine, not a person (migration 0010): null for people's messages. */
  auto: ColumnType<MessageAuto | null, MessageAuto | null | undefined, MessageAuto | null>;
  /** JSON {from, to, cc} of the message's mail, received or sent (migration 0011); null for messages that are no mail. */
  mailHeaders: ColumnType<string | null, string | null | undefined, string | null>;
  sentAt: number;
  readAt: number | null;
  createdAt: number;
}

export interface AttachmentsTable {
  id: Generated<number>;
  messageId: number;
  conversationId: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: number;
}

export type DeliveryStatus = 'queued' | 'sent' | 'failed';

/** How the mailing of a message stands (migration 0005); written only by the inbox commands. */
export interface MessageDeliveriesTable {
  messageId: number;
  conversationId: number;
  status: DeliveryStatus;
  /** The last attempt's error: why it failed, or why a queued one is being retried. */
  error: string | null;
  attempts: number;
  updatedAt: number;
}

export interface ConversationEventsTable {
  id: Generated<number>;
  /** Not a foreign key: the deletion record outlives its conversation. */
  conversationId: number;
  eventType: string;
  performedBy: number | null;
  performedByName: string;
  /** Where the write came from (inbox/context.ts); rows before 0015 were backfilled. */
  origin: EventOrigin;
  oldValue: string | null;
  newValue: string | null;
  createdAt: number;
}

export type EventOrigin = 'user' | 'customer' | 'bot' | 'rule' | 'system' | 'import';

/** One row per label or tag of a conversation, carrying the sort keys so a label view walks an index. */
export interface ConversationTagsTable {
  conversationId: number;
  name: string;
  status: Status;
  lastMessageAt: number;
}

export interface ConversationReadsTable {
  conversationId: number;
  userId: number;
  lastReadAt: number;
}

export interface InboxCountsTable {
  key: string;
  n: number;
}

export interface SequencesTable {
  name: string;
  value: number;
}

export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  payload: string;
  idempotencyKey: string;
  runAt: number;
  attempts: number;
  lastError: string | null;
  lockedUntil: number | null;
  doneAt: number | null;
  failedAt: number | null;
  createdAt: number;
  /** 1: the payload is a secret, dropped once the job is done or failed for good. */
  secret: Generated<number>;
}

export type TimerOutcome = 'fired' | 'failed';

/** A durable timer (store/timers.ts): armed while `firedAt` is null. */
export interface TimersTable {
  id: Generated<number>;
  /** Who set it and for what (`sla:conversation:42`): setting a key again re-arms its timer. */
  key: string;
  kind: string;
  dueAt: number;
  payload: string;
  /** Bumped at every (re-)arm: a worker that claimed an older arming cannot record its outcome on this one. */
  version: Generated<number>;
  /** Not claimable before this: a worker's lease or, after a failed attempt, the time to retry. */
  lockedUntil: number | null;
  /** Claims of the current arming. */
  attempts: Generated<number>;
  lastError: string | null;
  /** When it fired, or was given up (`outcome` says which); null while armed. */
  firedAt: number | null;
  outcome: TimerOutcome | null;
  createdAt: number;
  updatedAt: number;
}

/** A business calendar (store/calendar.ts), today only the `default` one. */
export interface BusinessCalendarsTable {
  name: string;
  /** The calendar as JSON (src/calendar/schema.ts). */
  calendar: string;
  updatedAt: number;
  /** Who set it; null when seeded from the environment. */
  updatedBy: number | null;
}

export type ArticleStatus = 'published' | 'draft';
export const ARTICLE_STATUSES: readonly ArticleStatus[] = ['published', 'draft'];

export interface KbCategoriesTable {
  id: Generated<number>;
  name: string;
  slug: string;
  description: string;
  position: number;
  createdAt: number;
  updatedAt: number;
}

export interface KbArticlesTable {
  id: Generated<number>;
  title: string;
  slug: string;
  /** Markdown as the author wrote it. */
  body: string;
  /** Its plain text: what search indexes and the bot quotes. */
  bodyText: string;
  categoryId: number | null;
  status: ArticleStatus;
  authorId: number | null;
  createdAt: number;
  updatedAt: number;
  publishedAt: number | null;
}

/** A named group of team members (migration 0016); a conversation may belong to one. */
export interface TeamsTable {
  id: Generated<number>;
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

export interface TeamMembersTable {
  teamId: number;
  userId: number;
}

/** Why a team member follows a conversation (migration 0019). */
export const FOLLOW_REASONS = ['followed', 'replied', 'mentioned', 'assigned'] as const;
export type FollowReason = (typeof FOLLOW_REASONS)[number];

/** A team member following a conversation ("team participants"; not the Cc'd `participants` column). */
export interface ConversationParticipantsTable {
  conversationId: number;
  userId: number;
  /** The first reason they became one; later reasons keep it. */
  reason: FollowReason;
  createdAt: number;
}

/** A team member named in an internal note (migration 0019). */
export interface MentionsTable {
  id: Generated<number>;
  messageId: number;
  conversationId: number;
  userId: number;
  createdAt: number;
  readAt: number | null;
}

/** A saved view (migration 0018): the list's filter under a name; `teamId` null: its owner's alone. */
export interface SavedViewsTable {
  id: Generated<number>;
  name: string;
  /** JSON: the conversation list's query parameters, as the URL spells them. */
  filter: string;
  ownerId: number;
  teamId: number | null;
  createdAt: number;
  updatedAt: number;
}

/** How a rule hands out conversations (migration 0020). */
export const ASSIGNMENT_MODES = ['manual', 'round_robin', 'balanced'] as const;
export type AssignmentMode = (typeof ASSIGNMENT_MODES)[number];

/** A team's assignment rule; `teamId` 0 is the rule for conversations without a team. */
export interface AssignmentRulesTable {
  teamId: number;
  mode: AssignmentMode;
  /** Most open and pending conversations a member may hold for the rule to give them another; null: no limit. */
  capacity: number | null;
  /** Which arrivals the rule takes (0/1): new conversations, reopened ones, chats the bot hands over. */
  assignNew: number;
  assignReopened: number;
  assignHandover: number;
  /** Round robin's turn: the member given the last conversation. */
  cursorUserId: number | null;
  updatedAt: number;
}

export interface AssignmentCapacitiesTable {
  teamId: number;
  userId: number;
  capacity: number;
}

/** A conversation a rule could not place, waiting in its scope's queue. */
export interface AssignmentQueueTable {
  conversationId: number;
  teamId: number;
  queuedAt: number;
}

/** A channel whose new conversations go to a team. */
export interface TeamChannelsTable {
  channel: Channel;
  teamId: number;
}

/** A canned reply (migration 0021): `ownerId` set is personal; null is shared, with one team or (`teamId` null) the whole team. */
export interface CannedRepliesTable {
  id: Generated<number>;
  name: string;
  shortcut: string;
  body: string;
  ownerId: number | null;
  teamId: number | null;
  createdBy: number;
  createdAt: number;
  updatedAt: number;
}

/** A file sent with a canned reply (migration 0027): a stored blob, as a message attachment's. */
export interface CannedReplyFilesTable {
  id: Generated<number>;
  cannedReplyId: number;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: number;
}

/** A macro (migration 0022): its actions as JSON; `ownerId` set is personal, null is the whole team's. */
export interface MacrosTable {
  id: Generated<number>;
  name: string;
  actions: string;
  ownerId: number | null;
  createdBy: number;
  createdAt: number;
  updatedAt: number;
}

/** An in-app notification (migration 0028): one row per user, kind and conversation while unread. */
export interface NotificationsTable {
  id: Generated<number>;
  userId: number;
  kind: string;
  conversationId: number;
  messageId: number | null;
  actorId: number | null;
  actorName: string;
  /** `kind:conversationId`: the unread row a further event of the same kind folds into. */
  groupKey: string;
  count: number;
  firstAt: number;
  lastAt: number;
  readAt: number | null;
  createdAt: number;
  /** Kept out of the bell by the user's preference (migration 0029): mail and push still deliver from it. */
  silent: Generated<number>;
  /** When its mail timer is due, or null (migration 0032). */
  mailDueAt: Generated<number | null>;
}

/** A user's notification preferences (migration 0029): overrides of the team's defaults, as JSON. */
export interface NotificationPreferencesTable {
  userId: number;
  matrix: string;
  digest: string | null;
  mailDisabled: Generated<number>;
  updatedAt: number;
}

/** Team-wide notification settings by name (migration 0029): JSON values. */
export interface NotificationSettingsTable {
  name: string;
  value: string;
}

/** One delivery of a notification (migration 0029): mail, digest or push, and what became of it. */
export interface NotificationDeliveriesTable {
  id: Generated<number>;
  userId: number;
  notificationId: number | null;
  conversationId: number | null;
  channel: string;
  status: string;
  reason: string | null;
  error: string | null;
  target: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A browser's Web Push subscription (migration 0030): where and how to push to one team member. */
export interface PushSubscriptionsTable {
  id: Generated<number>;
  userId: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  userAgent: string | null;
  createdAt: number;
  lastSuccessAt: number | null;
  failures: Generated<number>;
}

/** The feed of live notification frames (migration 0031): created/updated rows and reads, tailed by the hubs. */
export interface NotificationChangesTable {
  id: Generated<number>;
  userId: number;
  notificationId: number | null;
  op: 'created' | 'updated' | 'read';
  scope: string | null;
  createdAt: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  account_tokens: AccountTokensTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  message_deliveries: MessageDeliveriesTable;
  conversation_events: ConversationEventsTable;
  conversation_tags: ConversationTagsTable;
  conversation_reads: ConversationReadsTable;
  inbox_counts: InboxCountsTable;
  sequences: SequencesTable;
  outbox: OutboxTable;
  timers: TimersTable;
  business_calendars: BusinessCalendarsTable;
  kb_categories: KbCategoriesTable;
  kb_articles: KbArticlesTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  saved_views: SavedViewsTable;
  conversation_participants: ConversationParticipantsTable;
  mentions: MentionsTable;
  assignment_rules: AssignmentRulesTable;
  assignment_capacities: AssignmentCapacitiesTable;
  assignment_queue: AssignmentQueueTable;
  team_channels: TeamChannelsTable;
  canned_replies: CannedRepliesTable;
  canned_reply_files: CannedReplyFilesTable;
  macros: MacrosTable;
  notifications: NotificationsTable;
  notification_preferences: NotificationPreferencesTable;
  notification_settings: NotificationSettingsTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_changes: NotificationChangesTable;
  push_subscriptions: PushSubscriptionsTable;
  report_cycles: ReportCyclesTable;
  report_facts: ReportFactsTable;
  report_rollups: ReportRollupsTable;
  csat_surveys: CsatSurveysTable;
  import_records: ImportRecordsTable;
}

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type AccountTokenRow = Selectable<AccountTokensTable>;
/** A conversation as the store reads it: with its team's name (store/conversations.ts), null without a team. */
export type ConversationRow = Selectable<ConversationsTable> & { teamName: string | null };
export type NewConversationRow = Insertable<ConversationsTable>;
export type ConversationPatch = Updateable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type NewMessageRow = Insertable<MessagesTable>;
export type AttachmentRow = Selectable<AttachmentsTable>;
export type DeliveryRow = Selectable<MessageDeliveriesTable>;
export type EventRow = Selectable<ConversationEventsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type TimerRow = Selectable<TimersTable>;
export type KbCategoryRow = Selectable<KbCategoriesTable>;
export type KbArticleRow = Selectable<KbArticlesTable>;
export type TeamRow = Selectable<TeamsTable>;
export type SavedViewRow = Selectable<SavedViewsTable>;
export type CannedReplyRow = Selectable<CannedRepliesTable>;
export type MacroRow = Selectable<MacrosTable>;
export type AssignmentRuleRow = Selectable<AssignmentRulesTable>;
