import { CompiledQuery, sql } from 'kysely';
import { countKeys, normalizeLabels, normalizeTags, previewOf, statusTimestamps, storableText, tagRowNames } from '../src/inbox/rules.js';
import { addToCounters } from '../src/store/counters.js';
import type { Dialect, Store } from '../src/store/database.js';
import { notificationCounterKey } from '../src/store/notifications.js';
import type { Channel, ConversationType, Label, Priority, Role, SenderType, Status } from '../src/store/schema.js';
import { type Tx, transact } from '../src/store/transaction.js';

/**
 * The one writer outside the inbox commands, for seeding benchmarks (the demo goes through the commands).
 *
 * Why it exists: a command is one transaction of about ten statements per message
 * (lock, actor, message, conversation, counters, tag rows, events, outbox), so loading
 * ten million messages through `addMessage` would take hours. This module writes the
 * same rows in large transactions with multi-row statements instead.
 *
 * What it keeps consistent, exactly as the commands would (the rules come from the
 * pure `inbox/rules.ts`, the one import from outside the store, so the two writers
 * cannot drift apart):
 * - the conversation's derived columns (messageCount, preview, first/last message
 *   times, lastCustomerMessageAt, lastReplyAt, resolvedAt/closedAt) computed from its
 *   messages with the same rules (`previewOf`, `statusTimestamps`), and text stored
 *   as the commands store it (`storableText`);
 * - labels and tags normalised as the commands do, and one `conversation_tags` row per
 *   name (`tagRowNames`) carrying the conversation's status and lastMessageAt;
 * - `inbox_counts`: one increment per `countKeys` key, through `addToCounters` (the team's
 *   `team:<id|none>:<status>` among them; the teams themselves are made by the
 *   `createTeam` command beforehand, bench/load.ts);
 * - the `conversation_number` sequence, advanced by the number of conversations;
 * - full-text search: SQLite's FTS triggers fire on these inserts, PostgreSQL computes
 *   its generated tsvector columns itself. Indexing is over half the SQLite load time
 *   (300,000 messages: 9.3 s with the triggers, 4.0 s without), but dropping them and
 *   rebuilding at the end would tokenize the same text, re-read every message already
 *   stored, and leave a window in which a command's message goes unindexed; with the
 *   triggers every batch is complete on its own.
 *
 * What it deliberately does not write: audit events and outbox jobs. Seeded history was
 * never performed by anyone and must not send mail or notify listeners.
 *
 * Each batch is one transaction (`transact`: BEGIN IMMEDIATE on SQLite), so a crash
 * leaves whole conversations or none, and the app may keep running meanwhile.
 */

export type SeedUser = { name: string; email: string; role: Role };

export type SeedMessage = {
  senderType: SenderType;
  senderId: number | null;
  senderName: string;
  senderEmail: string | null;
  body: string;
  isInternal?: boolean;
  sentAt: number;
};

export type SeedConversation = {
  channel: Channel;
  type: ConversationType;
  customer: { id: number; name: string; email: string };
  subject: string;
  /** Should agree with the messages as the commands would leave it (customer last: open; team last: pending). */
  status: Status;
  priority: Priority;
  assignedTo: number | null;
  /** The team it is in (the team must exist); absent or null: none. */
  teamId?: number | null;
  labels: Label[];
  tags: string[];
  /** When it entered a resolved or closed status; defaults to the last message's time. */
  statusChangedAt?: number;
  /** Oldest first; the first message is public, as `createConversation` writes it. */
  messages: SeedMessage[];
};

export type BulkLoadProgress = { conversations: number; messages: number; tagRows: number };

export type BulkLoadOptions = {
  /** Conversations per transaction. */
  batchSize?: number;
  onProgress?: (done: BulkLoadProgress) => void;
};

/** Inserts users (emails lower-cased, as the store keeps them) and returns their ids in input order. */
export async function bulkInsertUsers(store: Store, users: readonly SeedUser[], now: number, batchSize = 5000): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < users.length; start += batchSize) {
    const batch = users.slice(start, start + batchSize);
    const rows = batch.map((u) => [u.name, u.email.toLowerCase(), u.role, null, now, now]);
    const inserted = await transact(store, (tx) => insertRows(tx, store.dialect, 'users', USER_COLUMNS, rows, ['id', 'email']));
    // RETURNING order is not guaranteed; the unique email maps rows back to their input.
    const byEmail = new Map(inserted.map((r) => [String(r.email), Number(r.id)]));
    for (const u of batch) ids.push(byEmail.get(u.email.toLowerCase())!);
  }
  return ids;
}

/** Loads conversations with their messages and every row derived from them. */
export async function bulkLoadConversations(store: Store, conversations: Iterable<SeedConversation>, options: BulkLoadOptions = {}): Promise<BulkLoadProgress> {
  const batchSize = options.batchSize ?? 2000;
  const done: BulkLoadProgress = { conversations: 0, messages: 0, tagRows: 0 };
  let batch: SeedConversation[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const prepared = batch.map(prepare);
    const written = await transact(store, (tx) => writeBatch(tx, store.dialect, prepared));
    done.conversations += prepared.length;
    done.messages += written.messages;
    done.tagRows += written.tagRows;
    batch = [];
    options.onProgress?.({ ...done });
  };
  for (const conversation of conversations) {
    batch.push(conversation);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  // What autovacuum would do a little later, done now so the data is measured in its
  // steady state: statistics (without them the first queries are planned for empty
  // tables) and the visibility map (without it no index-only scan skips the heap).
  // VACUUM cannot run in a transaction; this runs on a pool connection outside one.
  // SQLite is left alone: the app never runs ANALYZE there, so neither does its seed.
  if (store.dialect === 'postgres') await sql`vacuum (analyze) users, conversations, messages, conversation_tags, inbox_counts`.execute(store.db);
  return done;
}

/** A notification as `upsertNotifications` leaves it after `count` events (bench/notifications-bench.ts). */
export type SeedNotification = {
  userId: number;
  kind: string;
  conversationId: number;
  messageId: number | null;
  actorId: number | null;
  actorName: string;
  count: number;
  firstAt: number;
  lastAt: number;
  readAt: number | null;
};

const NOTIFICATION_COLUMNS = [
  'userId',
  'kind',
  'conversationId',
  'messageId',
  'actorId',
  'actorName',
  'groupKey',
  'count',
  'firstAt',
  'lastAt',
  'readAt',
  'createdAt',
  'silent',
];

/**
 * Inserts notifications in transactions of `batchSize` rows, with the unread counters
 * (`notifications:<userId>`) they imply, so the bell's count is what the commands would
 * keep. The caller keeps at most one unread row per user, kind and conversation, as the
 * commands do (the partial unique index refuses more).
 */
export async function bulkInsertNotifications(store: Store, notifications: Iterable<SeedNotification>, batchSize = 20_000): Promise<number> {
  let inserted = 0;
  let batch: SeedNotification[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch.map((n) => [
      n.userId,
      n.kind,
      n.conversationId,
      n.messageId,
      n.actorId,
      n.actorName,
      `${n.kind}:${n.conversationId}`,
      n.count,
      n.firstAt,
      n.lastAt,
      n.readAt,
      n.firstAt,
      0,
    ]);
    const unread = new Map<string, number>();
    for (const n of batch) if (n.readAt === null) unread.set(notificationCounterKey(n.userId), (unread.get(notificationCounterKey(n.userId)) ?? 0) + 1);
    await transact(store, async (tx) => {
      await insertRows(tx, store.dialect, 'notifications', NOTIFICATION_COLUMNS, rows);
      await addToCounters(tx, unread);
    });
    inserted += batch.length;
    batch = [];
  };
  for (const n of notifications) {
    batch.push(n);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  // As after the conversations: statistics and the visibility map, as autovacuum would leave them.
  if (store.dialect === 'postgres') await sql`vacuum (analyze) notifications, inbox_counts`.execute(store.db);
  return inserted;
}

type Prepared = {
  row: unknown[];
  labels: Label[];
  tags: string[];
  status: Status;
  lastMessageAt: number;
  countable: Parameters<typeof countKeys>[0];
  messages: SeedMessage[];
};

const USER_COLUMNS = ['name', 'email', 'role', 'passwordHash', 'createdAt', 'updatedAt'];

// `number` is filled per batch from the sequence (Prepared.row starts after it); `priorityRank` is generated.
const CONVERSATION_COLUMNS = [
  'number',
  'channel',
  'type',
  'customerId',
  'customerName',
  'customerEmail',
  'subject',
  'status',
  'priority',
  'assignedTo',
  'teamId',
  'tags',
  'labels',
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
];

const MESSAGE_COLUMNS = [
  'conversationId',
  'senderId',
  'senderType',
  'senderName',
  'senderEmail',
  'body',
  'htmlBody',
  'isInternal',
  'externalKey',
  'sentAt',
  'readAt',
  'createdAt',
];

const TAG_COLUMNS = ['conversationId', 'name', 'status', 'lastMessageAt'];

/** The conversation row as `createConversation` + `addMessage` would have left it. */
function prepare(seed: SeedConversation): Prepared {
  const [first] = seed.messages;
  if (!first || first.isInternal) throw new Error('a seeded conversation starts with a public message');
  const labels = normalizeLabels(seed.labels);
  const tags = normalizeTags(seed.tags);
  let lastPublic = first;
  let lastCustomerMessageAt: number | null = null;
  let lastReplyAt: number | null = null;
  for (const m of seed.messages) {
    if (m.isInternal) continue;
    lastPublic = m;
    if (m.senderType === 'customer') lastCustomerMessageAt = m.sentAt;
    if (m.senderType === 'admin') lastReplyAt = m.sentAt;
  }
  const lastSentAt = seed.messages[seed.messages.length - 1]!.sentAt;
  const changedAt = seed.statusChangedAt ?? lastSentAt;
  const { resolvedAt, closedAt } = statusTimestamps({ resolvedAt: null, closedAt: null }, seed.status, changedAt);
  const subject = storableText(seed.subject).replace(/\s+/g, ' ').trim();
  if (!subject) throw new Error('a seeded conversation needs a subject');
  const row = [
    seed.channel,
    seed.type,
    seed.customer.id,
    seed.customer.name,
    seed.customer.email.toLowerCase(),
    subject,
    seed.status,
    seed.priority,
    seed.assignedTo,
    seed.teamId ?? null,
    JSON.stringify(tags),
    JSON.stringify(labels),
    seed.messages.length,
    previewOf(lastPublic.body),
    first.sentAt,
    lastPublic.sentAt,
    lastCustomerMessageAt,
    lastReplyAt,
    resolvedAt,
    closedAt,
    first.sentAt,
    Math.max(lastSentAt, changedAt),
  ];
  return {
    row,
    labels,
    tags,
    status: seed.status,
    lastMessageAt: lastPublic.sentAt,
    countable: {
      status: seed.status,
      assignedTo: seed.assignedTo,
      teamId: seed.teamId ?? null,
      channel: seed.channel,
      type: seed.type,
      priority: seed.priority,
      labels,
      tags,
    },
    messages: seed.messages,
  };
}

async function writeBatch(tx: Tx, dialect: Dialect, batch: Prepared[]): Promise<{ messages: number; tagRows: number }> {
  // Numbers come from the same sequence row createConversation advances, under its lock.
  const { value } = await tx
    .updateTable('sequences')
    .set({ value: sql`value + ${batch.length}` })
    .where('name', '=', 'conversation_number')
    .returning('value')
    .executeTakeFirstOrThrow();
  const firstNumber = Number(value) - batch.length + 1;
  const inserted = await insertRows(
    tx,
    dialect,
    'conversations',
    CONVERSATION_COLUMNS,
    batch.map((c, i) => [firstNumber + i, ...c.row]),
    ['id', 'number'],
  );
  // Ids are the database's own; the unique number maps them back to the batch.
  const idOf = new Map(inserted.map((r) => [Number(r.number), Number(r.id)]));

  const messageRows: unknown[][] = [];
  const tagRows: unknown[][] = [];
  const deltas = new Map<string, number>();
  batch.forEach((c, i) => {
    const id = idOf.get(firstNumber + i)!;
    for (const m of c.messages) {
      messageRows.push([
        id,
        m.senderId,
        m.senderType,
        m.senderName,
        m.senderEmail,
        storableText(m.body),
        null,
        m.isInternal ? 1 : 0,
        null,
        m.sentAt,
        null,
        m.sentAt,
      ]);
    }
    for (const name of tagRowNames(c.labels, c.tags)) tagRows.push([id, name, c.status, c.lastMessageAt]);
    for (const key of countKeys(c.countable)) deltas.set(key, (deltas.get(key) ?? 0) + 1);
  });
  await insertRows(tx, dialect, 'messages', MESSAGE_COLUMNS, messageRows);
  await insertRows(tx, dialect, 'conversation_tags', TAG_COLUMNS, tagRows);
  await addToCounters(tx, deltas);
  return { messages: messageRows.length, tagRows: tagRows.length };
}

// PostgreSQL's column types for the unnest() arrays; every other column is text.
const PG_TYPES: Record<string, string> = {
  id: 'bigint',
  number: 'bigint',
  customerId: 'bigint',
  assignedTo: 'bigint',
  teamId: 'bigint',
  conversationId: 'bigint',
  senderId: 'bigint',
  messageCount: 'integer',
  isInternal: 'integer',
  firstMessageAt: 'bigint',
  lastMessageAt: 'bigint',
  lastCustomerMessageAt: 'bigint',
  lastReplyAt: 'bigint',
  resolvedAt: 'bigint',
  closedAt: 'bigint',
  createdAt: 'bigint',
  updatedAt: 'bigint',
  sentAt: 'bigint',
  readAt: 'bigint',
  // notifications (bulkInsertNotifications)
  userId: 'bigint',
  messageId: 'bigint',
  actorId: 'bigint',
  count: 'integer',
  firstAt: 'bigint',
  lastAt: 'bigint',
  silent: 'integer',
};

// SQLite allows 32,766 bound values per statement; chunks stay well below.
const SQLITE_MAX_VALUES = 16_000;
// One unnest() statement per 20,000 rows keeps each PostgreSQL message bounded.
const PG_CHUNK_ROWS = 20_000;

/**
 * Inserts rows with fixed multi-row statement texts instead of Kysely's builder, which
 * would build and compile a node for every value of every chunk; the same text for the
 * same shape also lets the store's statement cache prepare it once. On PostgreSQL one
 * column-wise `unnest()` per chunk binds a dozen array parameters instead of tens of
 * thousands of scalars.
 */
async function insertRows(
  tx: Tx,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  returning: readonly string[] = [],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const chunkRows = dialect === 'sqlite' ? Math.floor(SQLITE_MAX_VALUES / columns.length) : PG_CHUNK_ROWS;
  for (let start = 0; start < rows.length; start += chunkRows) {
    const chunk = rows.slice(start, start + chunkRows);
    const query =
      dialect === 'sqlite'
        ? CompiledQuery.raw(sqliteInsert(table, columns, chunk.length, returning), chunk.flat())
        : CompiledQuery.raw(
            postgresInsert(table, columns, returning),
            columns.map((_, c) => chunk.map((row) => row[c])),
          );
    const result = await tx.executeQuery<Record<string, unknown>>(query);
    out.push(...result.rows);
  }
  return out;
}

const quote = (name: string) => `"${name}"`;
const returningClause = (returning: readonly string[]) => (returning.length > 0 ? ` returning ${returning.map(quote).join(', ')}` : '');

// The same text for the same shape, so the store's statement cache prepares it once.
const sqliteStatements = new Map<string, string>();
function sqliteInsert(table: string, columns: readonly string[], rowCount: number, returning: readonly string[]): string {
  const key = `${table}|${rowCount}|${returning.join()}`;
  let text = sqliteStatements.get(key);
  if (!text) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    text = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values ${Array(rowCount).fill(tuple).join(', ')}${returningClause(returning)}`;
    sqliteStatements.set(key, text);
  }
  return text;
}

function postgresInsert(table: string, columns: readonly string[], returning: readonly string[]): string {
  const arrays = columns.map((c, i) => `$${i + 1}::${PG_TYPES[c] ?? 'text'}[]`).join(', ');
  return `insert into ${quote(table)} (${columns.map(quote).join(', ')}) select * from unnest(${arrays})${returningClause(returning)}`;
}
