import type { Dialect } from './database.js';
import { lockEventOrder } from './events.js';
import type { NotificationPageRow } from './notifications.js';
import type { NotificationChangesTable } from './schema.js';
import type { Tx } from './transaction.js';

// The feed of live notification frames (migration 0031), written in the commands'
// transactions and tailed by every instance's hub with its own cursor.

export type NotificationChangeOp = NotificationChangesTable['op'];
export type NewNotificationChange = { userId: number; notificationId: number | null; op: NotificationChangeOp; scope: unknown; createdAt: number };
export type NotificationChange = { id: number; userId: number; notificationId: number | null; op: NotificationChangeOp; scope: unknown; createdAt: number };

/**
 * Appends changes (reads; created / updated rows come with the notifications' own upsert).
 * Under the event order lock, as events are: a hub reading "id > cursor" must never pass an
 * id whose transaction commits later (store/events.ts).
 */
export async function insertNotificationChanges(tx: Tx, dialect: Dialect, changes: readonly NewNotificationChange[]): Promise<void> {
  if (changes.length === 0) return;
  await lockEventOrder(tx, dialect);
  // A plain multi-row insert: measured against one JSON parameter expanded in SQL (as
  // upsertNotifications does), it is as fast on PostgreSQL and faster on SQLite.
  await tx
    .insertInto('notification_changes')
    .values(
      changes.map((c) => ({
        userId: c.userId,
        notificationId: c.notificationId,
        op: c.op,
        scope: c.scope === undefined || c.scope === null ? null : JSON.stringify(c.scope),
        createdAt: c.createdAt,
      })),
    )
    .execute();
}

/** Changes after `after`, in id order. */
export async function listNotificationChangesSince(tx: Tx, after: number, limit: number): Promise<NotificationChange[]> {
  const rows = await tx.selectFrom('notification_changes').selectAll().where('id', '>', after).orderBy('id').limit(limit).execute();
  return rows.map((r) => {
    let scope: unknown = null;
    try {
      scope = r.scope === null ? null : JSON.parse(r.scope);
    } catch {
      // A scope that does not parse still says "something was read": the frame carries the count.
    }
    return {
      id: Number(r.id),
      userId: Number(r.userId),
      notificationId: r.notificationId === null ? null : Number(r.notificationId),
      op: r.op,
      scope,
      createdAt: Number(r.createdAt),
    };
  });
}

/** The newest change id, 0 when there is none: where a hub starts. */
export async function latestNotificationChangeId(tx: Tx): Promise<number> {
  const row = await tx
    .selectFrom('notification_changes')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return row?.id == null ? 0 : Number(row.id);
}

/** Forgets changes older than `before`: frames are never replayed, so a day's rows are plenty for any hub's cursor. */
export async function deleteNotificationChangesBefore(tx: Tx, before: number): Promise<number> {
  const result = await tx.deleteFrom('notification_changes').where('createdAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Notifications by id, shaped as the bell's list rows (with the conversation's number and subject); silent ones are not shown. */
export async function findNotificationsByIds(tx: Tx, ids: readonly number[]): Promise<NotificationPageRow[]> {
  if (ids.length === 0) return [];
  const rows = await tx
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
    .where('n.id', 'in', [...new Set(ids)])
    .where('n.silent', '=', 0)
    .execute();
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
