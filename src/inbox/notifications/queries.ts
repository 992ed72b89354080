import { invalid } from '../../errors.js';
import { MAX_PAGE } from '../../limits.js';
import { readCounters } from '../../store/counters.js';
import { listNotificationsPage, type NotificationPageRow, notificationCounterKey } from '../../store/notifications.js';
import type { InboxContext } from '../context.js';

// The bell: the user's own notifications, newest first by keyset (lastAt, id), and the
// unread count from its counter row (O(1), never a COUNT).

export type NotificationItem = NotificationPageRow;

export async function countUnreadNotifications(ctx: InboxContext, userId: number): Promise<number> {
  const key = notificationCounterKey(userId);
  return (await readCounters(ctx.store.db, [key])).get(key) ?? 0;
}

export async function listNotifications(
  ctx: InboxContext,
  userId: number,
  query: { cursor?: string; unread?: boolean; limit?: number },
): Promise<{ items: NotificationItem[]; nextCursor: string | null }> {
  const limit = Math.min(query.limit ?? 30, MAX_PAGE);
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await listNotificationsPage(ctx.store.db, userId, { unread: query.unread ?? false, after, limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify([last.lastAt, last.id])).toString('base64url') : null;
  return { items, nextCursor };
}

function decodeCursor(cursor: string): { at: number; id: number } {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (Array.isArray(key) && key.length === 2 && key.every((v) => Number.isSafeInteger(v))) return { at: key[0] as number, id: key[1] as number };
  } catch {
    // fall through: a cursor we did not make
  }
  throw invalid('cursor', 'cursor is not valid for this list; start again without it');
}
