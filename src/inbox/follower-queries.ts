import { invalid } from '../errors.js';
import { MAX_PAGE } from '../limits.js';
import { findConversationsByIds, findViewerReads } from '../store/conversations.js';
import { countViewCapped, type Follower, listFollowers, listMentionedPage, listParticipatingPage, type ViewKey } from '../store/followers.js';
import type { Status } from '../store/schema.js';
import type { InboxContext } from './context.js';
import { COUNT_CAP, getConversation, isUnread, type StatusCounts } from './queries.js';
import { type Conversation, toConversation } from './records.js';
import type { ConversationRef } from './refs.js';

// The team's own views of conversations: Mentions (newest mention first, unread marked) and
// Participating (the ones a member follows, newest first), and who follows one.

export type FollowerView = 'mentioned' | 'participating';
/**
 * `unread`: in Mentions, a mention of the viewer in it is unread (opening the conversation
 * reads them); in Participating, "New reply" as in the other lists.
 */
export type ViewItem = Conversation & { unread: boolean };
export type ViewPage = { items: ViewItem[]; nextCursor: string | null; counts: StatusCounts; countsCapped: boolean };

function encodeKey(view: FollowerView, key: ViewKey): string {
  return Buffer.from(JSON.stringify([view, key.at, key.id])).toString('base64url');
}

function decodeKey(view: FollowerView, cursor: string): ViewKey {
  try {
    const [name, at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (name === view && Number.isSafeInteger(at) && Number.isSafeInteger(id)) return { at: at as number, id: id as number };
  } catch {
    // falls through to the refusal
  }
  throw invalid('cursor', 'cursor is not one this view gave');
}

export async function getFollowerView(
  ctx: InboxContext,
  query: { view: FollowerView; userId: number; statuses?: Status[]; cursor?: string; limit?: number },
): Promise<ViewPage> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalid('limit', `limit must be between 1 and ${MAX_PAGE}`);
  const after = query.cursor ? decodeKey(query.view, query.cursor) : null;
  const list = query.view === 'mentioned' ? listMentionedPage : listParticipatingPage;
  const rows = await list(ctx.store.db, query.userId, query.statuses, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeKey(query.view, { at: last.at, id: last.key }) : null;
  const byId = new Map(
    (
      await findConversationsByIds(
        ctx.store.db,
        page.map((r) => r.conversationId),
      )
    ).map((row) => [Number(row.id), row]),
  );
  const reads = query.view === 'participating' ? await findViewerReads(ctx.store.db, query.userId, [...byId.keys()]) : null;
  const items = page.flatMap((r): ViewItem[] => {
    const row = byId.get(r.conversationId);
    if (!row) return [];
    const conversation = toConversation(row);
    const unread = reads ? isUnread(conversation.lastCustomerMessageAt, reads.readAt.get(conversation.id), reads.joinedAt) : r.unread;
    return [{ ...conversation, unread }];
  });
  const counts: StatusCounts = { open: 0, pending: 0, resolved: 0, closed: 0 };
  let total = 0;
  for (const { status, n } of await countViewCapped(ctx.store.db, query.view, query.userId, COUNT_CAP)) {
    counts[status] = n;
    total += n;
  }
  return { items, nextCursor, counts, countsCapped: total >= COUNT_CAP };
}

/** The team members following a conversation (not its Cc'd mail participants). */
export async function getFollowers(ctx: InboxContext, ref: ConversationRef): Promise<Follower[]> {
  const conversation = await getConversation(ctx, ref);
  return listFollowers(ctx.store.db, conversation.id);
}
