import type { Generated, Kysely, Selectable } from 'kysely';
import type { Database, MessageAuto, SenderType } from './schema.js';
import type { Tx } from './transaction.js';

// Merges of one conversation into another (migration 0025). Written by the merge commands
// only (inbox/commands/merge.ts); `record` stays JSON text here: what it holds is theirs.

export interface ConversationMergesTable {
  id: Generated<number>;
  sourceId: number;
  targetId: number;
  mergedBy: number | null;
  mergedAt: number;
  unmergedAt: number | null;
  record: string;
}

interface MergesDatabase extends Database {
  conversation_merges: ConversationMergesTable;
}

// The shared schema type lists the older tables; this one is the merges' own.
const merges = (tx: Tx) => tx as unknown as Kysely<MergesDatabase>;

export type MergeRow = Omit<Selectable<ConversationMergesTable>, 'id'> & { id: number };

export async function insertMerge(tx: Tx, row: Omit<ConversationMergesTable, 'id' | 'unmergedAt'>): Promise<number> {
  const inserted = await merges(tx).insertInto('conversation_merges').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(inserted.id);
}

/** The merge that made this conversation a tombstone and is not undone yet (at most one). */
export async function findOpenMerge(tx: Tx, sourceId: number): Promise<MergeRow | undefined> {
  const row = await merges(tx)
    .selectFrom('conversation_merges')
    .selectAll()
    .where('sourceId', '=', sourceId)
    .where('unmergedAt', 'is', null)
    .orderBy('mergedAt', 'desc')
    .executeTakeFirst();
  return row && { ...row, id: Number(row.id), sourceId: Number(row.sourceId), targetId: Number(row.targetId), mergedAt: Number(row.mergedAt) };
}

/** The conversations merged into this one and not unmerged since, oldest merge first. */
export async function listOpenMergesInto(tx: Tx, targetId: number): Promise<number[]> {
  const rows = await merges(tx)
    .selectFrom('conversation_merges')
    .select('sourceId')
    .where('targetId', '=', targetId)
    .where('unmergedAt', 'is', null)
    .orderBy('mergedAt')
    .execute();
  return rows.map((row) => Number(row.sourceId));
}

export async function markUnmerged(tx: Tx, id: number, now: number): Promise<void> {
  await merges(tx).updateTable('conversation_merges').set({ unmergedAt: now }).where('id', '=', id).execute();
}

/** What a conversation's derived fields are computed from: its messages, oldest first. */
export type MessageFacts = {
  id: number;
  senderType: SenderType;
  isInternal: number;
  auto: MessageAuto | null;
  body: string;
  sentAt: number;
  createdAt: number;
};

export async function listMessageFacts(tx: Tx, conversationId: number): Promise<MessageFacts[]> {
  const rows = await tx
    .selectFrom('messages')
    .select(['id', 'senderType', 'isInternal', 'auto', 'body', 'sentAt', 'createdAt'])
    .where('conversationId', '=', conversationId)
    .orderBy('sentAt')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), sentAt: Number(r.sentAt), createdAt: Number(r.createdAt) }));
}

/**
 * Moves these messages of `from` to `to`, keeping their ids and times, with every row keyed
 * by a message that names its conversation too: attachments, deliveries, mentions. The
 * search index follows by itself: it is keyed by message id (store/search.ts joins messages).
 */
export async function moveMessages(tx: Tx, messageIds: readonly number[], from: number, to: number): Promise<number> {
  if (messageIds.length === 0) return 0;
  const ids = [...messageIds];
  const moved = await tx.updateTable('messages').set({ conversationId: to }).where('id', 'in', ids).where('conversationId', '=', from).executeTakeFirst();
  await tx.updateTable('attachments').set({ conversationId: to }).where('messageId', 'in', ids).where('conversationId', '=', from).execute();
  await tx.updateTable('message_deliveries').set({ conversationId: to }).where('messageId', 'in', ids).where('conversationId', '=', from).execute();
  await tx.updateTable('mentions').set({ conversationId: to }).where('messageId', 'in', ids).where('conversationId', '=', from).execute();
  return Number(moved.numUpdatedRows);
}

export async function listFollowerIds(tx: Tx, conversationId: number): Promise<number[]> {
  const rows = await tx.selectFrom('conversation_participants').select('userId').where('conversationId', '=', conversationId).execute();
  return rows.map((r) => Number(r.userId));
}

export async function removeFollowers(tx: Tx, conversationId: number, userIds: readonly number[]): Promise<void> {
  if (userIds.length === 0) return;
  await tx
    .deleteFrom('conversation_participants')
    .where('conversationId', '=', conversationId)
    .where('userId', 'in', [...userIds])
    .execute();
}

/** Where a merged conversation went: `mergedInto` of each id (null: not merged). */
export async function findMergedInto(tx: Tx, id: number): Promise<number | null | undefined> {
  const row = await tx.selectFrom('conversations').select('mergedInto').where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return row.mergedInto === null ? null : Number(row.mergedInto);
}

/**
 * The customer's other open and pending conversations, newest first: a few rows off the
 * index conversations_customer (customerId, status, lastMessageAt, id), one walk per status.
 */
export async function listOpenConversationIdsOfCustomer(tx: Tx, customerId: number, exceptId: number, limit: number): Promise<number[]> {
  const found: { id: number; at: number }[] = [];
  for (const status of ['open', 'pending'] as const) {
    const rows = await tx
      .selectFrom('conversations')
      .select(['id', 'lastMessageAt'])
      .where('customerId', '=', customerId)
      .where('status', '=', status)
      .where('shelf', 'is', null)
      .where('id', '!=', exceptId)
      .orderBy('lastMessageAt', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    found.push(...rows.map((r) => ({ id: Number(r.id), at: Number(r.lastMessageAt) })));
  }
  return found
    .sort((a, b) => b.at - a.at || b.id - a.id)
    .slice(0, limit)
    .map((r) => r.id);
}

/** The tombstones that point at `id` (merged into it, not unmerged). */
export async function listTombstonesOf(tx: Tx, id: number): Promise<number[]> {
  const rows = await tx.selectFrom('conversations').select('id').where('shelf', '=', 'merged').where('mergedInto', '=', id).orderBy('id').execute();
  return rows.map((row) => Number(row.id));
}

/** A deleted conversation's merge records, as source or target, undone or not. */
export async function deleteMergeRecords(tx: Tx, id: number): Promise<void> {
  await merges(tx)
    .deleteFrom('conversation_merges')
    .where((eb) => eb.or([eb('sourceId', '=', id), eb('targetId', '=', id)]))
    .execute();
}
