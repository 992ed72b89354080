import { findQueuedDeliveries, type NewDelivery, recordDeliveries } from '../../store/notification-deliveries.js';
import { setNotificationMailDue } from '../../store/notifications.js';
import { setTimerIfAbsent } from '../../store/timers.js';
import type { Unit } from '../commands/unit.js';
import type { ChangedNotification } from './deliver.js';
import { nextDigestSlot } from './digest-slot.js';
import type { TeamNotificationSettings } from './preferences.js';

// Notification mail, planned in the command's transaction (issue 18 "Email"): a timer per
// notification for an immediate mail after the team's delay, or a place in the user's next
// digest. Nothing is mailed here: when the timer fires (inbox/commands/notification-mail.ts)
// the notification may have been read, or mail switched off, meanwhile. Every plan leaves a
// delivery row, so "why didn't I get it" has an answer.

/** One notification's mail: fires after the delay. */
export const NOTIFICATION_MAIL_TIMER = 'notification.mail';
/** A user's digest: fires at their next slot. */
export const NOTIFICATION_DIGEST_TIMER = 'notification.digest';

export const notificationMailTimerKey = (notificationId: number) => `notification-mail:${notificationId}`;
export const notificationDigestTimerKey = (userId: number) => `notification-digest:${userId}`;

/**
 * The mail timer's payload. `covered`: events of the row an earlier mail already told of
 * (a row still unread after its mail gets a further event: the next mail counts the new ones).
 */
export type NotificationMailTimerPayload = { notificationId: number; covered: number };
export type NotificationDigestTimerPayload = { userId: number };

export async function planNotificationMail(unit: Unit, changed: readonly ChangedNotification[], team: TeamNotificationSettings): Promise<void> {
  const { tx } = unit;
  const now = unit.ctx.clock();
  const deliveries: NewDelivery[] = [];
  const delivery = (n: ChangedNotification, channel: 'email' | 'digest', extra: Partial<NewDelivery> = {}): NewDelivery => ({
    userId: n.userId,
    notificationId: n.id,
    conversationId: n.conversationId,
    channel,
    status: 'queued',
    ...extra,
  });

  for (const n of changed.filter((c) => c.channels.email === 'immediate')) {
    // A fold into a row whose mail is still to come: that mail will tell of this event too,
    // and the row says so without asking the timers table.
    if (!n.created && n.mailDueAt !== null && n.mailDueAt > now) continue;
    // Armed only when none waits: a further event folded into the row must not push its mail back.
    const payload: NotificationMailTimerPayload = { notificationId: n.id, covered: n.created ? 0 : n.count - 1 };
    const timer = { key: notificationMailTimerKey(n.id), kind: NOTIFICATION_MAIL_TIMER, dueAt: n.at + team.mailDelaySeconds * 1000, payload };
    if (!(await setTimerIfAbsent(tx, timer, now))) continue;
    deliveries.push(delivery(n, 'email'));
    // A new row was written with its due time; a row armed again (its first mail went, it is still unread) learns it now.
    if (!n.created) await setNotificationMailDue(tx, n.id, timer.dueAt);
  }

  const digested = changed.filter((c) => c.channels.email === 'digest');
  if (digested.length > 0) {
    const queued = new Set(
      (
        await findQueuedDeliveries(
          tx,
          'digest',
          digested.map((n) => n.id),
        )
      ).map((d) => d.notificationId),
    );
    for (const n of digested) {
      if (!queued.has(n.id)) deliveries.push(delivery(n, 'digest'));
      const payload: NotificationDigestTimerPayload = { userId: n.userId };
      const dueAt = nextDigestSlot(n.preferences.digest, now);
      await setTimerIfAbsent(tx, { key: notificationDigestTimerKey(n.userId), kind: NOTIFICATION_DIGEST_TIMER, dueAt, payload }, now);
    }
  }

  // Mail switched off for this kind (by the user or an admin): said once, when the row is made.
  for (const n of changed.filter((c) => c.channels.email === 'off' && c.created))
    deliveries.push(delivery(n, 'email', { status: 'skipped', reason: 'preference' }));

  await recordDeliveries(tx, deliveries, now);
}
