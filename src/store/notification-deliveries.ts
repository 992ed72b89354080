import type { Tx } from './transaction.js';

// Delivery records of notifications (migration 0029): every mail, digest and push, queued,
// sent, skipped (with why) or failed (with the error), for the user and admins to read.

export const DELIVERY_CHANNELS = ['email', 'digest', 'push'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const DELIVERY_STATUSES = ['queued', 'sent', 'skipped', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Why a delivery was skipped. */
export type SkipReason = 'read' | 'preference' | 'no_address' | 'no_subscription' | 'deleted';

export type NewDelivery = {
  userId: number;
  notificationId: number | null;
  conversationId: number | null;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  reason?: SkipReason | null;
  error?: string | null;
  target?: string | null;
};

export type DeliveryRecord = {
  id: number;
  userId: number;
  notificationId: number | null;
  conversationId: number | null;
  conversationNumber: number | null;
  channel: DeliveryChannel;
  status: DeliveryStatus;
  reason: string | null;
  error: string | null;
  target: string | null;
  createdAt: number;
  updatedAt: number;
};

/** Records deliveries; returns their ids in the order given. */
export async function recordDeliveries(tx: Tx, items: readonly NewDelivery[], now: number): Promise<number[]> {
  if (items.length === 0) return [];
  const rows = await tx
    .insertInto('notification_deliveries')
    .values(
      items.map((d) => ({
        userId: d.userId,
        notificationId: d.notificationId,
        conversationId: d.conversationId,
        channel: d.channel,
        status: d.status,
        reason: d.reason ?? null,
        error: d.error ? d.error.slice(0, 1000) : null,
        target: d.target ?? null,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => Number(r.id));
}

/** Sets the outcome of recorded deliveries (queued → sent / skipped / failed). */
export async function settleDeliveries(
  tx: Tx,
  ids: readonly number[],
  outcome: { status: DeliveryStatus; reason?: SkipReason | null; error?: string | null; target?: string | null },
  now: number,
): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .updateTable('notification_deliveries')
    .set({
      status: outcome.status,
      reason: outcome.reason ?? null,
      error: outcome.error ? outcome.error.slice(0, 1000) : null,
      ...(outcome.target !== undefined ? { target: outcome.target } : {}),
      updatedAt: now,
    })
    .where('id', 'in', [...ids])
    .execute();
}

/** The queued deliveries of a channel for these notifications (what a mail or digest is about to settle). */
export async function findQueuedDeliveries(
  tx: Tx,
  channel: DeliveryChannel,
  notificationIds: readonly number[],
): Promise<{ id: number; notificationId: number }[]> {
  if (notificationIds.length === 0) return [];
  const rows = await tx
    .selectFrom('notification_deliveries')
    .select(['id', 'notificationId'])
    .where('channel', '=', channel)
    .where('status', '=', 'queued')
    .where('notificationId', 'in', [...notificationIds])
    .execute();
  return rows.map((r) => ({ id: Number(r.id), notificationId: Number(r.notificationId) }));
}

/** A user's deliveries, newest first, keyset on id. */
export async function listDeliveries(tx: Tx, userId: number, options: { before: number | null; limit: number }): Promise<DeliveryRecord[]> {
  let query = tx
    .selectFrom('notification_deliveries as d')
    .leftJoin('conversations as c', 'c.id', 'd.conversationId')
    .select([
      'd.id',
      'd.userId',
      'd.notificationId',
      'd.conversationId',
      'c.number',
      'd.channel',
      'd.status',
      'd.reason',
      'd.error',
      'd.target',
      'd.createdAt',
      'd.updatedAt',
    ])
    .where('d.userId', '=', userId);
  if (options.before !== null) query = query.where('d.id', '<', options.before);
  const rows = await query.orderBy('d.id', 'desc').limit(options.limit).execute();
  const num = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    id: Number(r.id),
    userId: Number(r.userId),
    notificationId: num(r.notificationId),
    conversationId: num(r.conversationId),
    conversationNumber: num(r.number),
    channel: r.channel as DeliveryChannel,
    status: r.status as DeliveryStatus,
    reason: r.reason,
    error: r.error,
    target: r.target,
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
  }));
}

/**
 * Deletes up to `limit` deliveries older than `before`; returns how many (the 90-day
 * cleanup calls it until fewer than `limit` go, each call its own short transaction).
 * Deliveries are only ever added at the current time and deleted oldest first, so ids
 * follow `createdAt` and the old ones are the table's front: the statement reads the
 * first `limit` ids and no further, where a plain `createdAt < before` would scan the
 * whole table (there is no index on `createdAt`, and none is needed).
 */
export async function deleteDeliveriesBefore(tx: Tx, before: number, limit = 5000): Promise<number> {
  const front = await tx.selectFrom('notification_deliveries').select('id').orderBy('id').limit(limit).execute();
  const last = front.at(-1);
  if (!last) return 0;
  const result = await tx.deleteFrom('notification_deliveries').where('id', '<=', last.id).where('createdAt', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
