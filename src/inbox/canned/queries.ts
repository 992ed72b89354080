import { notFound } from '../../errors.js';
import { CANNED_SEARCH_LIMIT } from '../../limits.js';
import { type CannedFile, listCannedFiles } from '../../store/canned-files.js';
import { type CannedReply, findCannedReply, searchCannedReplies } from '../../store/canned-replies.js';
import { listUserTeams } from '../../store/teams.js';
import type { InboxContext } from '../context.js';
import { canManageCannedReply, canUseCannedReply, type Viewer } from '../policies.js';
import { getConversation } from '../queries.js';
import type { ConversationRef } from '../refs.js';
import { fillPlaceholders } from './placeholders.js';

// What the team reads of canned replies: the picker's search and a reply filled for one
// conversation. Who may use which is policies.ts canUseCannedReply; the search's scope is the
// same rule as a filter.

type TeamViewer = Viewer & { name: string };

/** The teams the user is in, which decide the shared replies they use. */
export async function cannedTeamIds(ctx: InboxContext, userId: number): Promise<number[]> {
  return (await listUserTeams(ctx.store.db, userId)).map((t) => t.id);
}

async function withTeams(ctx: InboxContext, viewer: Viewer) {
  return { ...viewer, teamIds: await cannedTeamIds(ctx, viewer.id) };
}

/**
 * The replies the viewer may use matching `query`, best first. Admins manage every shared
 * reply, so they find those of teams they are not in as well.
 */
export async function searchCanned(ctx: InboxContext, viewer: Viewer, query: string): Promise<CannedReply[]> {
  const who = await withTeams(ctx, viewer);
  const scope = { userId: who.id, teamIds: who.teamIds, allShared: who.role === 'admin' };
  return searchCannedReplies(ctx.store.db, scope, query, CANNED_SEARCH_LIMIT);
}

/** The reply, if the viewer may use it; not_found otherwise. */
export async function getCanned(ctx: InboxContext, viewer: Viewer, id: number): Promise<CannedReply> {
  const reply = await findCannedReply(ctx.store.db, id);
  if (!reply || !canUseCannedReply(await withTeams(ctx, viewer), reply)) throw notFound('canned reply');
  return reply;
}

/** The reply's body filled for the conversation, by this agent, and the placeholders left as written. */
export async function renderCanned(
  ctx: InboxContext,
  viewer: TeamViewer,
  id: number,
  conversationRef: ConversationRef,
): Promise<{ body: string; missing: string[] }> {
  const reply = await getCanned(ctx, viewer, id);
  const conversation = await getConversation(ctx, conversationRef);
  return fillPlaceholders(reply.body, {
    customer: { name: conversation.customer.name, email: conversation.customer.email },
    conversation: { number: conversation.number, subject: conversation.subject },
    agent: { name: viewer.name },
  });
}

/** The files of these replies, by reply (the caller shows only replies the viewer may use). */
export async function cannedFilesOf(ctx: InboxContext, replyIds: readonly number[]): Promise<Map<number, CannedFile[]>> {
  const files = new Map<number, CannedFile[]>(replyIds.map((id) => [id, []]));
  for (const file of await listCannedFiles(ctx.store.db, replyIds)) files.get(file.cannedReplyId)?.push(file);
  return files;
}

/** Refuses, before an upload stores a byte, a reply the viewer may not manage (not_found, as the commands). */
export async function requireManageableCanned(ctx: InboxContext, viewer: Viewer, id: number): Promise<void> {
  const reply = await findCannedReply(ctx.store.db, id);
  if (!reply || !canManageCannedReply(await withTeams(ctx, viewer), reply)) throw notFound('canned reply');
}
