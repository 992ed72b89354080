import { invalid, notFound } from '../errors.js';
import { MAX_PAGE } from '../limits.js';
import {
  type ConversationFilter,
  type ConversationSort,
  countConversationsCapped,
  findConversation,
  findConversationsByIds,
  findViewerReads,
  listConversationPage,
  SORT_COLUMNS,
  type SortKey,
  sortKeyOf,
} from '../store/conversations.js';
import { readCounters } from '../store/counters.js';
import { findDeliveries } from '../store/deliveries.js';
import { listEventPage } from '../store/events.js';
import { findConversationIdsByLegacyRef } from '../store/imports.js';
import { findMessagesByIds, listAttachments, listMessagePage } from '../store/messages.js';
import { notificationCounterKey } from '../store/notifications.js';
import { CHANNELS, type Channel, type ConversationType, LABELS, type Label, type Priority, STATUSES, type Status } from '../store/schema.js';
import { searchIndex } from '../store/search.js';
import { listTeams, listUserTeams, type TeamWithMembers } from '../store/teams.js';
import { listVisibleViews, type SavedView } from '../store/views.js';
import { highlightExcerpt, parseSearchQuery } from '../text/search-text.js';
import type { InboxContext } from './context.js';
import { type Conversation, type InboxEvent, type Message, toConversation, toInboxEvent, toMessage } from './records.js';
import { type ConversationRef, resolveConversationRef } from './refs.js';
import { BOT_TAG, normalizeTag } from './rules.js';

// The API's page size lives with every other limit (limits.ts); callers read it here too.
export { MAX_PAGE };

/** Above this many matches a count reads "1,000+": counting exactly would scan. */
export const COUNT_CAP = 1000;
/** How many of the newest matching messages a text query ranks. */
const SEARCH_CANDIDATES = 1000;

export type ConversationQuery = {
  statuses?: Status[];
  channel?: Channel;
  /** `me` needs `viewerId`; `unassigned`; or a user id. */
  assignee?: 'me' | 'unassigned' | number;
  /** A team's id, or `none`: conversations without a team. */
  team?: number | 'none';
  priority?: Priority;
  label?: Label;
  tag?: string;
  /**
   * Who has the conversation: `bot`, a chat the bot is still answering (the `bot` tag);
   * `team`, every other one (the Pending view leaves the bot's chats to the Bot view).
   */
  handler?: Handler;
  /** `snoozed`: the Snoozed view; `spam`: the Spam view (nothing else shows spam). */
  state?: ConversationState;
  type?: ConversationType;
  customerEmail?: string;
  customerId?: number;
  /** Only conversations this signed-in user opened (policies.conversationScope). */
  openedBy?: number;
  q?: string;
  sort?: ConversationSort;
  cursor?: string;
  limit?: number;
  /** Who is looking: resolves `me` and marks conversations with unread customer messages. */
  viewerId?: number;
  /** Whether a text query may match internal notes (never for customers). */
  includeInternal?: boolean;
};

export type StatusCounts = Record<Status, number>;
export const CONVERSATION_STATES = ['snoozed', 'spam'] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];
export const HANDLERS = ['team', 'bot'] as const;
export type Handler = (typeof HANDLERS)[number];

export type ConversationPage = {
  items: (Conversation & { unread: boolean })[];
  nextCursor: string | null;
  counts: StatusCounts;
  /** True when a count stopped at COUNT_CAP and means "COUNT_CAP or more". */
  countsCapped: boolean;
};

function encodeCursor(sort: ConversationSort, key: SortKey): string {
  return Buffer.from(JSON.stringify([sort, ...key])).toString('base64url');
}

function decodeCursor(cursor: string, sort: ConversationSort): SortKey {
  try {
    const [cursorSort, ...key] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (cursorSort === sort && key.length === SORT_COLUMNS[sort].length && key.every((v) => Number.isSafeInteger(v))) return key as number[];
  } catch {
    // fall through: a cursor we did not make
  }
  throw invalid('cursor', 'cursor is not valid for this list; start again without it');
}

function pageLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalid('limit', `limit must be between 1 and ${MAX_PAGE}`);
  return limit;
}

function toFilter(query: ConversationQuery, ids: number[] | undefined): ConversationFilter {
  let assignedTo: number | null | undefined;
  if (query.assignee === 'me') {
    if (query.viewerId === undefined) throw invalid('assignee', '"me" needs a signed-in user');
    assignedTo = query.viewerId;
  } else if (query.assignee === 'unassigned') assignedTo = null;
  else assignedTo = query.assignee;
  if (query.state !== undefined && !CONVERSATION_STATES.includes(query.state)) throw invalid('state', `state must be one of ${CONVERSATION_STATES.join(', ')}`);
  if (query.handler !== undefined && !HANDLERS.includes(query.handler)) throw invalid('handler', `handler must be one of ${HANDLERS.join(', ')}`);
  const tagNames = [
    ...new Set([
      ...(query.label ? [`label:${query.label}`] : []),
      ...(query.tag ? [`tag:${normalizeTag(query.tag)}`] : []),
      // The bot's chats are a tag's rows: that view walks the tag's own index.
      ...(query.handler === 'bot' ? [`tag:${BOT_TAG}`] : []),
    ]),
  ];
  return {
    statuses: query.statuses?.length ? [...new Set(query.statuses)] : undefined,
    channel: query.channel,
    assignedTo,
    teamId: query.team === 'none' ? null : query.team,
    priority: query.priority,
    type: query.type,
    customerEmail: query.customerEmail,
    customerId: query.customerId,
    openedBy: query.openedBy,
    tagNames,
    ids,
    excludeBot: query.handler === 'team',
    snoozed: query.state === 'snoozed',
    shelf: query.state === 'spam' ? 'spam' : undefined,
  };
}

/** The counter-row dimension that answers a filter exactly, if exactly one (or none) is set. */
function counterDimension(filter: ConversationFilter): string | null | undefined {
  if (filter.ids || filter.customerEmail || filter.customerId !== undefined || filter.openedBy !== undefined) return undefined;
  const dimensions = [
    filter.channel !== undefined ? `channel:${filter.channel}` : null,
    filter.assignedTo !== undefined ? `assignee:${filter.assignedTo ?? 'none'}` : null,
    filter.teamId !== undefined ? `team:${filter.teamId ?? 'none'}` : null,
    filter.priority !== undefined ? `priority:${filter.priority}` : null,
    filter.type !== undefined ? `type:${filter.type}` : null,
    ...(filter.tagNames ?? []),
    filter.snoozed ? 'state:snoozed' : null,
    filter.shelf ? `state:${filter.shelf}` : null,
  ].filter((d): d is string => d !== null);
  if (dimensions.length > 1) return undefined;
  // The team's share of a status is the status's counter less the bot's (below); of a narrower view, no counter says.
  if (filter.excludeBot && dimensions.length > 0) return undefined;
  return dimensions[0] ?? null;
}

async function viewCounts(ctx: InboxContext, filter: ConversationFilter): Promise<{ counts: StatusCounts; capped: boolean }> {
  const dimension = counterDimension(filter);
  const counts = { open: 0, pending: 0, resolved: 0, closed: 0 } satisfies StatusCounts;
  if (dimension !== undefined) {
    const keyFor = (s: Status) => (dimension === null ? `status:${s}` : `${dimension}:${s}`);
    const botKey = (s: Status) => `tag:${BOT_TAG}:${s}`;
    const rows = await readCounters(ctx.store.db, [...STATUSES.map(keyFor), ...(filter.excludeBot ? STATUSES.map(botKey) : [])]);
    for (const s of STATUSES) counts[s] = (rows.get(keyFor(s)) ?? 0) - (filter.excludeBot ? (rows.get(botKey(s)) ?? 0) : 0);
    return { counts, capped: false };
  }
  let capped = false;
  for (const s of STATUSES) {
    counts[s] = await countConversationsCapped(ctx.store.db, filter, s, COUNT_CAP);
    capped ||= counts[s] >= COUNT_CAP;
  }
  return { counts, capped };
}

export async function getConversations(ctx: InboxContext, query: ConversationQuery = {}): Promise<ConversationPage> {
  const sort = query.sort ?? 'lastMessageAt';
  if (!Object.hasOwn(SORT_COLUMNS, sort)) throw invalid('sort', `sort must be one of ${Object.keys(SORT_COLUMNS).join(', ')}`);
  const limit = pageLimit(query.limit, 50);
  const after = query.cursor ? decodeCursor(query.cursor, sort) : null;
  const ids = query.q
    ? (await searchIndex(ctx.store, query.q, { includeInternal: query.includeInternal ?? true, candidates: SEARCH_CANDIDATES })).map((h) => h.conversationId)
    : undefined;
  const filter = toFilter(query, ids);

  // One row more than asked tells whether there is a next page without a count.
  const rows = await listConversationPage(ctx.store.db, filter, sort, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(sort, sortKeyOf(last, sort)) : null;
  const { counts, capped } = await viewCounts(ctx, filter);
  const reads =
    query.viewerId === undefined
      ? null
      : await findViewerReads(
          ctx.store.db,
          query.viewerId,
          page.map((r) => Number(r.id)),
        );
  const items = page.map((row) => {
    const conversation = toConversation(row);
    return { ...conversation, unread: reads !== null && isUnread(conversation.lastCustomerMessageAt, reads.readAt.get(conversation.id), reads.joinedAt) };
  });
  return { items, nextCursor, counts, countsCapped: capped };
}

/** A list's counts by status without its page: capped, as the list's are (a saved view's in the sidebar). */
export async function getConversationCounts(ctx: InboxContext, query: ConversationQuery): Promise<{ counts: StatusCounts; countsCapped: boolean }> {
  const ids = query.q
    ? (await searchIndex(ctx.store, query.q, { includeInternal: query.includeInternal ?? true, candidates: SEARCH_CANDIDATES })).map((h) => h.conversationId)
    : undefined;
  const { counts, capped } = await viewCounts(ctx, toFilter(query, ids));
  return { counts, countsCapped: capped };
}

/**
 * "New reply": the customer wrote since the viewer last read the conversation. One the
 * viewer never opened counts as read up to when they joined, so a new agent is not handed
 * the whole history as new; a customer message from that moment on is.
 */
export function isUnread(lastCustomerMessageAt: number | null, readAt: number | undefined, joinedAt: number): boolean {
  if (lastCustomerMessageAt === null) return false;
  return readAt === undefined ? lastCustomerMessageAt >= joinedAt : lastCustomerMessageAt > readAt;
}

export type InboxCounts = {
  statuses: StatusCounts;
  /** Open conversations assigned to the viewer. */
  mine: number;
  /** Open conversations nobody has. */
  unassigned: number;
  /** Open conversations per channel and per label. */
  channels: Record<Channel, number>;
  labels: Record<Label, number>;
  /** Chats the bot is still answering (the `bot` tag, pending). */
  bot: number;
  /** Snoozed conversations, and the Spam view's. */
  snoozed: number;
  spam: number;
  /** The viewer's unread notifications (the bell). */
  notifications: number;
  /** The viewer's teams, each with its open conversations. */
  teams: { id: number; name: string; open: number }[];
};

/** The sidebar's numbers: a handful of counter rows, whatever the size of the inbox. */
export async function getInboxCounts(ctx: InboxContext, viewerId: number): Promise<InboxCounts> {
  const teams = await listUserTeams(ctx.store.db, viewerId);
  const keys = [
    ...teams.map((t) => `team:${t.id}:open`),
    ...STATUSES.map((s) => `status:${s}`),
    `assignee:${viewerId}:open`,
    'assignee:none:open',
    ...CHANNELS.map((c) => `channel:${c}:open`),
    ...LABELS.map((l) => `label:${l}:open`),
    `tag:${BOT_TAG}:pending`,
    'state:snoozed:pending',
    'state:spam:closed',
    notificationCounterKey(viewerId),
  ];
  const n = await readCounters(ctx.store.db, keys);
  const get = (key: string) => n.get(key) ?? 0;
  return {
    statuses: Object.fromEntries(STATUSES.map((s) => [s, get(`status:${s}`)])) as StatusCounts,
    mine: get(`assignee:${viewerId}:open`),
    unassigned: get('assignee:none:open'),
    channels: Object.fromEntries(CHANNELS.map((c) => [c, get(`channel:${c}:open`)])) as Record<Channel, number>,
    labels: Object.fromEntries(LABELS.map((l) => [l, get(`label:${l}:open`)])) as Record<Label, number>,
    bot: get(`tag:${BOT_TAG}:pending`),
    snoozed: get('state:snoozed:pending'),
    spam: get('state:spam:closed'),
    notifications: get(notificationCounterKey(viewerId)),
    teams: teams.map((t) => ({ ...t, open: get(`team:${t.id}:open`) })),
  };
}

/** Every team with its members and open conversations (counter rows). */
export async function getTeams(ctx: InboxContext): Promise<(TeamWithMembers & { open: number })[]> {
  const teams = await listTeams(ctx.store.db);
  const open = await readCounters(
    ctx.store.db,
    teams.map((t) => `team:${t.id}:open`),
  );
  return teams.map((t) => ({ ...t, open: open.get(`team:${t.id}:open`) ?? 0 }));
}

/** The saved views a user sees: their own, and those shared with their teams (policies.canSeeView). */
export async function getSavedViews(ctx: InboxContext, userId: number): Promise<{ views: SavedView[]; teamIds: number[] }> {
  const teamIds = (await listUserTeams(ctx.store.db, userId)).map((t) => t.id);
  return { views: await listVisibleViews(ctx.store.db, userId, teamIds), teamIds };
}

export async function getConversation(ctx: InboxContext, ref: ConversationRef): Promise<Conversation> {
  const row = await findConversation(ctx.store.db, ctx.store.dialect, resolveConversationRef(ref));
  if (!row) throw notFound('conversation');
  return toConversation(row);
}

export async function getConversationMessages(
  ctx: InboxContext,
  ref: ConversationRef,
  options: { cursor?: string; limit?: number; includeInternal?: boolean; newestFirst?: boolean } = {},
): Promise<{ items: Message[]; nextCursor: string | null }> {
  const conversation = await getConversation(ctx, ref);
  const limit = pageLimit(options.limit, 50);
  const after = options.cursor ? decodeMessageCursor(options.cursor) : null;
  const newestFirst = options.newestFirst ?? false;
  const rows = await listMessagePage(ctx.store.db, conversation.id, { after, limit: limit + 1, includeInternal: options.includeInternal ?? true, newestFirst });
  const page = rows.slice(0, limit);
  const attachments = await listAttachments(
    ctx.store.db,
    page.map((m) => Number(m.id)),
  );
  const deliveries = await findDeliveries(
    ctx.store.db,
    page.map((m) => Number(m.id)),
  );
  const items = page.map((row) =>
    toMessage(
      row,
      attachments.filter((a) => a.messageId === row.id),
      deliveries.get(Number(row.id)),
    ),
  );
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify([last.sentAt, Number(last.id)])).toString('base64url') : null;
  // A thread reads oldest first: walking back from the newest, each page is still in reading order.
  return { items: newestFirst ? items.reverse() : items, nextCursor };
}

/** The conversation a message is in; null when there is no such message. */
export async function getMessageConversationId(ctx: InboxContext, messageId: number): Promise<number | null> {
  const [row] = await findMessagesByIds(ctx.store.db, [messageId]);
  return row ? Number(row.conversationId) : null;
}

function decodeMessageCursor(cursor: string): [number, number] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(key) && key.length === 2 && key.every((v) => Number.isSafeInteger(v))) return key as [number, number];
  } catch {
    // fall through
  }
  throw invalid('cursor', 'cursor is not valid for this list; start again without it');
}

export async function getConversationEvents(ctx: InboxContext, ref: ConversationRef, options: { after?: number; limit?: number } = {}): Promise<InboxEvent[]> {
  const conversation = await getConversation(ctx, ref);
  const rows = await listEventPage(ctx.store.db, conversation.id, options.after ?? null, pageLimit(options.limit, MAX_PAGE));
  return rows.map(toInboxEvent);
}

export type SearchResult = { conversation: Conversation; messageId: number | null; snippet: string; score: number };

/** Conversations best matching `q`, each with an HTML snippet of its best match, matches in <mark>. */
export async function searchConversations(
  ctx: InboxContext,
  q: string,
  options: { limit?: number; includeInternal?: boolean; customerId?: number; openedBy?: number } = {},
): Promise<SearchResult[]> {
  const limit = pageLimit(options.limit, 20);
  let hits = await searchIndex(ctx.store, q, { includeInternal: options.includeInternal ?? true, candidates: SEARCH_CANDIDATES });
  // An imported conversation's old reference (a ticket number there) finds it first, exactly.
  // (Never with NUL: PostgreSQL refuses it in text, and no reference holds one.)
  const ref = q.trim();
  const legacy = ref && !ref.includes('\u0000') ? await findConversationIdsByLegacyRef(ctx.store.db, ref, limit) : [];
  if (legacy.length > 0) {
    const exact = legacy.map((conversationId) => ({ conversationId, messageId: null, text: ref, score: Number.MAX_VALUE }));
    hits = [...exact, ...hits.filter((h) => !legacy.includes(h.conversationId))];
  }
  const rows = new Map<number, Conversation>();
  // Read conversations in ranked order until the page is full: a customer's filter can drop many.
  for (let i = 0; i < hits.length && rows.size < limit; i += limit * 2) {
    const chunk = hits.slice(i, i + limit * 2).map((h) => h.conversationId);
    // As every list: spam and merged tombstones are in none (a tombstone's messages are found in the conversation they moved to).
    for (const row of await findConversationsByIds(ctx.store.db, chunk, { customerId: options.customerId, openedBy: options.openedBy }))
      if (row.shelf === null) rows.set(Number(row.id), toConversation(row));
  }
  hits = hits.filter((h) => rows.has(h.conversationId)).slice(0, limit);
  const terms = parseSearchQuery(q);
  return hits.map((hit) => ({
    conversation: rows.get(hit.conversationId)!,
    messageId: hit.messageId,
    snippet: highlightExcerpt(hit.text, terms),
    score: hit.score,
  }));
}
