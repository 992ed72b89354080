import type { Transporter } from 'nodemailer';
import {
  type MailSending,
  messageExcerpt,
  NOTIFICATION_DIGEST_JOB,
  NOTIFICATION_MAIL_JOB,
  notificationsForMail,
  prepareNotificationDigest,
  prepareNotificationMail,
  queuedOf,
  settleNotificationMail,
} from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import { NOTIFICATION_DIGEST_TIMER, NOTIFICATION_MAIL_TIMER } from '../../inbox/notifications/mail-plan.js';
import { formatConversationNumber } from '../../inbox/records.js';
import type { JobHandler, OutboxJob } from '../../jobs/outbox-worker.js';
import type { Module } from '../../modules.js';
import { claimNotificationThreadRoot, findNotification, finishNotification, startNotification } from '../../store/email.js';
import { transact } from '../../store/transaction.js';
import type { EmailChannel } from './index.js';
import { createDigestSender } from './notification-digest.js';
import { type Links, notificationMailText } from './notification-mail-text.js';
import { ourMessageId } from './thread-headers.js';
import { automaticHeaders, createMailTransport, describeFailure, isPermanentFailure } from './transport.js';

// Notification mail to team members (issue 18 "Email"), as a module of the composition
// root: the timers that decide (inbox/commands/notification-mail.ts) and the outbox jobs
// that send. Sending is once per job, as notifications.ts does it: the attempt is recorded
// by the job's key in email_notifications before the SMTP transaction and `sent` after the
// 250, so a retried job (a crash, a restart) sends nothing twice.
//
// Threading: the mails about one conversation for one user share one root Message-ID
// (deterministic per user and conversation). The first mail sent takes it as its own
// (claimNotificationThreadRoot: one taker, even when two workers send at once); later ones
// answer it with In-Reply-To/References and the same subject, so clients show one thread.

export type NotificationMailOptions = {
  inbox: InboxContext;
  /** The running email channel (its support address is the sender), or null without one. */
  channel: EmailChannel | null;
  smtpUrl: string | null;
  publicUrl: string;
  clock?: () => number;
};

/** What the senders share: the transport, the sender address, the links and send-once bookkeeping. */
export type NotificationMailer = {
  inbox: InboxContext;
  from: { name: string; address: string };
  domain: string;
  links: Links;
  clock: () => number;
  /** Sends once per job; resolves to the outcome the deliveries take. */
  sendOnce(job: OutboxJob, mail: OutgoingNotification): Promise<{ status: 'sent'; target: string } | { status: 'failed'; error: string }>;
};

export type OutgoingNotification = {
  kind: string;
  recipient: string;
  /** Decides the Message-ID inside the send-once transaction (the thread's root is claimed there). */
  messageId: (tx: Parameters<typeof claimNotificationThreadRoot>[0]) => Promise<{ id: string; inReplyTo?: string; references?: string[] }>;
  mail: Parameters<Transporter['sendMail']>[0];
};

const NOT_CONFIGURED = 'notification mail is not configured: set SMTP_URL and SUPPORT_ADDRESSES';

export function notificationMailModule(options: NotificationMailOptions): Module {
  const { inbox, channel, smtpUrl } = options;
  const sending: MailSending = channel && smtpUrl ? { ready: true } : { ready: false, error: NOT_CONFIGURED };
  const timerHandlers = {
    [NOTIFICATION_MAIL_TIMER]: (payload: unknown) => prepareNotificationMail(inbox, payload, sending),
    [NOTIFICATION_DIGEST_TIMER]: (payload: unknown) => prepareNotificationDigest(inbox, payload, sending),
  };
  if (!channel || !smtpUrl) return { name: 'notification-mail', timerHandlers };
  const transport = createMailTransport(smtpUrl);
  const mailer = createMailer(options, channel, transport);
  return {
    name: 'notification-mail',
    timerHandlers,
    jobHandlers: { [NOTIFICATION_MAIL_JOB]: createNotificationSender(mailer), [NOTIFICATION_DIGEST_JOB]: createDigestSender(mailer) },
    stop: async () => transport.close(),
  };
}

function createMailer(options: NotificationMailOptions, channel: EmailChannel, transport: Transporter): NotificationMailer {
  const { inbox, publicUrl } = options;
  const clock = options.clock ?? Date.now;
  const address = channel.support.primary;
  const base = publicUrl.replace(/\/+$/, '');
  const links: Links = { conversation: (id) => `${base}/inbox/all?conversation=${id}`, preferences: `${base}/profile` };
  const store = inbox.store;

  const sendOnce: NotificationMailer['sendOnce'] = async (job, outgoing) => {
    const previous = await findNotification(store.db, job.idempotencyKey);
    if (previous?.status === 'sent') return { status: 'sent', target: previous.recipient };
    if (previous?.status === 'failed') return { status: 'failed', error: previous.error ?? 'failed' };
    const ids = await transact(store, async (tx) => {
      const decided = await outgoing.messageId(tx);
      // A retry keeps the Message-ID its first attempt recorded: one mail, one id.
      const id = previous?.headerMessageId ?? decided.id;
      await startNotification(tx, { key: job.idempotencyKey, kind: outgoing.kind, recipient: outgoing.recipient, headerMessageId: id }, clock());
      return id === decided.id ? decided : { id };
    });
    const failed = async (error: unknown) => {
      const message = describeFailure(error);
      await transact(store, (tx) => finishNotification(tx, job.idempotencyKey, { status: 'failed', error: message }, clock()));
      return { status: 'failed' as const, error: message };
    };
    try {
      await transport.sendMail({
        ...outgoing.mail,
        messageId: `<${ids.id}>`,
        ...(ids.inReplyTo ? { inReplyTo: `<${ids.inReplyTo}>`, references: (ids.references ?? []).map((r) => `<${r}>`) } : {}),
      });
    } catch (error) {
      // A refusal for good (5xx) is not retried; anything else is, until the last attempt.
      if (isPermanentFailure(error) || job.lastAttempt) return failed(error);
      throw error;
    }
    await transact(store, (tx) => finishNotification(tx, job.idempotencyKey, { status: 'sent' }, clock()));
    return { status: 'sent', target: outgoing.recipient };
  };

  return { inbox, from: { name: 'Onethread', address }, domain: address.split('@')[1]!, links, clock, sendOnce };
}

/** The headers of every notification mail: no auto-responder answers it, and one click leads to the preferences. */
export function notificationHeaders(mailer: NotificationMailer, conversationNumber?: string): Record<string, string> {
  return {
    ...automaticHeaders('auto-generated'),
    Precedence: 'bulk',
    'List-Unsubscribe': `<${mailer.links.preferences}>`,
    ...(conversationNumber ? { 'X-Onethread-Conversation': conversationNumber } : {}),
  };
}

const parsePayload = (payload: unknown) => {
  const p = (payload ?? {}) as { notificationId?: unknown; deliveryIds?: unknown; covered?: unknown };
  const ids = Array.isArray(p.deliveryIds) ? p.deliveryIds.filter((id): id is number => Number.isInteger(id)) : [];
  return typeof p.notificationId === 'number'
    ? { notificationId: p.notificationId, deliveryIds: ids, covered: typeof p.covered === 'number' ? p.covered : 0 }
    : null;
};

function createNotificationSender(mailer: NotificationMailer): JobHandler {
  const { inbox } = mailer;
  const handler: JobHandler = async (payload, job) => {
    const given = parsePayload(payload);
    if (!given) return;
    const deliveries = await queuedOf(inbox, given.deliveryIds);
    if (deliveries.length === 0) return;
    const [n] = await notificationsForMail(inbox, [given.notificationId]);
    if (!n) return settleNotificationMail(inbox, deliveries, { status: 'skipped', reason: 'deleted' });
    const sent = await findNotification(inbox.store.db, job.idempotencyKey);
    // Read between the timer and this job: not mailed (unless this job got as far as sending).
    if (n.readAt !== null && !sent) return settleNotificationMail(inbox, deliveries, { status: 'skipped', reason: 'read' });
    const text = notificationMailText(n, Math.max(1, n.count - given.covered), await messageExcerpt(inbox, n.messageId), mailer.links);
    const root = ourMessageId(mailer.domain, 'notify', [n.userId, n.conversationId]);
    const outcome = await mailer.sendOnce(job, {
      kind: 'notification',
      recipient: n.userEmail,
      messageId: async (tx) => {
        const first = await claimNotificationThreadRoot(
          tx,
          { key: `notification.thread:${n.userId}:${n.conversationId}`, recipient: n.userEmail, headerMessageId: root },
          mailer.clock(),
        );
        return first ? { id: root } : { id: ourMessageId(mailer.domain, 'notify', [job.idempotencyKey]), inReplyTo: root, references: [root] };
      },
      mail: {
        from: mailer.from,
        to: { name: n.userName, address: n.userEmail },
        subject: text.subject,
        text: text.text,
        html: text.html,
        headers: notificationHeaders(mailer, formatConversationNumber(n.conversationNumber)),
      },
    });
    await settleNotificationMail(inbox, deliveries, outcome);
  };
  handler.abandon = async (payload, error) => {
    const given = parsePayload(payload);
    if (given) await settleNotificationMail(inbox, given.deliveryIds, { status: 'failed', error });
  };
  return handler;
}
