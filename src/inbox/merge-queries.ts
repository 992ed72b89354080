import { findConversationsByIds } from '../store/conversations.js';
import { listOpenConversationIdsOfCustomer, listOpenMergesInto } from '../store/merges.js';
import type { InboxContext } from './context.js';
import { getConversation } from './queries.js';
import { type Conversation, toConversation } from './records.js';
import type { ConversationRef } from './refs.js';

/** How many merge suggestions the customer panel shows. */
export const MERGE_CANDIDATES = 5;

/** The customer's other open and pending conversations, newest first: what the customer panel suggests merging into this one. */
export async function getMergeCandidates(ctx: InboxContext, ref: ConversationRef): Promise<Conversation[]> {
  const conversation = await getConversation(ctx, ref);
  const ids = await listOpenConversationIdsOfCustomer(ctx.store.db, conversation.customer.id, conversation.id, MERGE_CANDIDATES);
  const rows = await findConversationsByIds(ctx.store.db, ids);
  const byId = new Map(rows.map((row) => [Number(row.id), toConversation(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The conversations merged into this one and not unmerged: each offers Unmerge in the customer panel. */
export async function getMergedInto(ctx: InboxContext, ref: ConversationRef): Promise<Conversation[]> {
  const conversation = await getConversation(ctx, ref);
  const ids = await listOpenMergesInto(ctx.store.db, conversation.id);
  const byId = new Map((await findConversationsByIds(ctx.store.db, ids)).map((row) => [Number(row.id), toConversation(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
