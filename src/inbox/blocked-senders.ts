import { type ListedBlock, listBlocks } from '../store/blocked-senders.js';
import type { InboxContext } from './context.js';

// The block list as the team reads it (commands/blocked-senders.ts writes it).

export type { ListedBlock };

/** One page of the block list, newest first; `nextCursor` is the last id, or null at the end. */
export async function listBlockedSenders(
  ctx: InboxContext,
  options: { cursor?: number; limit: number },
): Promise<{ items: ListedBlock[]; nextCursor: number | null }> {
  const rows = await listBlocks(ctx.store.db, { beforeId: options.cursor ?? null, limit: options.limit + 1 });
  const items = rows.slice(0, options.limit);
  return { items, nextCursor: rows.length > options.limit ? items[items.length - 1]!.id : null };
}
