import { DomainError } from '../../errors.js';
import type { InboxContext } from '../../inbox/context.js';
import { getConversation } from '../../inbox/queries.js';
import type { Conversation } from '../../inbox/records.js';
import type { ConversationRef } from '../../inbox/refs.js';

/** The conversation, or null when it does not exist (any more): mail naming a deleted one is filed or sent as if it never had. */
export async function existingConversation(ctx: InboxContext, ref: ConversationRef): Promise<Conversation | null> {
  try {
    return await getConversation(ctx, ref);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') return null;
    throw error;
  }
}
