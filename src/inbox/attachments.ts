import { findAttachmentForAccess } from '../store/attachments.js';
import type { InboxContext } from './context.js';
import { type Attachment, type Conversation, type Message, toAttachment } from './records.js';

/** One attachment with what policies.canSeeMessage needs to decide who may download it. */
export type AttachmentAccess = {
  attachment: Attachment;
  message: Pick<Message, 'id' | 'isInternal'>;
  conversation: Pick<Conversation, 'id' | 'customer' | 'openedBy'>;
};

export async function getAttachment(ctx: InboxContext, id: number): Promise<AttachmentAccess | null> {
  const row = await findAttachmentForAccess(ctx.store.db, id);
  if (!row) return null;
  return {
    attachment: toAttachment(row),
    message: { id: Number(row.messageId), isInternal: Number(row.isInternal) === 1 },
    conversation: {
      id: Number(row.conversationId),
      customer: { id: Number(row.customerId), name: row.customerName, email: row.customerEmail },
      openedBy: row.openedBy === null ? null : Number(row.openedBy),
    },
  };
}
