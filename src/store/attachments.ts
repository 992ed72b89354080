import type { AttachmentRow } from './schema.js';
import type { Tx } from './transaction.js';

// Reads for serving and cleaning attachment blobs. The rows themselves are written by
// the inbox commands, with their message (messages.ts insertAttachments).

export type AttachmentAccessRow = AttachmentRow & {
  isInternal: number;
  customerId: number;
  customerName: string;
  customerEmail: string;
  openedBy: number | null;
};

/** An attachment with what deciding who may see it needs: its message's visibility and its conversation's customer. */
export function findAttachmentForAccess(tx: Tx, id: number): Promise<AttachmentAccessRow | undefined> {
  return tx
    .selectFrom('attachments as a')
    .innerJoin('messages as m', 'm.id', 'a.messageId')
    .innerJoin('conversations as c', 'c.id', 'a.conversationId')
    .selectAll('a')
    .select(['m.isInternal', 'c.customerId', 'c.customerName', 'c.customerEmail', 'c.openedBy'])
    .where('a.id', '=', id)
    .executeTakeFirst();
}

/** Which of these content hashes at least one attachment row still uses. */
export async function findReferencedHashes(tx: Tx, hashes: readonly string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  // A canned reply's file is a reference too: it is attached again, without an upload, whenever the reply is sent.
  const rows = await tx
    .selectFrom('attachments')
    .select('sha256')
    .where('sha256', 'in', [...hashes])
    .union(
      tx
        .selectFrom('canned_reply_files')
        .select('sha256')
        .where('sha256', 'in', [...hashes]),
    )
    .execute();
  return new Set(rows.map((row) => row.sha256));
}
