import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import type { InboxContext } from '../../inbox/context.js';
import type { JobHandler, OutboxJob } from '../../jobs/outbox-worker.js';
import type { Store } from '../../store/database.js';
import { findInboundByMessageRows, findMessageToMail, findNotification, finishNotification, recordMessageIds, startNotification } from '../../store/email.js';
import { transact } from '../../store/transaction.js';
import { existingConversation } from './conversations.js';
import { isMailable } from './outbound.js';
import { escapeHtml } from './quotes.js';
import type { ReplyTokens, SupportAddresses } from './reply-address.js';
import { ourMessageId, replySubject, threadHeaders } from './thread-headers.js';
import { automaticHeaders, describeFailure, isPermanentFailure } from './transport.js';

// Mails Onethread writes itself, which are not inbox messages: the acknowledgement of a
// new conversation (and the contact form's confirmation), and account links (verify an
// address, reset a password) queued by src/accounts/account-links.ts.
//
// Each is sent once per job: the attempt is recorded by the job's idempotency key before
// the SMTP transaction (email_notifications), `sent` after the 250, so a retried job
// sends nothing (with the same at-least-once window as replies, see outbound.ts). A mail
// the server refuses for good (5xx) is recorded `failed` and not retried.

export const EMAIL_ACKNOWLEDGEMENT_JOB = 'email.acknowledgement';
export const EMAIL_ACCOUNT_LINK_JOB = 'email.account_link';

export const AcknowledgementJobPayload = z.object({
  conversationId: z.number().int().positive(),
  /** The customer's first message. */
  messageId: z.number().int().positive(),
  /** The contact form's confirmation (always sent), rather than an acknowledgement (EMAIL_ACKNOWLEDGE). */
  confirm: z.boolean(),
});
export type AcknowledgementJobPayload = z.infer<typeof AcknowledgementJobPayload>;

/** What src/accounts/account-links.ts queues (AccountLinkJob). */
const AccountLinkPayload = z.object({
  userId: z.number().int().positive(),
  email: z.string().min(3).max(254),
  name: z.string().max(200),
  purpose: z.enum(['verify', 'reset']),
  url: z.url({ protocol: /^https?$/ }),
});

export type NotificationSenderDeps = {
  store: Store;
  inbox: InboxContext;
  support: SupportAddresses;
  tokens: ReplyTokens;
  transport: Transporter;
  clock: () => number;
};

type Outgoing = { kind: string; recipient: string; headerMessageId: string; mail: Parameters<Transporter['sendMail']>[0] };

const QUOTE_LIMIT = 2000;
const quote = (text: string) => (text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);

export function createNotificationSenders(deps: NotificationSenderDeps): Record<string, JobHandler> {
  const { store, inbox, support, tokens, transport, clock } = deps;
  const domain = support.primary.split('@')[1]!;

  /** Sends the mail once for this job. */
  async function sendOnce(job: OutboxJob, outgoing: Outgoing): Promise<void> {
    await transact(store, (tx) => startNotification(tx, { key: job.idempotencyKey, kind: outgoing.kind, recipient: outgoing.recipient, headerMessageId: outgoing.headerMessageId }, clock()));
    try {
      await transport.sendMail({ ...outgoing.mail, messageId: `<${outgoing.headerMessageId}>` });
    } catch (error) {
      if (!isPermanentFailure(error)) throw error;
      await transact(store, (tx) => finishNotification(tx, job.idempotencyKey, { status: 'failed', error: describeFailure(error) }, clock()));
      return;
    }
    await transact(store, (tx) => finishNotification(tx, job.idempotencyKey, { status: 'sent' }, clock()));
  }

  const done = async (job: OutboxJob) => {
    const previous = await findNotification(store.db, job.idempotencyKey);
    return previous?.status === 'sent' || previous?.status === 'failed';
  };

  const acknowledge: JobHandler = async (payload, job) => {
    const { conversationId, messageId, confirm } = AcknowledgementJobPayload.parse(payload);
    if (await done(job)) return;
    const conversation = await existingConversation(inbox, conversationId);
    const first = await findMessageToMail(store.db, messageId);
    // Gone, or started by an agent or the bot: nobody wrote in to be acknowledged.
    if (!conversation || !first || first.message.senderType !== 'customer') return;
    const recipient = conversation.customer.email;
    if (!isMailable(support, recipient)) return;
    // Never answer mail no person wrote (RFC 3834 §2): that is how mail loops start.
    const [inbound] = await findInboundByMessageRows(store.db, [messageId]);
    if (inbound && (inbound.isAutoReply === 1 || inbound.isBulk === 1 || inbound.isBounce === 1)) return;

    const headerMessageId = ourMessageId(domain, `ack.${conversation.id}`, [job.idempotencyKey]);
    const { inReplyTo, references } = await threadHeaders(store, conversation.id, headerMessageId);
    // In the thread table, so an answer to the acknowledgement threads by In-Reply-To too.
    await transact(store, (tx) => recordMessageIds(tx, [{ messageId: headerMessageId, exactId: headerMessageId, conversationId, messageRowId: null, direction: 'out' }], clock()));
    const name = conversation.customer.name;
    const intro = confirm
      ? 'Thank you for contacting us. This confirms that we received your message:'
      : 'Thank you for writing to us. We received your message and will answer as soon as we can.';
    const body = confirm ? quote(first.message.body) : null;
    const outro = `Your reference is ${conversation.number}. To add anything, simply reply to this email.`;
    const text = [`Hello ${name},`, '', intro, ...(body ? ['', ...body.split('\n').map((line) => `> ${line}`)] : []), '', outro, '', tokens.markerText(conversation.id), ''].join('\n');
    const html =
      `<p>Hello ${escapeHtml(name)},</p><p>${escapeHtml(intro)}</p>` +
      (body ? `<blockquote style="white-space:pre-wrap">${escapeHtml(body)}</blockquote>` : '') +
      `<p>${escapeHtml(outro)}</p>${tokens.markerHtml(conversation.id)}`;
    await sendOnce(job, {
      kind: confirm ? 'contact_confirmation' : 'acknowledgement',
      recipient,
      headerMessageId,
      mail: {
        from: { name: 'Support', address: support.primary },
        to: { name, address: recipient },
        replyTo: tokens.replyAddress(support.primary, conversation.id),
        subject: replySubject(conversation.subject, conversation.number),
        inReplyTo,
        references,
        text,
        html,
        // RFC 3834 §3.3: an automatic response goes out with the null return path, so a bounce of it is never answered either.
        envelope: { from: '', to: [recipient] },
        headers: { ...automaticHeaders('auto-replied'), 'X-Onethread-Conversation': conversation.number },
      },
    });
  };

  const accountLink: JobHandler = async (payload, job) => {
    const link = AccountLinkPayload.parse(payload);
    if (await done(job)) return;
    const subject = link.purpose === 'verify' ? 'Confirm your email address' : 'Reset your password';
    const action =
      link.purpose === 'verify'
        ? 'Please confirm that this is your email address by opening this link:'
        : 'Someone (hopefully you) asked to reset your password. Choose a new one with this link; it works once and expires soon:';
    const ignore = 'If you did not ask for this, ignore this email: nothing changes.';
    await sendOnce(job, {
      kind: `account_link.${link.purpose}`,
      recipient: link.email,
      headerMessageId: ourMessageId(domain, 'account', [job.idempotencyKey]),
      mail: {
        from: { name: 'Support', address: support.primary },
        to: { name: link.name, address: link.email },
        subject,
        text: `Hello ${link.name},\n\n${action}\n\n${link.url}\n\n${ignore}\n`,
        html:
          `<p>Hello ${escapeHtml(link.name)},</p><p>${escapeHtml(action)}</p>` +
          `<p><a href="${escapeHtml(link.url)}">${escapeHtml(subject)}</a></p><p style="font-size:small">${escapeHtml(link.url)}</p><p>${escapeHtml(ignore)}</p>`,
        headers: automaticHeaders('auto-generated'),
      },
    });
  };

  return { [EMAIL_ACKNOWLEDGEMENT_JOB]: acknowledge, [EMAIL_ACCOUNT_LINK_JOB]: accountLink };
}
