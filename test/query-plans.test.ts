import { type CompiledQuery, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InboxContext } from '../src/inbox/context.js';
import { listNotifications } from '../src/inbox/notifications/queries.js';
import { type ConversationQuery, getConversationMessages, getConversations } from '../src/inbox/queries.js';
import { makeAgent, useTestInbox } from './support/inbox.js';
import { explainOf, numbersTable, recordingStore } from './support/query-capture.js';

// The inbox list queries must walk an index in the order they return rows, so a page
// costs the same on ten rows or ten million: no full scan of a table, no sort of a table's
// rows (a sort of the few rows a UNION of LIMITed index walks returns is fine).
//
// The SQL checked is the SQL the real query functions send: they run against a Kysely
// instance that compiles exactly as the store's does and records each statement, and
// each recorded statement is then EXPLAINed with its own parameters.
//
// Planners choose by table size, and on a handful of rows a sequential scan and a sort are
// honestly the cheapest plan (PostgreSQL picks them). So before explaining, the file loads
// a realistically shaped inbox straight through SQL (20,000 conversations, 60,000 messages
// and one 400-message thread; going through the commands would take minutes) and runs
// ANALYZE, as autovacuum would on a live PostgreSQL. Nothing is switched off in the
// planner (no enable_seqscan = off): the plans asserted are the ones it picks by itself.
// On SQLite the same plans are checked twice: first as a deployed database runs them (the
// application never runs ANALYZE, so there are no statistics), then after ANALYZE.

const inbox = useTestInbox();

const CONVERSATIONS = 20_000;
const CUSTOMERS = 500;
const LONG_THREAD = 400;
const NOTIFICATIONS = 60_000;
const T0 = Date.UTC(2025, 0, 1);

let agentIds: number[] = [];
let teamIds: number[] = [];
let longThreadId = 0;

const numbers = (count: number) => numbersTable(inbox.store.dialect, count);

async function loadInbox(): Promise<void> {
  const db = inbox.store.db;
  // Constants are inlined (sql.lit): better-sqlite3 binds every JS number as a REAL, and
  // `n % 500.0` would make 'bulk-7.0@…' of an address.
  agentIds = [];
  for (let i = 0; i < 9; i++) agentIds.push((await makeAgent(inbox)).id);
  // A third of the conversations unassigned, the rest spread over nine agents.
  const assignee = sql.raw(`case n % 13 ${agentIds.map((id, i) => `when ${i + 4} then ${id}`).join(' ')} else null end`);

  await sql`
    insert into users (name, email, role, "createdAt", "updatedAt")
    select 'Bulk customer ' || n, 'bulk-' || n || '@example.test', 'customer', ${sql.lit(T0)}, ${sql.lit(T0)}
    from ${numbers(CUSTOMERS)}`.execute(db);

  // Statuses 15% open, 10% pending, 25% resolved, 50% closed; 1 in 17 labelled urgent;
  // lastMessageAt a permutation of the creation order, so the two sorts differ. Customers
  // have about 36 conversations each, except bulk-0 (an address that writes in all the
  // time: a monitoring system, a reseller) with over 2,000.
  await sql`
    insert into conversations (number, channel, type, "customerId", "customerName", "customerEmail", subject,
      status, priority, "assignedTo", tags, labels, "messageCount", "lastMessagePreview",
      "firstMessageAt", "lastMessageAt", "lastCustomerMessageAt", "createdAt", "updatedAt")
    select 1000000 + n,
      case n % 3 when 0 then 'ticket' when 1 then 'chatbot' else 'email' end,
      case n % 5 when 0 then 'sales' else 'support' end,
      u.id, u.name, u.email, 'Bulk subject ' || n,
      case when n % 20 < 3 then 'open' when n % 20 < 5 then 'pending' when n % 20 < 10 then 'resolved' else 'closed' end,
      case n % 7 when 0 then 'urgent' when 1 then 'high' when 2 then 'low' else 'normal' end,
      ${assignee},
      '[]', case when n % 17 = 0 then '["urgent"]' else '[]' end, 3, 'Bulk preview',
      ${sql.lit(T0)} + n * 60000, ${sql.lit(T0)} + ((n * 7919) % ${sql.lit(CONVERSATIONS)}) * 60000 + 30000, ${sql.lit(T0)} + ((n * 7919) % ${sql.lit(CONVERSATIONS)}) * 60000 + 30000,
      ${sql.lit(T0)} + n * 60000, ${sql.lit(T0)} + n * 60000
    from ${numbers(CONVERSATIONS)}
    join users u on u.email = 'bulk-' || (case when n % 10 = 0 then 0 else n % ${sql.lit(CUSTOMERS)} end) || '@example.test'`.execute(db);

  await sql`
    insert into conversation_tags ("conversationId", name, status, "lastMessageAt")
    select id, 'label:urgent', status, "lastMessageAt" from conversations where labels = '["urgent"]'`.execute(db);

  // Six teams share three quarters of the conversations; the rest have none.
  teamIds = [];
  for (let i = 0; i < 6; i++) {
    const team = await db
      .insertInto('teams')
      .values({ name: `Bulk team ${i}`, description: '', createdAt: T0, updatedAt: T0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    teamIds.push(Number(team.id));
  }
  const team = sql.raw(`case number % 8 ${teamIds.map((id, i) => `when ${i} then ${id}`).join(' ')} else null end`);
  await sql`update conversations set "teamId" = ${team} where number >= 1000000`.execute(db);

  // The chats the bot still has: a third of everything pending, which Pending must not walk past.
  await sql`update conversations set tags = '["bot"]' where status = 'pending' and channel = 'chatbot'`.execute(db);
  await sql`
    insert into conversation_tags ("conversationId", name, status, "lastMessageAt")
    select id, 'tag:bot', status, "lastMessageAt" from conversations where tags = '["bot"]'`.execute(db);

  // A seventh of the pending conversations snoozed for a day: the Snoozed view's rows.
  await sql`update conversations set "snoozedAt" = "updatedAt", "snoozedUntil" = "updatedAt" + 86400000
    where status = 'pending' and number % 7 = 0`.execute(db);
  // An eleventh of the closed ones in Spam: the Spam view's rows, which every other view steps over.
  await sql`update conversations set shelf = 'spam', "shelvedAt" = "updatedAt" where status = 'closed' and number % 11 = 0`.execute(db);

  await sql`
    insert into messages ("conversationId", "senderId", "senderType", "senderName", "senderEmail", body, "isInternal", "sentAt", "createdAt")
    select c.id, c."customerId", 'customer', c."customerName", c."customerEmail",
      'Bulk message ' || k.k || ' about order ' || c.number, case when k.k = 2 then 1 else 0 end,
      c."createdAt" + k.k * 1000, c."createdAt" + k.k * 1000
    from conversations c cross join (select 0 as k union all select 1 union all select 2) k
    where c.number >= 1000000`.execute(db);

  const long = await db.selectFrom('conversations').select('id').where('number', '=', 1000000).executeTakeFirstOrThrow();
  longThreadId = Number(long.id);
  await sql`
    insert into messages ("conversationId", "senderId", "senderType", "senderName", "senderEmail", body, "isInternal", "sentAt", "createdAt")
    select c.id, c."customerId", 'customer', c."customerName", c."customerEmail", 'Thread message ' || n, n % 2,
      c."createdAt" + 10000 + n * 1000, c."createdAt" + 10000 + n * 1000
    from conversations c cross join ${numbers(LONG_THREAD)}
    where c.id = ${sql.lit(longThreadId)}`.execute(db);

  // The bell (issue 18): 60,000 notifications over the nine agents, each one's newest 40
  // unread, the rest read, on conversations spread over the whole table.
  const agent = sql.raw(`case n % 9 ${agentIds.map((id, i) => `when ${i} then ${id}`).join(' ')} end`);
  await sql`
    insert into notifications ("userId", kind, "conversationId", "messageId", "actorId", "actorName", "groupKey", count,
      "firstAt", "lastAt", "readAt", "createdAt", silent)
    select ${agent}, 'customer_replied', c.id, null, null, 'Bulk customer', 'customer_replied:' || c.id || ':' || n, 1,
      ${sql.lit(T0)} + n * 30000, ${sql.lit(T0)} + n * 30000,
      case when n >= ${sql.lit(NOTIFICATIONS - 9 * 40)} then null else ${sql.lit(T0)} + n * 30000 + 1000 end,
      ${sql.lit(T0)} + n * 30000, 0
    from ${numbers(NOTIFICATIONS)}
    join conversations c on c.number = 1000000 + (n * 7919) % ${sql.lit(CONVERSATIONS)}`.execute(db);
}

async function analyze(): Promise<void> {
  await sql`analyze`.execute(inbox.store.db);
}

// ---------------------------------------------------------------------------------------
// Reading plans. Both are reduced to the same facts: which table (by its alias in the
// query) is read how (through which index, or not through one), and which sorts happen
// directly on top of a table read.

type Access = { alias: string; index: string | null; detail: string };
type PlanFacts = { accesses: Access[]; tableSorts: string[]; text: string };

type SqlitePlanRow = { id: number; parent: number; detail: string };

function sqliteFacts(rows: SqlitePlanRow[]): PlanFacts {
  const accesses: Access[] = [];
  const readingParents = new Set<number>();
  for (const row of rows) {
    const match = /^(?:SCAN|SEARCH) (\S+)(?: USING (?:COVERING )?INDEX (\S+)| USING INTEGER PRIMARY KEY)?/.exec(row.detail);
    // "SCAN u" / "SCAN p": reading a subquery's (already limited) result, not a table.
    if (!match || /^[pu]$/.test(match[1]!)) continue;
    const index = match[2] ?? (row.detail.includes('INTEGER PRIMARY KEY') ? 'pk' : null);
    accesses.push({ alias: match[1]!, index, detail: row.detail });
    readingParents.add(row.parent);
  }
  // A temp b-tree at the same level as a table read sorts that table's rows.
  const tableSorts = rows.filter((r) => r.detail.startsWith('USE TEMP B-TREE') && readingParents.has(r.parent)).map((r) => r.detail);
  const text = rows.map((r) => `${r.id}<-${r.parent} ${r.detail}`).join('\n');
  return { accesses, tableSorts, text };
}

type PgNode = {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PgNode[];
  [key: string]: unknown;
};

const TABLE_SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan', 'Tid Scan', 'Tid Range Scan', 'Sample Scan']);

function pgFacts(plan: PgNode): PlanFacts {
  const accesses: Access[] = [];
  const tableSorts: string[] = [];
  const describe = (node: PgNode) =>
    [
      `${node['Node Type']}${node['Scan Direction'] === 'Backward' ? ' Backward' : ''}`,
      node['Relation Name'] ? ` on ${node['Relation Name']} ${node.Alias}` : '',
      node['Index Name'] ? ` using ${node['Index Name']}` : '',
      node['Index Cond'] ? ` [Index Cond: ${String(node['Index Cond'])}]` : '',
      node.Filter ? ` [Filter: ${String(node.Filter)}]` : '',
      node['Sort Key'] ? ` [Sort Key: ${String(node['Sort Key'])}]` : '',
    ].join('');
  // Whether a table is read below `node` without a Limit in between.
  const readsTableUnlimited = (node: PgNode): boolean =>
    TABLE_SCANS.has(node['Node Type']) || (node['Node Type'] !== 'Limit' && (node.Plans ?? []).some(readsTableUnlimited));
  const lines: string[] = [];
  const walk = (node: PgNode, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${describe(node)}`);
    if (TABLE_SCANS.has(node['Node Type'])) {
      const index = node['Node Type'] === 'Index Scan' || node['Node Type'] === 'Index Only Scan' ? (node['Index Name'] ?? null) : null;
      // PostgreSQL numbers a repeated alias (c, c_1, …): each UNION ALL branch reads `c`.
      accesses.push({
        alias: (node.Alias ?? node['Relation Name'] ?? '?').replace(/_\d+$/, ''),
        index: index?.endsWith('_pkey') ? 'pk' : index,
        detail: describe(node),
      });
    }
    if (/Sort/.test(node['Node Type']) && (node.Plans ?? []).some(readsTableUnlimited)) tableSorts.push(describe(node));
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(plan, 0);
  return { accesses, tableSorts, text: lines.join('\n') };
}

async function explain(query: CompiledQuery): Promise<PlanFacts> {
  if (inbox.store.dialect === 'sqlite') {
    const result = await inbox.store.db.executeQuery<SqlitePlanRow>(explainOf(query, 'explain query plan'));
    return sqliteFacts(result.rows);
  }
  const result = await inbox.store.db.executeQuery<{ 'QUERY PLAN': [{ Plan: PgNode }] }>(explainOf(query, 'explain (format json)'));
  return pgFacts(result.rows[0]!['QUERY PLAN'][0].Plan);
}

/**
 * Every table read goes through an index (the view's own, when `expected` names it per
 * table alias), and no table's rows are sorted.
 */
function expectIndexWalk(facts: PlanFacts, expected: Record<string, string> | null, what: string): void {
  const context = `${what}\n${facts.text}`;
  if (process.env.PRINT_PLANS) console.log(context); // PRINT_PLANS=1 shows every plan checked
  expect(facts.accesses.length, context).toBeGreaterThan(0);
  for (const access of facts.accesses) {
    expect(access.index, `full table scan (${access.detail}) in ${context}`).not.toBeNull();
    if (expected) expect(access.index, `unexpected access path (${access.detail}) in ${context}`).toBe(expected[access.alias]);
  }
  for (const alias of Object.keys(expected ?? {})) {
    expect(
      facts.accesses.some((a) => a.alias === alias),
      `${alias} is not read at all in ${context}`,
    ).toBe(true);
  }
  expect(facts.tableSorts, `sort of a table's rows in ${context}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------

type ListView = { name: string; query: () => ConversationQuery; expected: Record<string, string> | null };

const CONVERSATION_VIEWS: ListView[] = [
  { name: 'all conversations (one index walk per status)', query: () => ({}), expected: { c: 'conversations_status_last_message' } },
  { name: 'all open', query: () => ({ statuses: ['open'] }), expected: { c: 'conversations_status_last_message' } },
  {
    name: 'open + pending (one index walk per status)',
    query: () => ({ statuses: ['open', 'pending'] }),
    expected: { c: 'conversations_status_last_message' },
  },
  {
    name: 'mine',
    query: () => ({ assignee: 'me', viewerId: agentIds[0]!, statuses: ['open'] }),
    expected: { c: 'conversations_assignee_status_last_message' },
  },
  {
    // `assignedTo IS NULL` is an index condition on both databases, but only SQLite treats
    // it as an equality that leaves the assignee index in lastMessageAt order. PostgreSQL
    // needs the partial index `(status, lastMessageAt, id) WHERE assignedTo IS NULL`.
    name: 'unassigned',
    query: () => ({ assignee: 'unassigned', statuses: ['open'] }),
    expected: {
      c: process.env.DATABASE_URL ? 'conversations_unassigned_status_last_message' : 'conversations_assignee_status_last_message',
    },
  },
  { name: 'team', query: () => ({ team: teamIds[0]!, statuses: ['open'] }), expected: { c: 'conversations_team_status_last_message' } },
  {
    // As for unassigned: PostgreSQL needs a partial index for `teamId IS NULL`.
    name: 'no team',
    query: () => ({ team: 'none', statuses: ['open'] }),
    expected: { c: process.env.DATABASE_URL ? 'conversations_no_team_status_last_message' : 'conversations_team_status_last_message' },
  },
  {
    name: 'channel + unassigned',
    query: () => ({ assignee: 'unassigned', channel: 'email', statuses: ['open'] }),
    expected: {
      c: process.env.DATABASE_URL ? 'conversations_unassigned_channel_status_last_message' : 'conversations_channel_assignee_status_last_message',
    },
  },
  {
    name: 'channel + mine',
    query: () => ({ assignee: 'me', viewerId: agentIds[0]!, channel: 'email', statuses: ['open'] }),
    expected: { c: 'conversations_channel_assignee_status_last_message' },
  },
  {
    name: 'channel + status',
    query: () => ({ channel: 'email', statuses: ['open'] }),
    expected: { c: 'conversations_channel_status_last_message' },
  },
  {
    name: 'label',
    query: () => ({ label: 'urgent', statuses: ['open'] }),
    // The label's own rows are walked in order; each one fetches its conversation by id.
    expected: { t: 'conversation_tags_view', c: 'pk' },
  },
  {
    // Pending is the team's: the bot's chats are left out by a partial index holding only
    // the team's pending rows, so the walk never steps over them.
    name: 'pending (without the bot’s chats)',
    query: () => ({ statuses: ['pending'], handler: 'team' }),
    expected: { c: 'conversations_team_pending_last_message' },
  },
  { name: 'bot', query: () => ({ statuses: ['pending'], handler: 'bot' }), expected: { t: 'conversation_tags_view', c: 'pk' } },
  // Snoozed: a partial index holding only the snoozed rows, walked once per status.
  { name: 'snoozed', query: () => ({ state: 'snoozed' }), expected: { c: 'conversations_snoozed_last_message' } },
  // Spam: likewise, a partial index of the spam rows only.
  { name: 'spam', query: () => ({ state: 'spam' }), expected: { c: 'conversations_spam_last_message' } },
  {
    name: 'sort=createdAt',
    query: () => ({ statuses: ['open'], sort: 'createdAt' }),
    expected: { c: 'conversations_status_created' },
  },
  {
    name: 'sort=priority',
    query: () => ({ statuses: ['open'], sort: 'priority' }),
    expected: { c: 'conversations_status_priority' },
  },
  {
    // The address with 2,000+ conversations: for one with a few dozen, PostgreSQL rightly
    // prefers fetching them all through the same index and sorting those few rows, a cost
    // bounded by that customer's history rather than by the inbox.
    name: 'customerEmail',
    query: () => ({ customerEmail: 'bulk-0@example.test' }),
    expected: { c: 'conversations_customer_email' },
  },
];

// The same sorts and label view with no status filter: getConversations accepts them
// (statuses is optional), so they too must not scan and sort the table. Which index
// serves them is left open: one per status merged by UNION ALL, as open + pending does,
// or an index without the status column.
const EVERY_STATUS_VIEWS: ListView[] = [
  { name: 'sort=createdAt over every status', query: () => ({ sort: 'createdAt' }), expected: null },
  { name: 'sort=priority over every status', query: () => ({ sort: 'priority' }), expected: null },
  { name: 'label over every status', query: () => ({ label: 'urgent' }), expected: null },
  { name: 'team over every status', query: () => ({ team: teamIds[1]! }), expected: null },
  // Pending in the other orders: the status's index, stepping over the bot's chats.
  { name: 'pending, sort=createdAt', query: () => ({ statuses: ['pending'], handler: 'team', sort: 'createdAt' }), expected: null },
  { name: 'pending, sort=priority', query: () => ({ statuses: ['pending'], handler: 'team', sort: 'priority' }), expected: null },
];

const isListQuery = (q: CompiledQuery) => /^select\b/i.test(q.sql) && /from "(conversations|conversation_tags)" as "[ct]"/.test(q.sql);
const isMessagePageQuery = (q: CompiledQuery) => /^select\b/i.test(q.sql) && /from "messages"/.test(q.sql);

/** The list statement getConversations sends for the first page and for the page after it. */
async function listStatements(query: ConversationQuery): Promise<{ first: CompiledQuery; next: CompiledQuery }> {
  const recording = recordingStore(inbox.store);
  const ctx: InboxContext = { ...inbox.ctx, store: recording.store };
  const page = await getConversations(ctx, { ...query, limit: 20 });
  expect(page.items).toHaveLength(20);
  expect(page.nextCursor).not.toBeNull();
  const first = recording.queries.find(isListQuery);
  recording.clear();
  await getConversations(ctx, { ...query, limit: 20, cursor: page.nextCursor! });
  const next = recording.queries.find(isListQuery);
  if (!first || !next) throw new Error(`no list statement recorded for ${JSON.stringify(query)}`);
  expect(next.sql).not.toBe(first.sql);
  return { first, next };
}

async function messageStatements(includeInternal: boolean): Promise<{ first: CompiledQuery; next: CompiledQuery }> {
  const recording = recordingStore(inbox.store);
  const ctx: InboxContext = { ...inbox.ctx, store: recording.store };
  const page = await getConversationMessages(ctx, longThreadId, { limit: 20, includeInternal });
  expect(page.nextCursor).not.toBeNull();
  const first = recording.queries.find(isMessagePageQuery);
  recording.clear();
  await getConversationMessages(ctx, longThreadId, { limit: 20, includeInternal, cursor: page.nextCursor! });
  const next = recording.queries.find(isMessagePageQuery);
  if (!first || !next) throw new Error('no message page statement recorded');
  return { first, next };
}

const isNotificationPageQuery = (q: CompiledQuery) => /^select\b/i.test(q.sql) && /from "notifications" as "n"/.test(q.sql);

/** The bell's page statement (listNotifications) for the first page and the page after it. */
async function notificationStatements(unread: boolean): Promise<{ first: CompiledQuery; next: CompiledQuery }> {
  const recording = recordingStore(inbox.store);
  const ctx: InboxContext = { ...inbox.ctx, store: recording.store };
  const page = await listNotifications(ctx, agentIds[0]!, { unread, limit: 30 });
  expect(page.items).toHaveLength(30);
  expect(page.nextCursor).not.toBeNull();
  const first = recording.queries.find(isNotificationPageQuery);
  recording.clear();
  await listNotifications(ctx, agentIds[0]!, { unread, limit: 30, cursor: page.nextCursor! });
  const next = recording.queries.find(isNotificationPageQuery);
  if (!first || !next) throw new Error('no notification page statement recorded');
  return { first, next };
}

function planChecks(): void {
  describe.each(CONVERSATION_VIEWS)('the $name view', (view) => {
    it('walks its index for the first page and for the page after a cursor, without a table scan or a sort', async () => {
      const { first, next } = await listStatements(view.query());
      expectIndexWalk(await explain(first), view.expected, `${view.name}, first page: ${first.sql}`);
      expectIndexWalk(await explain(next), view.expected, `${view.name}, after a cursor: ${next.sql}`);
    });
  });

  describe.each(EVERY_STATUS_VIEWS)('the $name view', (view) => {
    it('walks an index for the first page and for the page after a cursor, without a table scan or a sort', async () => {
      const { first, next } = await listStatements(view.query());
      expectIndexWalk(await explain(first), view.expected, `${view.name}, first page: ${first.sql}`);
      expectIndexWalk(await explain(next), view.expected, `${view.name}, after a cursor: ${next.sql}`);
    });
  });

  describe.each([false, true])('the bell (listNotifications, unread %s)', (unread) => {
    it('walks the user’s notifications newest first and fetches each conversation by id, without a table scan or a sort', async () => {
      const { first, next } = await notificationStatements(unread);
      // The unread list has its partial index (migration 0029): without it PostgreSQL took the
      // user's unread rows from notifications_unread_group and hash-joined every conversation.
      const expected = { n: unread ? 'notifications_unread_list' : 'notifications_user', c: 'pk' };
      expectIndexWalk(await explain(first), expected, `bell (unread ${unread}), first page: ${first.sql}`);
      expectIndexWalk(await explain(next), expected, `bell (unread ${unread}), after a cursor: ${next.sql}`);
    });
  });

  describe.each([true, false])('a page of messages (includeInternal %s)', (includeInternal) => {
    it('walks messages_conversation_sent oldest first, without a table scan or a sort', async () => {
      const { first, next } = await messageStatements(includeInternal);
      const expected = { messages: 'messages_conversation_sent' };
      expectIndexWalk(await explain(first), expected, `messages, first page: ${first.sql}`);
      expectIndexWalk(await explain(next), expected, `messages, after a cursor: ${next.sql}`);
    });
  });
}

beforeAll(async () => {
  await loadInbox();
  if (inbox.store.dialect === 'postgres') await analyze();
}, 180_000);

describe('the recorded statements', () => {
  it('are the real list statement, with its keyset predicate on the next page', async () => {
    const { first, next } = await listStatements({ statuses: ['open'] });
    expect(first.sql).toMatch(/order by "c"\."lastMessageAt" desc, "c"\."id" desc/);
    expect(next.sql).toMatch(/\("c"\."lastMessageAt", "c"\."id"\) < \(/);
    expect(next.parameters).toContain('open');
  });
});

if (process.env.DATABASE_URL) {
  describe('PostgreSQL, after ANALYZE', planChecks);
} else {
  describe('SQLite without statistics (as deployed: nothing runs ANALYZE)', planChecks);
  describe('SQLite after ANALYZE', () => {
    beforeAll(analyze);
    planChecks();
  });
}
