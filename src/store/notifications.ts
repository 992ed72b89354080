import { sql } from 'kysely';
import type { Role } from './schema.js';
import type { Tx } from './transaction.js';

// In-app notifications (migration 0028). Written by the inbox commands only; the unread
// count is the counter row `notifications:<userId>`, which the commands keep (addToCounters)
// from what these functions report they changed.

export const notificationCounterKey = (userId: number): string => `notifications:${userId}`;

export type NewNotification = {
  userId: number;
  kind: string;
  conversationId: number;
  messageId: number | null;
  actorId: number | null;
  actorName: string;
  at: number;
};

export type NotificationPageRow = {
  id: number;
  kind: string;
  conversationId: number;
  conversationNumber: number;
  subject: string;
  messageId: number | null;
  actorId: number | null;
  actorName: string;
  count: number;
  firstAt: number;
  lastAt: number;
  readAt: number | null;
};

/** Who may be told: active users among `ids`, with what the visibility policy needs. */
export async function findNotifiableUsers(tx: Tx, ids: readonly number[]): Promise<{ id: number; role: Role; emailVerifiedAt: number | null }[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .selectFrom('users')
    .select(['id', 'role', 'emailVerifiedAt'])
    .where('id', 'in', [...new Set(ids)])
    .where('deactivatedAt', 'is', null)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), role: r.role, emailVerifiedAt: r.emailVerifiedAt === null ? null : Number(r.emailVerifiedAt) }));
}

/**
 * Adds each notification, or folds it into the user's unread row of the same group
 * (count + 1, the latest time, message and actor). One statement for all of them, in user
 * order so that two transactions lock rows alike. Returns the users who got a NEW unread
 * row: a folded row comes back with count > 1, a new one with 1 — the same on both databases.
 */
export async function upsertNotifications(tx: Tx, items: readonly NewNotification[]): Promise<number[]> {
  if (items.length === 0) return [];
  const values = [...items]
    .sort((a, b) => a.userId - b.userId)
    .map((n) => ({
      userId: n.userId,
      kind: n.kind,
      conversationId: n.conversationId,
      messageId: n.messageId,
      actorId: n.actorId,
      actorName: n.actorName,
      groupKey: `${n.kind}:${n.conversationId}`,
      count: 1,
      firstAt: n.at,
      lastAt: n.at,
      readAt: null,
      createdAt: n.at,
    }));
  const rows = await tx
    .insertInto('notifications')
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(['userId', 'groupKey'])
        .where('readAt', 'is', null)
        .doUpdateSet((eb) => ({
          count: sql<number>`notifications.count + 1`,
          lastAt: eb.ref('excluded.lastAt'),
          messageId: eb.ref('excluded.messageId'),
          actorId: eb.ref('excluded.actorId'),
          actorName: eb.ref('excluded.actorName'),
        })),
    )
    .returning(['userId', 'count'])
    .execute();
  return rows.filter((r) => Number(r.count) === 1).map((r) => Number(r.userId));
}

export type ReadScope = { ids: readonly number[] } | { conversationId: number } | { all: true };

/** Marks the user's unread notifications in `scope` read; returns how many it changed. */
export async function markNotificationsRead(tx: Tx, userId: number, scope: ReadScope, now: number): Promise<number> {
  let query = tx.updateTable('notifications').set({ readAt: now }).where('userId', '=', userId).where('readAt', 'is', null);
  if ('ids' in scope) {
    if (scope.ids.length === 0) return 0;
    query = query.where('id', 'in', [...scope.ids]);
  } else if ('conversationId' in scope) query = query.where('conversationId', '=', scope.conversationId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes a conversation's notifications; returns how many unread ones each user lost. */
export async function deleteConversationNotifications(tx: Tx, conversationId: number): Promise<Map<number, number>> {
  const rows = await tx.deleteFrom('notifications').where('conversationId', '=', conversationId).returning(['userId', 'readAt']).execute();
  const unread = new Map<number, number>();
  for (const r of rows) if (r.readAt === null) unread.set(Number(r.userId), (unread.get(Number(r.userId)) ?? 0) + 1);
  return unread;
}

/** A page of the user's notifications newest first, after the keyset `after`, with each conversation's number and subject. */
export async function listNotificationsPage(
  tx: Tx,
  userId: number,
  options: { unread: boolean; after: { at: number; id: number } | null; limit: number },
): Promise<NotificationPageRow[]> {
  let query = tx
    .selectFrom('notifications as n')
    .innerJoin('conversations as c', 'c.id', 'n.conversationId')
    .select([
      'n.id',
      'n.kind',
      'n.conversationId',
      'c.number',
      'c.subject',
      'n.messageId',
      'n.actorId',
      'n.actorName',
      'n.count',
      'n.firstAt',
      'n.lastAt',
      'n.readAt',
    ])
    .where('n.userId', '=', userId);
  if (options.unread) query = query.where('n.readAt', 'is', null);
  const after = options.after;
  // Row-value comparison, (a, b) < (x, y): both planners turn it into an index range.
  if (after) query = query.where(sql<boolean>`(n."lastAt", n.id) < (${sql.val(after.at)}, ${sql.val(after.id)})`);
  const rows = await query.orderBy('n.lastAt', 'desc').orderBy('n.id', 'desc').limit(options.limit).execute();
  const num = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    conversationId: Number(r.conversationId),
    conversationNumber: Number(r.number),
    subject: r.subject,
    messageId: num(r.messageId),
    actorId: num(r.actorId),
    actorName: r.actorName,
    count: Number(r.count),
    firstAt: Number(r.firstAt),
    lastAt: Number(r.lastAt),
    readAt: num(r.readAt),
  }));
}
