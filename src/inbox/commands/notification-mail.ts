import { findQueuedDeliveries, type SkipReason, settleDeliveries } from '../../store/notification-deliveries.js';
import {
  findDeliveryStatuses,
  findMessageExcerpt,
  findNotificationsForMail,
  findQueuedDeliveriesOfUser,
  type NotificationForMail,
} from '../../store/notification-mail.js';
import { enqueueJobs } from '../../store/outbox.js';
import type { InboxContext } from '../context.js';
import type { NotificationDigestTimerPayload, NotificationMailTimerPayload } from '../notifications/mail-plan.js';
import { channelsFor, isNotificationKind, loadPreferences } from '../notifications/preferences.js';
import { isTeam } from '../policies.js';
import { inUnit, type Unit } from './unit.js';

// A notification's mail when its timer fires (issue 18 "Email"): what happened during the
// delay decides, in ONE transaction — the notification deleted, read (opening the
// conversation marks it read), mail switched off meanwhile (by the user or an admin), the
// user gone or without an address — each settles its delivery `skipped` with why; else an
// outbox job that sends it (channels/email/notification-mail.ts) is queued in the same
// commit, so a crash loses nothing and a fired-twice timer queues one job (its key).

export const NOTIFICATION_MAIL_JOB = 'email.notification';
export const NOTIFICATION_DIGEST_JOB = 'email.notification_digest';

/** What the sending jobs carry: the deliveries they settle, and what the mail is about. */
export type NotificationMailJobPayload = { notificationId: number; deliveryIds: number[]; covered: number };
/** `notificationIds[i]` is what `deliveryIds[i]` delivers. */
export type NotificationDigestJobPayload = { userId: number; deliveryIds: number[]; notificationIds: number[] };

/** Whether mail can go at all: without SMTP (or support addresses) every mail fails with this. */
export type MailSending = { ready: true } | { ready: false; error: string };

const intOf = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null);

/** A user who can take mail: an active team member with an address somebody reads. */
const hasAddress = (n: NotificationForMail) =>
  n.userDeactivatedAt === null && isTeam({ role: n.userRole }) && n.userEmail.includes('@') && !/\.invalid$/i.test(n.userEmail);

async function settle(unit: Unit, ids: readonly number[], status: 'skipped' | 'failed', why: { reason?: SkipReason; error?: string }) {
  await settleDeliveries(unit.tx, ids, { status, reason: why.reason ?? null, error: why.error ?? null }, unit.ctx.clock());
}

/** The mail timer fired: skip it (and say why) or queue the job that sends it. */
export async function prepareNotificationMail(ctx: InboxContext, payload: unknown, sending: MailSending): Promise<void> {
  const given = (payload ?? {}) as Partial<NotificationMailTimerPayload>;
  const notificationId = intOf(given.notificationId);
  if (notificationId === null) return;
  const covered = typeof given.covered === 'number' && given.covered >= 0 ? given.covered : 0;
  await inUnit(ctx, async (unit) => {
    const ids = (await findQueuedDeliveries(unit.tx, 'email', [notificationId])).map((d) => d.id);
    // Stale (a second firing, or settled already): nothing is waiting.
    if (ids.length === 0) return;
    const [n] = await findNotificationsForMail(unit.tx, [notificationId]);
    if (!n) return settle(unit, ids, 'skipped', { reason: 'deleted' });
    if (n.readAt !== null) return settle(unit, ids, 'skipped', { reason: 'read' });
    const prefs = (await loadPreferences(unit.tx, [n.userId])).get(n.userId)!;
    if (!isNotificationKind(n.kind) || channelsFor(prefs, n.kind).email !== 'immediate') return settle(unit, ids, 'skipped', { reason: 'preference' });
    if (!hasAddress(n)) return settle(unit, ids, 'skipped', { reason: 'no_address' });
    if (!sending.ready) return settle(unit, ids, 'failed', { error: sending.error });
    const job: NotificationMailJobPayload = { notificationId, deliveryIds: ids, covered };
    await enqueueJobs(
      unit.tx,
      [{ kind: NOTIFICATION_MAIL_JOB, payload: job, idempotencyKey: `${NOTIFICATION_MAIL_JOB}:${ids[0]}`, runAt: unit.ctx.clock() }],
      unit.ctx.clock(),
    );
  });
}

/** The digest timer fired: one mail of the user's queued, still unread notifications, never an empty one. */
export async function prepareNotificationDigest(ctx: InboxContext, payload: unknown, sending: MailSending): Promise<void> {
  const userId = intOf(((payload ?? {}) as Partial<NotificationDigestTimerPayload>).userId);
  if (userId === null) return;
  await inUnit(ctx, async (unit) => {
    const queued = await findQueuedDeliveriesOfUser(unit.tx, userId, 'digest');
    if (queued.length === 0) return;
    const rows = new Map(
      (
        await findNotificationsForMail(
          unit.tx,
          queued.flatMap((d) => (d.notificationId === null ? [] : [d.notificationId])),
        )
      ).map((n) => [n.id, n]),
    );
    const prefs = (await loadPreferences(unit.tx, [userId])).get(userId)!;
    const skipped: Record<'deleted' | 'read' | 'preference' | 'no_address', number[]> = { deleted: [], read: [], preference: [], no_address: [] };
    const kept: { deliveryId: number; notification: NotificationForMail }[] = [];
    for (const d of queued) {
      const n = d.notificationId === null ? undefined : rows.get(d.notificationId);
      if (!n) skipped.deleted.push(d.id);
      else if (n.readAt !== null) skipped.read.push(d.id);
      // Switched to immediate meanwhile still goes in this digest: it was promised a mail.
      else if (!isNotificationKind(n.kind) || channelsFor(prefs, n.kind).email === 'off') skipped.preference.push(d.id);
      else if (!hasAddress(n)) skipped.no_address.push(d.id);
      else kept.push({ deliveryId: d.id, notification: n });
    }
    for (const [reason, ids] of Object.entries(skipped) as [SkipReason, number[]][]) await settle(unit, ids, 'skipped', { reason });
    if (kept.length === 0) return;
    const deliveryIds = kept.map((k) => k.deliveryId);
    if (!sending.ready) return settle(unit, deliveryIds, 'failed', { error: sending.error });
    const job: NotificationDigestJobPayload = { userId, deliveryIds, notificationIds: kept.map((k) => k.notification.id) };
    await enqueueJobs(
      unit.tx,
      [{ kind: NOTIFICATION_DIGEST_JOB, payload: job, idempotencyKey: `${NOTIFICATION_DIGEST_JOB}:${userId}:${deliveryIds[0]}`, runAt: unit.ctx.clock() }],
      unit.ctx.clock(),
    );
  });
}

/** Of these deliveries, the ones still queued (a job settles nothing twice). */
export async function queuedOf(ctx: InboxContext, ids: readonly number[]): Promise<number[]> {
  const statuses = await findDeliveryStatuses(ctx.store.db, ids);
  return ids.filter((id) => statuses.get(id) === 'queued');
}

/** The sending job's outcome: `sent` to the address, or `failed` with the server's answer. */
export async function settleNotificationMail(
  ctx: InboxContext,
  ids: readonly number[],
  outcome: { status: 'sent'; target: string } | { status: 'failed'; error: string } | { status: 'skipped'; reason: SkipReason },
): Promise<void> {
  await inUnit(ctx, async (unit) => {
    const statuses = await findDeliveryStatuses(unit.tx, ids);
    const still = ids.filter((id) => statuses.get(id) === 'queued');
    await settleDeliveries(unit.tx, still, { reason: null, error: null, ...outcome }, unit.ctx.clock());
  });
}

/** The notifications a mail is about, with their conversation and recipient (read outside any unit). */
export function notificationsForMail(ctx: InboxContext, ids: readonly number[]): Promise<NotificationForMail[]> {
  return findNotificationsForMail(ctx.store.db, ids);
}

/** A message's text for the mail's excerpt; null for an internal note, which no mail carries. */
export function messageExcerpt(ctx: InboxContext, messageId: number | null): Promise<string | null> {
  return messageId === null ? Promise.resolve(null) : findMessageExcerpt(ctx.store.db, messageId);
}
