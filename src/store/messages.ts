import { sql } from 'kysely';
import { runCompiled } from './compiled.js';
import type { AttachmentRow, MessageRow, NewMessageRow, SenderType } from './schema.js';
import type { Tx } from './transaction.js';

const COLUMNS = [
  'id',
  'conversationId',
  'senderId',
  'senderType',
  'senderName',
  'senderEmail',
  'body',
  'htmlBody',
  'isInternal',
  'externalKey',
  'auto',
  'mailHeaders',
  'sentAt',
  'readAt',
  'createdAt',
] as const satisfies readonly (keyof MessageRow)[];

/** Compiled once (compiled.ts): it runs for every message. */
export async function insertMessage(tx: Tx, row: NewMessageRow): Promise<MessageRow> {
  const [stored] = await runCompiled(tx, 'insertMessage', [row], (rows) => tx.insertInto('messages').values(rows).returning(COLUMNS));
  return stored!;
}

export function findMessageByExternalKey(tx: Tx, externalKey: string): Promise<MessageRow | undefined> {
  return tx.selectFrom('messages').select(COLUMNS).where('externalKey', '=', externalKey).executeTakeFirst();
}

export function findMessagesByIds(tx: Tx, ids: readonly number[]): Promise<MessageRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('messages')
    .select(COLUMNS)
    .where('id', 'in', [...ids])
    .execute();
}

/** The addresses a message's mail went with, once its sender knows them (JSON; see schema.ts). */
export async function updateMessageMailHeaders(tx: Tx, id: number, mailHeaders: string | null): Promise<void> {
  await tx.updateTable('messages').set({ mailHeaders }).where('id', '=', id).execute();
}

export type NewAttachment = { name: string; contentType: string; size: number; sha256: string };

export async function insertAttachments(
  tx: Tx,
  message: Pick<MessageRow, 'id' | 'conversationId'>,
  attachments: readonly NewAttachment[],
  now: number,
): Promise<AttachmentRow[]> {
  if (attachments.length === 0) return [];
  return tx
    .insertInto('attachments')
    .values(attachments.map((a) => ({ ...a, messageId: message.id, conversationId: message.conversationId, createdAt: now })))
    .returningAll()
    .execute();
}

export function listAttachments(tx: Tx, messageIds: readonly number[]): Promise<AttachmentRow[]> {
  if (messageIds.length === 0) return Promise.resolve([]);
  return tx
    .selectFrom('attachments')
    .selectAll()
    .where('messageId', 'in', [...messageIds])
    .orderBy('id')
    .execute();
}

/** Oldest first, after the (sentAt, id) key of the previous page. */
export function listMessagePage(
  tx: Tx,
  conversationId: number,
  options: { after: [number, number] | null; limit: number; includeInternal: boolean; newestFirst?: boolean },
): Promise<MessageRow[]> {
  let query = tx.selectFrom('messages').select(COLUMNS).where('conversationId', '=', conversationId);
  if (!options.includeInternal) query = query.where('isInternal', '=', 0);
  // `after` is the last row of the previous page in the direction of the walk.
  if (options.after) {
    const [sentAt, id] = options.after;
    query = options.newestFirst
      ? query.where(sql<boolean>`("sentAt", "id") < (${sentAt}, ${id})`)
      : query.where(sql<boolean>`("sentAt", "id") > (${sentAt}, ${id})`);
  }
  const direction = options.newestFirst ? 'desc' : 'asc';
  return query.orderBy('sentAt', direction).orderBy('id', direction).limit(options.limit).execute();
}

export function countMessages(tx: Tx, conversationId: number): Promise<number> {
  return tx
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('conversationId', '=', conversationId)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

/**
 * Marks as read the messages written by the other side; with `seenUpTo`, only the public
 * ones up to that message id (what a chat visitor reports having had in front of them).
 */
export function markMessagesRead(tx: Tx, conversationId: number, writtenBy: readonly SenderType[], now: number, seenUpTo?: number) {
  let query = tx
    .updateTable('messages')
    .set({ readAt: now })
    .where('conversationId', '=', conversationId)
    .where('readAt', 'is', null)
    .where('senderType', 'in', [...writtenBy]);
  if (seenUpTo !== undefined) query = query.where('id', '<=', seenUpTo).where('isInternal', '=', 0);
  return query.executeTakeFirst().then((result) => Number(result.numUpdatedRows));
}

export function upsertConversationRead(tx: Tx, conversationId: number, userId: number, now: number) {
  return tx
    .insertInto('conversation_reads')
    .values({ conversationId, userId, lastReadAt: now })
    .onConflict((oc) => oc.columns(['conversationId', 'userId']).doUpdateSet({ lastReadAt: now }))
    .execute();
}

export function findConversationRead(tx: Tx, conversationId: number, userId: number) {
  return tx
    .selectFrom('conversation_reads')
    .select('lastReadAt')
    .where('conversationId', '=', conversationId)
    .where('userId', '=', userId)
    .executeTakeFirst()
    .then((row) => row?.lastReadAt ?? null);
}
