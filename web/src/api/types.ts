// The API's resources, inferred from the server's zod schemas: a change there breaks the
// web type-check here. Type-only imports, erased from the bundle.
import type {
  ConversationJson,
  CustomerConversationJson,
  CustomerJson,
  EventJson,
  InboxCountsJson,
  MessageJson,
  TeamJson,
  UserJson,
} from '../../../src/present/schemas.js';
import type { Channel, Label, Priority, Role, Status } from '../../../src/store/schema.js';

export type { Channel, Label, Priority, Role, Status };
export type Conversation = ConversationJson;
export type Message = MessageJson;
/** How an agent's reply on an email conversation is being mailed (team viewers only). */
export type Delivery = NonNullable<Message['delivery']>;
export type ConversationEvent = EventJson;
/** `active` arrives with the team API (POST/PATCH /api/users); absent means active. */
export type User = UserJson & { active?: boolean };
export type Attachment = Message['attachments'][number];
/** The team's view of a customer (GET /api/customers/:id) and their conversations. */
export type Customer = CustomerJson;
export type CustomerConversation = CustomerConversationJson;
/** A team (GET /api/teams), with its members' ids and open conversations. */
export type Team = TeamJson;

export type StatusCounts = Record<Status, number>;

/** GET /api/inbox/counts: the sidebar's numbers. */
export type InboxCounts = InboxCountsJson;

/** The list orders GET /api/conversations offers; the first is its default. */
export const SORTS = ['lastMessageAt', 'createdAt', 'priority'] as const;
export type Sort = (typeof SORTS)[number];
export const SORT_NAMES: Record<Sort, string> = { lastMessageAt: 'Last activity', createdAt: 'Newest created', priority: 'Priority' };

export type ConversationPage = {
  items: Conversation[];
  nextCursor: string | null;
  counts: StatusCounts;
  countsCapped: boolean;
};

export type SearchHit = { conversation: Conversation; messageId: number | null; snippet: string };

export type SignedIn = { user: User; csrfToken: string };
export type Me = { user: User; csrfToken: string | null };

// Runtime lists of the enums: `satisfies` keeps them to the server's values, and the
// exhaustive records below fail to compile when the server adds one.
export const STATUSES = ['open', 'pending', 'resolved', 'closed'] as const satisfies readonly Status[];
export const CHANNELS = ['ticket', 'chatbot', 'email'] as const satisfies readonly Channel[];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly Priority[];
export const LABELS = ['urgent', 'follow-up', 'resolved'] as const satisfies readonly Label[];

export const STATUS_NAMES: Record<Status, string> = { open: 'Open', pending: 'Pending', resolved: 'Resolved', closed: 'Closed' };
export const CHANNEL_NAMES: Record<Channel, string> = { ticket: 'Ticket', chatbot: 'Chat', email: 'Email' };
export const PRIORITY_NAMES: Record<Priority, string> = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' };
export const LABEL_NAMES: Record<Label, string> = { urgent: 'Urgent', 'follow-up': 'Follow-up', resolved: 'Resolved' };

// Saved views, mentions and participants (issue 16).
import type { SavedViewJson } from '../../../src/present/schemas.js';
import type { ConversationType, FollowReason } from '../../../src/store/schema.js';

export type { ConversationType, FollowReason };
export const CONVERSATION_TYPES = ['support', 'sales', 'general'] as const satisfies readonly ConversationType[];
/** A saved view (GET /api/views): the list's query under a name, with its counts by status. */
export type SavedView = SavedViewJson;
/** A team member following a conversation (GET /api/conversations/:id/participants). */
export type Participant = { userId: number; name: string; reason: FollowReason; since: number };

// Assignment rules (issue 16); the modes come from the store's enum and fail to compile if it changes.
import type { AssignmentRuleJson } from '../../../src/present/schemas.js';
import type { AssignmentMode } from '../../../src/store/schema.js';

export type { AssignmentMode };
export const ASSIGNMENT_MODES = ['manual', 'round_robin', 'balanced'] as const satisfies readonly AssignmentMode[];
/** GET /api/assignment-rules: `team` null is the rule for conversations without a team; `capacity` null is no limit. */
export type AssignmentRule = AssignmentRuleJson;
/** Which arrivals a rule hands out: new conversations, reopened ones whose assignee is away, chats the bot hands over. */
export type AssignmentArrivals = AssignmentRule['arrivals'];
/** PUT /api/assignment-rules/:team */
export type AssignmentRuleInput = Omit<AssignmentRule, 'team'>;

// Canned replies (issue 17).
import type { CannedReplyJson } from '../../../src/present/schemas.js';

/** A canned reply (GET /api/canned-replies): `ownerId` null is shared, with `teamId`'s team or (null) the whole team. */
export type CannedReply = CannedReplyJson;

// Macros (issue 17).
import type { MacroActionJson, MacroJson } from '../../../src/present/schemas.js';

/** A macro (GET /api/macros): `ownerId` null is shared with the whole team. */
export type Macro = MacroJson;
/** One of a macro's actions, run in order in one transaction. */
export type MacroAction = MacroActionJson;

// Notifications (issue 18).
import type { NotificationJson } from '../../../src/present/schemas.js';

/** One line of the bell's list (GET /api/notifications): one per conversation and kind, `count` the events it folds. */
export type Notification = NotificationJson;
export type NotificationKind = Notification['kind'];
