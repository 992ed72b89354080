import type { InboxContext } from '../../inbox/context.js';
import type { Conversation } from '../../inbox/records.js';
import type { ConversationRef } from '../../inbox/refs.js';
import { existingConversation } from './existing-conversation.js';

// A merged conversation is a tombstone pointing at the one it was merged into: mail that
// names it (its Message-IDs, reply token, marker, [CONV-n]) continues that one. Its mail ids
// stay on it, so after an unmerge the same mail lands in it again with nothing moved back.

/** Hops followed at most: a merge into a conversation later merged elsewhere, and so on. */
const MAX_HOPS = 5;

/** The conversation mail naming `ref` continues: itself, or where it was merged into; never a tombstone. */
export async function threadTarget(ctx: InboxContext, ref: ConversationRef): Promise<Conversation | null> {
  let conversation = await existingConversation(ctx, ref);
  for (let hop = 0; conversation && conversation.mergedInto !== null && hop < MAX_HOPS; hop++) {
    conversation = await existingConversation(ctx, conversation.mergedInto);
  }
  return conversation && conversation.mergedInto === null ? conversation : null;
}
