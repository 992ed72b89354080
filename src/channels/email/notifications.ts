import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import type { InboxContext } from '../../inbox/context.js';
import type { JobHandler, OutboxJob } from '../../jobs/outbox-worker.js';
import type { Store } from '../../store/database.js';
import {
  findInboundByMessageRows,
  findMessageToMail,
  findNotification,
  finishNotification,
  recordMessageIds,
  startLimitedNotification,
  startNotification,
} from '../../store/email.js';
import { transact } from '../../store/transaction.js';
import { existingConversation } from './existing-conversation.js';
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

/**
 * Acknowledgements and contact-form confirmations one address gets in 24 hours at most.
 * Whoever types an address into the contact form (or forges a From header) chooses where
 * these go; the cap, counted in the database, holds across restarts and instances.
 */
export const ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY = 3;
const ACKNOWLEDGEMENT_KINDS = ['acknowledgement', 'contact_confirmation'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
export const EMAIL_ACCOUNT_LINK_JOB = 'email.account_link';

export const AcknowledgementJobPayload = z.object({
  conversationId: z.number().int().positive(),
  /** The customer's first message. */
  messageId: z.number().int().positive(),
  /** The contact form's confirmation (always sent), rather than an acknowledgement (EMAIL_ACKNOWLEDGE). */
  confirm: z.boolean(),
});
export type AcknowledgementJobPayload = z.infer<typeof AcknowledgementJobPayload>;

/** What src/accounts/account-links.ts queues (AccountLinkJob); jobs queued by older versions also carry a `name`, which is ignored. */
const AccountLinkPayload = z.object({
  userId: z.number().int().positive(),
  email: z.string().min(3).max(254),
  purpose: z.enum(['verify', 'reset']),
  url: z.url({ protocol: /^https?$/ }),
  reason: z.enum(['signup_attempt']).optional(),
});

export type NotificationSenderDeps = {
  store: Store;
  inbox: InboxContext;
  support: SupportAddresses;
  tokens: ReplyTokens;
  transport: Transporter;
  clock: () => number;
};

const ACCOUNT_LINK_TEXTS: Record<'verify' | 'reset' | 'signup_attempt', { subject: string; action: string }> = {
  verify: {
    subject: 'Confirm your email address',
    action: 'Please confirm that this is your email address by opening this link and entering the password you chose when you signed up:',
  },
  reset: {
    subject: 'Reset your password',
    action: 'Someone (hopefully you) asked to reset your password. Choose a new one with this link; it works once and expires soon:',
  },
  signup_attempt: {
    subject: 'Someone tried to sign up with your address',
    action:
      'Someone (hopefully you) tried to create an account with this email address, which we already know. If it was you, set a password with this link and sign in; it works once and expires in an hour:',
  },
};

type Outgoing = { kind: string; recipient: string; headerMessageId: string; mail: Parameters<Transporter['sendMail']>[0] };

export function createNotificationSenders(deps: NotificationSenderDeps): Record<string, JobHandler> {
  const { store, inbox, support, tokens, transport, clock } = deps;
  const domain = support.primary.split('@')[1]!;

  /** Sends the mail once for this job; with `limited`, not at all when its recipient had enough of its kind today. */
  async function sendOnce(job: OutboxJob, outgoing: Outgoing, limited = false): Promise<void> {
    const row = { key: job.idempotencyKey, kind: outgoing.kind, recipient: outgoing.recipient, headerMessageId: outgoing.headerMessageId };
    const started = await transact(store, async (tx) => {
      if (!limited) return startNotification(tx, row, clock()).then(() => true);
      const limit = { counted: ACKNOWLEDGEMENT_KINDS, since: clock() - DAY_MS, max: ACKNOWLEDGEMENTS_PER_ADDRESS_PER_DAY, lock: store.dialect === 'postgres' };
      return startLimitedNotification(tx, row, limit, clock());
    });
    if (!started) return;
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
    await transact(store, (tx) =>
      recordMessageIds(tx, [{ messageId: headerMessageId, exactId: headerMessageId, conversationId, messageRowId: null, direction: 'out' }], clock()),
    );
    // Nobody proved the recipient's address (anyone can type it into the contact form or
    // forge it in a From header), so the mail carries none of the sender's words: no name,
    // no message and, for the contact form and tickets, no subject. Only an acknowledgement
    // of real inbound email keeps "Re: <subject>": mail clients (Gmail) thread by subject,
    // and the subject is the one the recipient's mailbox already shows.
    const intro = confirm
      ? 'Thank you for contacting us. This confirms that we received your message and will answer as soon as we can.'
      : 'Thank you for writing to us. We received your message and will answer as soon as we can.';
    const outro = `Your reference is ${conversation.number}. To add anything, simply reply to this email.`;
    // The marker only in the HTML, hidden (compose.ts): the Reply-To and In-Reply-To thread an answer.
    const text = ['Hello,', '', intro, '', outro, ''].join('\n');
    const html = `<p>Hello,</p><p>${escapeHtml(intro)}</p><p>${escapeHtml(outro)}</p>${tokens.markerHtml(conversation.id)}`;
    const subject =
      !confirm && conversation.channel === 'email'
        ? replySubject(conversation.subject, conversation.number)
        : `We received your message [${conversation.number}]`;
    await sendOnce(
      job,
      {
        kind: confirm ? 'contact_confirmation' : 'acknowledgement',
        recipient,
        headerMessageId,
        mail: {
          from: { name: 'Support', address: support.primary },
          to: recipient,
          replyTo: tokens.replyAddress(support.primary, conversation.id),
          subject,
          inReplyTo,
          references,
          text,
          html,
          // RFC 3834 §3.3: an automatic response goes out with the null return path, so a bounce of it is never answered either.
          envelope: { from: '', to: [recipient] },
          headers: { ...automaticHeaders('auto-replied'), 'X-Onethread-Conversation': conversation.number },
        },
      },
      true,
    );
  };

  const accountLink: JobHandler = async (payload, job) => {
    const link = AccountLinkPayload.parse(payload);
    if (await done(job)) return;
    // Fixed words only: whoever asked for the link chose the address, not necessarily their own.
    const { subject, action } = ACCOUNT_LINK_TEXTS[link.reason ?? link.purpose];
    const ignore = 'If you did not ask for this, ignore this email: nothing changes.';
    await sendOnce(job, {
      kind: `account_link.${link.reason ?? link.purpose}`,
      recipient: link.email,
      headerMessageId: ourMessageId(domain, 'account', [job.idempotencyKey]),
      mail: {
        from: { name: 'Support', address: support.primary },
        to: link.email,
        subject,
        text: `Hello,\n\n${action}\n\n${link.url}\n\n${ignore}\n`,
        html:
          `<p>Hello,</p><p>${escapeHtml(action)}</p>` +
          `<p><a href="${escapeHtml(link.url)}">${escapeHtml(subject)}</a></p><p style="font-size:small">${escapeHtml(link.url)}</p><p>${escapeHtml(ignore)}</p>`,
        headers: automaticHeaders('auto-generated'),
      },
    });
  };

  return { [EMAIL_ACKNOWLEDGEMENT_JOB]: acknowledge, [EMAIL_ACCOUNT_LINK_JOB]: accountLink };
}
