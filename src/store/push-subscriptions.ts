import type { Tx } from './transaction.js';

// Web Push subscriptions (migration 0030) and what a push about one notification reads.

export type PushSubscriptionRecord = {
  id: number;
  userId: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  userAgent: string | null;
  createdAt: number;
  lastSuccessAt: number | null;
  failures: number;
};

export type NewPushSubscription = { userId: number; endpoint: string; p256dh: string; auth: string; userAgent: string | null };

type Row = {
  id: number | string;
  userId: number | string;
  endpoint: string;
  p256dh: string;
  auth: string;
  userAgent: string | null;
  createdAt: number | string;
  lastSuccessAt: number | string | null;
  failures: number | string;
};

const toRecord = (r: Row): PushSubscriptionRecord => ({
  id: Number(r.id),
  userId: Number(r.userId),
  endpoint: r.endpoint,
  p256dh: r.p256dh,
  auth: r.auth,
  userAgent: r.userAgent,
  createdAt: Number(r.createdAt),
  lastSuccessAt: r.lastSuccessAt === null ? null : Number(r.lastSuccessAt),
  failures: Number(r.failures),
});

/**
 * Adds the subscription, or takes over the row of its endpoint (the same browser subscribing
 * again, perhaps signed in as someone else now: it is theirs from here on, with its new keys).
 * `created`: there was no row for the endpoint before.
 */
export async function upsertPushSubscription(
  tx: Tx,
  sub: NewPushSubscription,
  now: number,
): Promise<{ subscription: PushSubscriptionRecord; created: boolean }> {
  const before = await tx.selectFrom('push_subscriptions').select(['id', 'userId']).where('endpoint', '=', sub.endpoint).executeTakeFirst();
  const moved = before !== undefined && Number(before.userId) !== sub.userId;
  const row = await tx
    .insertInto('push_subscriptions')
    .values({ ...sub, createdAt: now, lastSuccessAt: null, failures: 0 })
    .onConflict((oc) =>
      oc.column('endpoint').doUpdateSet({
        userId: sub.userId,
        p256dh: sub.p256dh,
        auth: sub.auth,
        userAgent: sub.userAgent,
        failures: 0,
        // Another user's browser becomes this one's: its history is not theirs.
        ...(moved ? { createdAt: now, lastSuccessAt: null } : {}),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { subscription: toRecord(row), created: before === undefined };
}

/** Keeps `current` and the user's `keep - 1` most recently subscribed other browsers, deleting older ones; returns how many went. */
export async function trimPushSubscriptions(tx: Tx, userId: number, keep: number, current: number): Promise<number> {
  const kept = tx
    .selectFrom('push_subscriptions')
    .select('id')
    .where('userId', '=', userId)
    .where('id', '!=', current)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.max(0, keep - 1));
  const result = await tx
    .deleteFrom('push_subscriptions')
    .where('userId', '=', userId)
    .where('id', '!=', current)
    .where('id', 'not in', kept)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function listPushSubscriptions(tx: Tx, userId: number): Promise<PushSubscriptionRecord[]> {
  const rows = await tx.selectFrom('push_subscriptions').selectAll().where('userId', '=', userId).orderBy('id').execute();
  return rows.map(toRecord);
}

/** Deletes one of the user's subscriptions; false when the user has none of that id. */
export async function deleteUserPushSubscription(tx: Tx, userId: number, id: number): Promise<boolean> {
  const result = await tx.deleteFrom('push_subscriptions').where('id', '=', id).where('userId', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes a subscription the push service said is gone (404/410). */
export async function deletePushSubscription(tx: Tx, id: number): Promise<void> {
  await tx.deleteFrom('push_subscriptions').where('id', '=', id).execute();
}

/** Of these users, those with at least one subscription (who a push job is worth queueing for). */
export async function usersWithPushSubscriptions(tx: Tx, userIds: readonly number[]): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = await tx
    .selectFrom('push_subscriptions')
    .select('userId')
    .distinct()
    .where('userId', 'in', [...new Set(userIds)])
    .execute();
  return new Set(rows.map((r) => Number(r.userId)));
}

/** After a send: a success resets the failures, a failure adds one. */
export async function recordPushOutcome(tx: Tx, id: number, succeeded: boolean, now: number): Promise<void> {
  await tx
    .updateTable('push_subscriptions')
    .set(succeeded ? { lastSuccessAt: now, failures: 0 } : (eb) => ({ failures: eb('failures', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** What a push about one notification says: the notification now, its conversation, and the message it is about. */
export type PushContext = {
  notification: { id: number; userId: number; kind: string; count: number; readAt: number | null; actorName: string; conversationId: number };
  conversation: { id: number; number: number; subject: string };
  message: { body: string; isInternal: boolean } | null;
};

export async function readPushContext(tx: Tx, notificationId: number): Promise<PushContext | null> {
  const row = await tx
    .selectFrom('notifications as n')
    .innerJoin('conversations as c', 'c.id', 'n.conversationId')
    .leftJoin('messages as m', (join) => join.onRef('m.id', '=', 'n.messageId').onRef('m.conversationId', '=', 'n.conversationId'))
    .select(['n.id', 'n.userId', 'n.kind', 'n.count', 'n.readAt', 'n.actorName', 'n.conversationId', 'c.number', 'c.subject', 'm.body', 'm.isInternal'])
    .where('n.id', '=', notificationId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    notification: {
      id: Number(row.id),
      userId: Number(row.userId),
      kind: row.kind,
      count: Number(row.count),
      readAt: row.readAt === null ? null : Number(row.readAt),
      actorName: row.actorName,
      conversationId: Number(row.conversationId),
    },
    conversation: { id: Number(row.conversationId), number: Number(row.number), subject: row.subject },
    message: row.body === null || row.body === undefined ? null : { body: row.body, isInternal: Number(row.isInternal) === 1 },
  };
}
