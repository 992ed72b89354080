import type { NewAttachment } from './messages.js';
import type { Tx } from './transaction.js';

// The files of canned replies (migration 0027). Written by the canned-reply commands only.

export type CannedFile = NewAttachment & { id: number; cannedReplyId: number };

const toFile = (row: { id: number; cannedReplyId: number; name: string; contentType: string; size: number; sha256: string }): CannedFile => ({
  id: Number(row.id),
  cannedReplyId: Number(row.cannedReplyId),
  name: row.name,
  contentType: row.contentType,
  size: Number(row.size),
  sha256: row.sha256,
});

/** The files of these replies, each reply's in the order they were added. */
export async function listCannedFiles(tx: Tx, replyIds: readonly number[]): Promise<CannedFile[]> {
  if (replyIds.length === 0) return [];
  const rows = await tx
    .selectFrom('canned_reply_files')
    .select(['id', 'cannedReplyId', 'name', 'contentType', 'size', 'sha256'])
    .where('cannedReplyId', 'in', [...replyIds])
    .orderBy('cannedReplyId')
    .orderBy('id')
    .execute();
  return rows.map(toFile);
}

export async function insertCannedFiles(tx: Tx, replyId: number, files: readonly NewAttachment[], now: number): Promise<void> {
  if (files.length === 0) return;
  await tx
    .insertInto('canned_reply_files')
    .values(files.map((f) => ({ cannedReplyId: replyId, name: f.name, contentType: f.contentType, size: f.size, sha256: f.sha256, createdAt: now })))
    .execute();
}

/** False when the reply has no such file. */
export async function deleteCannedFile(tx: Tx, replyId: number, fileId: number): Promise<boolean> {
  const result = await tx.deleteFrom('canned_reply_files').where('cannedReplyId', '=', replyId).where('id', '=', fileId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function deleteCannedFilesOf(tx: Tx, replyId: number): Promise<void> {
  await tx.deleteFrom('canned_reply_files').where('cannedReplyId', '=', replyId).execute();
}
