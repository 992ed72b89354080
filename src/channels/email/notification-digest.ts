import { notificationsForMail, queuedOf, settleNotificationMail } from '../../inbox/commands.js';
import type { JobHandler } from '../../jobs/outbox-worker.js';
import type { NotificationMailer } from './notification-mail.js';
import { notificationHeaders } from './notification-mail.js';
import { digestMailText } from './notification-mail-text.js';
import { ourMessageId } from './thread-headers.js';

// The digest's sending job (issue 18 "Email"): one mail listing the conversations of the
// user's queued digest deliveries whose notifications are still unread. What was read since
// the timer decided is left out (`skipped: read`), and a digest with nothing left is not sent.

const parsePayload = (payload: unknown) => {
  const p = (payload ?? {}) as { userId?: unknown; deliveryIds?: unknown; notificationIds?: unknown };
  const ints = (v: unknown) => (Array.isArray(v) ? v.filter((id): id is number => Number.isInteger(id)) : []);
  return typeof p.userId === 'number' ? { userId: p.userId, deliveryIds: ints(p.deliveryIds), notificationIds: ints(p.notificationIds) } : null;
};

export function createDigestSender(mailer: NotificationMailer): JobHandler {
  const { inbox } = mailer;
  const handler: JobHandler = async (payload, job) => {
    const given = parsePayload(payload);
    if (!given) return;
    const deliveries = await queuedOf(inbox, given.deliveryIds);
    if (deliveries.length === 0) return;
    const unread = new Map(
      (await notificationsForMail(inbox, given.notificationIds)).filter((n) => n.userId === given.userId && n.readAt === null).map((n) => [n.id, n]),
    );
    const about = new Map(given.deliveryIds.map((id, i) => [id, given.notificationIds[i]]));
    const gone = deliveries.filter((id) => !unread.has(about.get(id) ?? -1));
    const listed = deliveries.filter((id) => unread.has(about.get(id) ?? -1));
    // Read (or deleted) since the timer decided: left out; never an empty digest.
    if (gone.length > 0) await settleNotificationMail(inbox, gone, { status: 'skipped', reason: 'read' });
    if (listed.length === 0) return;
    const items = [...new Set(listed.map((id) => unread.get(about.get(id)!)!))];
    const text = digestMailText(items, mailer.links);
    const recipient = items[0]!;
    const outcome = await mailer.sendOnce(job, {
      kind: 'notification_digest',
      recipient: recipient.userEmail,
      messageId: async () => ({ id: ourMessageId(mailer.domain, 'digest', [job.idempotencyKey]) }),
      mail: {
        from: mailer.from,
        to: { name: recipient.userName, address: recipient.userEmail },
        subject: text.subject,
        text: text.text,
        html: text.html,
        headers: notificationHeaders(mailer),
      },
    });
    await settleNotificationMail(inbox, listed, outcome);
  };
  handler.abandon = async (payload, error) => {
    const given = parsePayload(payload);
    if (given) await settleNotificationMail(inbox, given.deliveryIds, { status: 'failed', error });
  };
  return handler;
}
