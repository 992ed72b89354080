import type { Role } from './schema.js';
import type { Tx } from './transaction.js';

// What a notification mail or digest is made of (issue 18 "Email"): the notification rows
// with their conversation and recipient, read when the mail's timer fires and again when
// its job writes the mail.

export type NotificationForMail = {
  id: number;
  userId: number;
  kind: string;
  conversationId: number;
  messageId: number | null;
  count: number;
  actorName: string;
  lastAt: number;
  readAt: number | null;
  conversationNumber: number;
  subject: string;
  userEmail: string;
  userName: string;
  userRole: Role;
  userDeactivatedAt: number | null;
};

/** The notifications that still exist among `ids`, with their conversation and user. */
export async function findNotificationsForMail(tx: Tx, ids: readonly number[]): Promise<NotificationForMail[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .selectFrom('notifications as n')
    .innerJoin('conversations as c', 'c.id', 'n.conversationId')
    .innerJoin('users as u', 'u.id', 'n.userId')
    .select([
      'n.id',
      'n.userId',
      'n.kind',
      'n.conversationId',
      'n.messageId',
      'n.count',
      'n.actorName',
      'n.lastAt',
      'n.readAt',
      'c.number',
      'c.subject',
      'u.email',
      'u.name',
      'u.role',
      'u.deactivatedAt',
    ])
    .where('n.id', 'in', [...ids])
    .orderBy('n.lastAt', 'desc')
    .orderBy('n.id', 'desc')
    .execute();
  const num = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    id: Number(r.id),
    userId: Number(r.userId),
    kind: r.kind,
    conversationId: Number(r.conversationId),
    messageId: num(r.messageId),
    count: Number(r.count),
    actorName: r.actorName,
    lastAt: Number(r.lastAt),
    readAt: num(r.readAt),
    conversationNumber: Number(r.number),
    subject: r.subject,
    userEmail: r.email,
    userName: r.name,
    userRole: r.role,
    userDeactivatedAt: num(r.deactivatedAt),
  }));
}

/** A user's queued deliveries of one channel (a digest's content), oldest first. */
export async function findQueuedDeliveriesOfUser(
  tx: Tx,
  userId: number,
  channel: 'email' | 'digest',
): Promise<{ id: number; notificationId: number | null; conversationId: number | null }[]> {
  const rows = await tx
    .selectFrom('notification_deliveries')
    .select(['id', 'notificationId', 'conversationId'])
    .where('userId', '=', userId)
    .where('channel', '=', channel)
    .where('status', '=', 'queued')
    .orderBy('id')
    .execute();
  const num = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({ id: Number(r.id), notificationId: num(r.notificationId), conversationId: num(r.conversationId) }));
}

/** Deliveries by id with their status (a job settles only what is still queued). */
export async function findDeliveryStatuses(tx: Tx, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .selectFrom('notification_deliveries')
    .select(['id', 'status'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.status]));
}

/** A message's text for a mail's excerpt; null for an internal note (never mailed to anyone but in the app). */
export async function findMessageExcerpt(tx: Tx, messageId: number): Promise<string | null> {
  const row = await tx.selectFrom('messages').select(['body', 'isInternal']).where('id', '=', messageId).executeTakeFirst();
  if (!row || Number(row.isInternal) === 1) return null;
  return row.body;
}
