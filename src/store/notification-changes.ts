import type { Dialect } from './database.js';
import { lockEventOrder } from './events.js';
import { type NotificationPageRow, selectBellRows, toBellRow } from './notifications.js';
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

/** Notifications by id, shaped as the bell's list rows; silent ones are not shown. */
export async function findNotificationsByIds(tx: Tx, ids: readonly number[]): Promise<NotificationPageRow[]> {
  if (ids.length === 0) return [];
  const rows = await selectBellRows(tx)
    .where('n.id', 'in', [...new Set(ids)])
    .execute();
  return rows.map(toBellRow);
}
