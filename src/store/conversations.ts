import { type SelectQueryBuilder, sql } from 'kysely';
import { runCompiled } from './compiled.js';
import type { Dialect } from './database.js';
import type { Channel, ConversationPatch, ConversationRow, ConversationType, Database, NewConversationRow, Priority, Status } from './schema.js';
import { STATUSES } from './schema.js';
import type { Tx } from './transaction.js';

// Named columns rather than `*`: PostgreSQL's search vector stays in the database.
const COLUMNS = [
  'id',
  'number',
  'channel',
  'type',
  'customerId',
  'customerName',
  'customerEmail',
  'openedBy',
  'subject',
  'status',
  'priority',
  'priorityRank',
  'assignedTo',
  'teamId',
  'tags',
  'labels',
  'participants',
  'messageCount',
  'lastMessagePreview',
  'firstMessageAt',
  'lastMessageAt',
  'lastCustomerMessageAt',
  'lastReplyAt',
  'resolvedAt',
  'closedAt',
  'createdAt',
  'updatedAt',
  'snoozedAt',
  'snoozedUntil',
  'snoozedBy',
  'shelf',
  'shelvedAt',
  'mergedInto',
  'legacyRef',
  'customFields',
] as const satisfies readonly (keyof ConversationRow)[];
const C_COLUMNS = COLUMNS.map((c) => `c.${c}` as const);

/**
 * The team's name beside a conversation read by id (a subquery both databases allow in
 * RETURNING too). Lists read their page first and the names of its few teams after
 * (withTeamNames): the page's statement stays the plain index walk.
 */
const TEAM_NAME = sql<string | null>`(select t.name from teams t where t.id = ${sql.ref('conversations.teamId')})`.as('teamName');
const WITH_TEAM = [...COLUMNS, TEAM_NAME] as const;

type PageRow = Omit<ConversationRow, 'teamName'>;

/** Adds each row's team name: one statement for the whole page. */
export async function withTeamNames(tx: Tx, rows: readonly PageRow[]): Promise<ConversationRow[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.teamId === null ? [] : [Number(r.teamId)])))];
  const names = new Map<number, string>();
  if (ids.length > 0) for (const t of await tx.selectFrom('teams').select(['id', 'name']).where('id', 'in', ids).execute()) names.set(Number(t.id), t.name);
  return rows.map((r) => ({ ...r, teamName: r.teamId === null ? null : (names.get(Number(r.teamId)) ?? null) }));
}

export async function insertConversation(tx: Tx, row: NewConversationRow): Promise<ConversationRow> {
  const [inserted] = await runCompiled(tx, 'insertConversation', [row], (rows) => tx.insertInto('conversations').values(rows).returning(WITH_TEAM));
  return inserted!;
}

/**
 * Reads a conversation; `lock` holds its row until commit so concurrent writers queue up
 * (PostgreSQL; SQLite's write lock already serialises). `skip-locked`: a row another
 * transaction holds reads as none, for a caller that must not wait (the assignment drain).
 */
export async function findConversation(
  tx: Tx,
  dialect: Dialect,
  by: { id: number } | { number: number },
  lock: boolean | 'skip-locked' = false,
): Promise<ConversationRow | undefined> {
  let query = tx.selectFrom('conversations').select(WITH_TEAM);
  query = 'id' in by ? query.where('id', '=', by.id) : query.where('number', '=', by.number);
  if (lock && dialect === 'postgres') query = lock === 'skip-locked' ? query.forUpdate().skipLocked() : query.forUpdate();
  return query.executeTakeFirst();
}

export async function updateConversationRow(tx: Tx, id: number, patch: ConversationPatch): Promise<ConversationRow> {
  return tx.updateTable('conversations').set(patch).where('id', '=', id).returning(WITH_TEAM).executeTakeFirstOrThrow();
}

/** Makes `conversation_tags` mirror the conversation's labels and tags and its sort keys. */
export async function syncConversationTags(
  tx: Tx,
  conversation: Pick<ConversationRow, 'id' | 'status' | 'lastMessageAt'>,
  names: readonly string[],
  previousNames: readonly string[],
): Promise<void> {
  const removed = previousNames.filter((n) => !names.includes(n));
  if (removed.length > 0) {
    await tx.deleteFrom('conversation_tags').where('conversationId', '=', conversation.id).where('name', 'in', removed).execute();
  }
  if (names.length === 0) return;
  await tx
    .insertInto('conversation_tags')
    .values(names.map((name) => ({ conversationId: conversation.id, name, status: conversation.status, lastMessageAt: conversation.lastMessageAt })))
    .onConflict((oc) =>
      oc.columns(['conversationId', 'name']).doUpdateSet({
        status: (eb) => eb.ref('excluded.status'),
        lastMessageAt: (eb) => eb.ref('excluded.lastMessageAt'),
      }),
    )
    .execute();
}

/** Removes a conversation with everything that hangs off it, children first. */
export async function deleteConversationRows(tx: Tx, id: number): Promise<void> {
  await tx.deleteFrom('attachments').where('conversationId', '=', id).execute();
  await tx.deleteFrom('messages').where('conversationId', '=', id).execute();
  await tx.deleteFrom('conversation_tags').where('conversationId', '=', id).execute();
  await tx.deleteFrom('conversation_reads').where('conversationId', '=', id).execute();
  await tx.deleteFrom('conversation_events').where('conversationId', '=', id).execute();
  await tx.deleteFrom('assignment_queue').where('conversationId', '=', id).execute();
  await tx.deleteFrom('conversations').where('id', '=', id).execute();
}

export type ConversationSort = 'lastMessageAt' | 'createdAt' | 'priority';

export type ConversationFilter = {
  statuses?: readonly Status[];
  channel?: Channel;
  /** A user id, or null for unassigned. */
  assignedTo?: number | null;
  /** A team id, or null for conversations without a team. */
  teamId?: number | null;
  priority?: Priority;
  type?: ConversationType;
  customerEmail?: string;
  customerId?: number;
  /** Only those opened by this signed-in user (an unverified customer's view). */
  openedBy?: number;
  /** A `conversation_tags` name: `label:urgent`, `tag:billing`. */
  tagNames?: readonly string[];
  /** Restrict to these ids (the matches of a text query). */
  ids?: readonly number[];
  /** Leave out the chats the bot still has (the `bot` tag): the team's own Pending view. */
  excludeBot?: boolean;
  /** Only snoozed conversations: the Snoozed view. */
  snoozed?: boolean;
  /** Only the spam, or (absent) only conversations on no shelf: a list never shows a merged tombstone. */
  shelf?: 'spam';
};

/**
 * A conversation without the `bot` tag (inbox/rules.ts BOT_TAG), read from the stored JSON
 * array of tags: an element is `"bot"` exactly when that text follows `[` or `,` (inside a
 * JSON string a quote is always escaped, so `,"bot"` can be nothing else, and `"bots"` does
 * not match). Literal text, not parameters, and word for word the predicate of the partial
 * index of migration 0012: both planners pick it by matching that, which is how Pending
 * walks only the team's pending rows however many chats the bot keeps.
 */
const WITHOUT_BOT = sql<boolean>`${sql.ref('c.tags')} not like '["bot"%' and ${sql.ref('c.tags')} not like '%,"bot"%'`;

// The predicates of migration 0023's partial indexes, word for word (see WITHOUT_BOT).
const SNOOZED = sql<boolean>`${sql.ref('c.snoozedAt')} is not null`;
const IN_SPAM = sql<boolean>`${sql.ref('c.shelf')} = 'spam'`;
const ON_NO_SHELF = sql<boolean>`${sql.ref('c.shelf')} is null`;

export type SortKey = number[];

type ConversationQuery = SelectQueryBuilder<Database & { c: Database['conversations'] }, 'c', object>;

/** The keyset columns for each sort, newest first; the last is always the id. */
export const SORT_COLUMNS = {
  lastMessageAt: ['lastMessageAt', 'id'],
  createdAt: ['createdAt', 'id'],
  priority: ['priorityRank', 'lastMessageAt', 'id'],
} as const satisfies Record<ConversationSort, readonly (keyof ConversationRow)[]>;

export function sortKeyOf(row: ConversationRow, sort: ConversationSort): SortKey {
  return SORT_COLUMNS[sort].map((column) => row[column]);
}

/**
 * One page of conversations in keyset order. Every view walks one index per status
 * (all four when no status is asked for) and a UNION ALL merges the walks: neither
 * database can merge an IN list in index order by itself, and sorting every open and
 * pending row would scan the table. Each walk stops after `limit` rows.
 */
export async function listConversationPage(
  tx: Tx,
  filter: ConversationFilter,
  sort: ConversationSort,
  after: SortKey | null,
  limit: number,
): Promise<ConversationRow[]> {
  const statuses = filter.statuses?.length ? filter.statuses : STATUSES;
  const [firstTag, ...otherTags] = filter.tagNames ?? [];
  // Walking a label's own index only serves the default sort.
  const viaTags = firstTag !== undefined && sort === 'lastMessageAt';

  const page = (status: Status) => {
    let query: ConversationQuery = viaTags
      ? (tx
          .selectFrom('conversation_tags as t')
          .innerJoin('conversations as c', 'c.id', 't.conversationId')
          .where('t.name', '=', firstTag)
          .select(C_COLUMNS) as unknown as ConversationQuery)
      : (tx.selectFrom('conversations as c').select(C_COLUMNS) as unknown as ConversationQuery);
    query = applyFilter(query, filter, viaTags ? otherTags : (filter.tagNames ?? []));
    query = viaTags ? query.where(sql.ref('t.status'), '=', status) : query.where('c.status', '=', status);
    const keys: string[] = viaTags ? ['t.lastMessageAt', 't.conversationId'] : SORT_COLUMNS[sort].map((c) => `c.${c}`);
    if (after) query = query.where(keysetBefore(keys, after));
    for (const key of keys) query = query.orderBy(sql.ref(key), 'desc');
    return query.limit(limit);
  };

  if (statuses.length === 1) return withTeamNames(tx, (await page(statuses[0]!).execute()) as PageRow[]);

  const [first, ...rest] = statuses.map((status) => tx.selectFrom(page(status).as('p')).selectAll());
  let union = first!;
  for (const part of rest) union = union.unionAll(part);
  let merged = tx.selectFrom(union.as('u')).selectAll();
  for (const column of SORT_COLUMNS[sort]) merged = merged.orderBy(sql.ref(`u.${column}`), 'desc');
  return withTeamNames(tx, (await merged.limit(limit).execute()) as PageRow[]);
}

/** Counts matching rows per status, stopping at `cap`: the price of a filter no counter covers. */
export async function countConversationsCapped(tx: Tx, filter: ConversationFilter, status: Status, cap: number): Promise<number> {
  let inner = tx.selectFrom('conversations as c').select(sql.lit(1).as('one')) as unknown as ConversationQuery;
  inner = applyFilter(inner, filter, filter.tagNames ?? [])
    .where('c.status', '=', status)
    .limit(cap);
  const row = await tx
    .selectFrom(inner.as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function applyFilter(query: ConversationQuery, filter: ConversationFilter, tagNames: readonly string[]): ConversationQuery {
  if (filter.channel) query = query.where('c.channel', '=', filter.channel);
  if (filter.assignedTo === null) query = query.where('c.assignedTo', 'is', null);
  else if (filter.assignedTo !== undefined) query = query.where('c.assignedTo', '=', filter.assignedTo);
  if (filter.teamId === null) query = query.where('c.teamId', 'is', null);
  else if (filter.teamId !== undefined) query = query.where('c.teamId', '=', filter.teamId);
  if (filter.priority) query = query.where('c.priority', '=', filter.priority);
  if (filter.type) query = query.where('c.type', '=', filter.type);
  if (filter.customerEmail) query = query.where('c.customerEmail', '=', filter.customerEmail.toLowerCase());
  if (filter.customerId !== undefined) query = query.where('c.customerId', '=', filter.customerId);
  if (filter.openedBy !== undefined) query = query.where('c.openedBy', '=', filter.openedBy);
  if (filter.ids) query = query.where('c.id', 'in', filter.ids.length > 0 ? [...filter.ids] : [-1]);
  if (filter.excludeBot) query = query.where(WITHOUT_BOT);
  if (filter.snoozed) query = query.where(SNOOZED);
  query = query.where(filter.shelf === 'spam' ? IN_SPAM : ON_NO_SHELF);
  for (const name of tagNames) {
    query = query.where(({ exists, selectFrom }) =>
      exists(selectFrom('conversation_tags as ft').select('ft.conversationId').whereRef('ft.conversationId', '=', 'c.id').where('ft.name', '=', name)),
    );
  }
  return query;
}

// Row-value comparison, (a, b) < (x, y), is what both planners turn into an index range.
function keysetBefore(keys: readonly string[], after: SortKey) {
  const refs = sql.join(keys.map((k) => sql.ref(k)));
  const values = sql.join(after.map((v) => sql.val(v)));
  return sql<boolean>`(${refs}) < (${values})`;
}

export async function findConversationsByIds(
  tx: Tx,
  ids: readonly number[],
  scope: { customerId?: number; openedBy?: number } = {},
): Promise<ConversationRow[]> {
  if (ids.length === 0) return [];
  let query = tx
    .selectFrom('conversations')
    .select(COLUMNS)
    .where('id', 'in', [...ids]);
  if (scope.customerId !== undefined) query = query.where('customerId', '=', scope.customerId);
  if (scope.openedBy !== undefined) query = query.where('openedBy', '=', scope.openedBy);
  return withTeamNames(tx, await query.execute());
}

/** Which of these addresses a team member signs in with (any role but customer): never a conversation's participant. */
export async function findTeamAddresses(tx: Tx, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await tx
    .selectFrom('users')
    .select('email')
    .where('email', 'in', [...emails])
    .where('role', '!=', 'customer')
    .execute();
  return new Set(rows.map((r) => r.email));
}

/**
 * When this user last read each of these conversations (absent: never), and when they
 * joined, which a conversation they never read counts as read up to: one statement, so the
 * list's "New reply" marks cost no extra round trip.
 */
export async function findViewerReads(tx: Tx, userId: number, conversationIds: readonly number[]): Promise<{ joinedAt: number; readAt: Map<number, number> }> {
  const ids = conversationIds.length > 0 ? [...conversationIds] : [-1];
  const rows = await tx
    .selectFrom('users as u')
    .leftJoin('conversation_reads as r', (join) => join.onRef('r.userId', '=', 'u.id').on('r.conversationId', 'in', ids))
    .select(['u.createdAt', 'r.conversationId', 'r.lastReadAt'])
    .where('u.id', '=', userId)
    .execute();
  const readAt = new Map<number, number>();
  for (const row of rows) if (row.conversationId !== null && row.lastReadAt !== null) readAt.set(Number(row.conversationId), Number(row.lastReadAt));
  return { joinedAt: rows[0] ? Number(rows[0].createdAt) : 0, readAt };
}
