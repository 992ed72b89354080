import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import type { AttachmentStorage } from '../../attachments/index.js';
import { recordDelivery } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import type { MailHeaders } from '../../inbox/records.js';
import type { JobHandler, OutboxJob } from '../../jobs/outbox-worker.js';
import type { Store } from '../../store/database.js';
import { findMessageToMail, findOutbound, finishOutbound, recordMessageIds, startOutboundAttempt } from '../../store/email.js';
import type { DeliveryStatus } from '../../store/schema.js';
import { transact } from '../../store/transaction.js';
import { findSignature } from '../../store/users.js';
import { mailBodies, replyRecipients, toMailAddress } from './compose.js';
import { existingConversation } from './existing-conversation.js';
import type { ReplyTokens, SupportAddresses } from './reply-address.js';
import { sendWithFiles } from './send-with-files.js';
import { newSubject, ourMessageId, replySubject, threadHeaders } from './thread-headers.js';
import { describeFailure, isPermanentFailure } from './transport.js';

// Agents' public replies, mailed to the customer (the `email.reply` job, planned by
// planners.ts): on an email conversation always, on a ticket or chat conversation when
// the customer has not read the reply after a while (`unlessRead`, "continuity").
//
// The mail: From the support address with the agent's name, Reply-To the signed reply
// address, To the customer by name and Cc the participants the message recorded when it
// was written (commands.ts), a Message-ID of our own form derived from the message (so
// every attempt, and a retry an agent asks for, uses the same one), In-Reply-To and
// References (thread-headers.ts), the subject `Re: <subject> [CONV-000123]` (without
// "Re:" for the first message of a conversation an agent started), a text and an HTML part
// ending in the agent's signature, the HTML with the hidden marker (compose.ts), and the
// message's attachments streamed from storage.
//
// Idempotency: before the SMTP transaction the attempt is recorded (email_outbound
// `sending`, and the Message-ID in the thread table); after the server's 250 it is `sent`.
// A job run again for a `sent` message sends nothing. The at-least-once window: a crash
// (or lost lease) after the server accepted the mail but before `sent` was recorded sends
// it again on retry — with the same Message-ID, which receiving systems (and our own
// inbound dedupe) treat as one message. SMTP offers nothing tighter.
//
// What the inbox shows (the message's `delivery`, through recordDelivery): `queued` until
// the 250, with the error of a failed attempt that will be retried; `sent`; `failed` when
// the server refused the mail for good (5xx: not retried) or the last attempt failed; no
// delivery when a continuity mail was not needed after all.

export const EMAIL_REPLY_JOB = 'email.reply';

export const ReplyJobPayload = z.object({
  messageId: z.number().int().positive(),
  conversationId: z.number().int().positive(),
  /** Continuity: send only if the customer has not read the message by now. */
  unlessRead: z.boolean().optional(),
});
export type ReplyJobPayload = z.infer<typeof ReplyJobPayload>;

const EMAIL_SYSTEM = { system: 'Email' } as const;

/** What a sender of mail from an agent needs (replies here, forwards in forward.ts). */
export type ReplySenderDeps = {
  store: Store;
  inbox: InboxContext;
  support: SupportAddresses;
  tokens: ReplyTokens;
  transport: Transporter;
  /** Where the messages' attachments are; without it a message with attachments cannot be mailed. */
  attachments: AttachmentStorage | null;
  clock: () => number;
};

/**
 * Whether a customer address can be mailed. Not our own (a conversation an agent opened
 * for the support address), and not under `.invalid` (RFC 2606: the name a channel gives a
 * visitor who left no address).
 */
export function isMailable(support: SupportAddresses, address: string): boolean {
  return !support.isOwn(address) && !/\.invalid$/i.test(address.trim());
}

export function createReplySender(deps: ReplySenderDeps): JobHandler {
  const { store, inbox, support, tokens, transport, clock } = deps;
  const domain = support.primary.split('@')[1]!;

  const report = (messageId: number, status: DeliveryStatus | 'not_mailed', attempts: number, error?: string, mailed?: MailHeaders) =>
    recordDelivery(inbox, { messageId, status, attempts, error, mailed, by: EMAIL_SYSTEM });

  const send = async (payload: unknown, job: OutboxJob) => {
    const { messageId, unlessRead } = ReplyJobPayload.parse(payload);
    const found = await findMessageToMail(store.db, messageId);
    // Deleted meanwhile: its delivery went with it.
    const conversation = found && (await existingConversation(inbox, Number(found.message.conversationId)));
    if (!found || !conversation) return;
    const { message, attachments } = found;
    // Not a public agent reply written here (a note; an agent's own mail to the support address): no mail.
    if (message.isInternal === 1 || message.senderType !== 'admin' || message.externalKey?.startsWith('email:'))
      return void (await report(messageId, 'not_mailed', 0));
    const previous = await findOutbound(store.db, messageId);
    // Sent already: a crash may have come between recording it and reporting it.
    if (previous?.status === 'sent') return void (await report(messageId, 'sent', previous.attempts));
    if ((unlessRead && message.readAt !== null) || !isMailable(support, conversation.customer.email)) {
      return void (await report(messageId, 'not_mailed', previous?.attempts ?? 0));
    }

    const headerMessageId = ourMessageId(domain, `${conversation.id}.${message.id}`, [message.id, message.createdAt]);
    const { inReplyTo, references } = await threadHeaders(store, conversation.id, headerMessageId);
    const recorded = message.mailHeaders ? (JSON.parse(message.mailHeaders) as MailHeaders) : null;
    // The name goes along only where the mailbox gave it (an email conversation's From): a
    // name typed into the contact form or the widget is not put into mail to that address.
    const customer = { email: conversation.customer.email, name: conversation.channel === 'email' ? conversation.customer.name : '' };
    const { to, cc } = replyRecipients(recorded, customer, (address) => isMailable(support, address));
    const from = { name: message.senderName, email: support.primary };
    const signature = message.senderId === null ? null : await findSignature(store.db, Number(message.senderId));
    const attempts = (previous?.attempts ?? 0) + 1;
    await transact(store, async (tx) => {
      await recordMessageIds(
        tx,
        [{ messageId: headerMessageId, exactId: headerMessageId, conversationId: conversation.id, messageRowId: Number(message.id), direction: 'out' }],
        clock(),
      );
      await startOutboundAttempt(
        tx,
        { messageRowId: Number(message.id), conversationId: conversation.id, headerMessageId, recipient: conversation.customer.email },
        clock(),
      );
    });

    try {
      await sendWithFiles(transport, deps.attachments, attachments, {
        from: toMailAddress(from),
        to: to.map(toMailAddress),
        ...(cc.length ? { cc: cc.map(toMailAddress) } : {}),
        replyTo: tokens.replyAddress(support.primary, conversation.id),
        subject: inReplyTo ? replySubject(conversation.subject, conversation.number) : newSubject(conversation.subject, conversation.number),
        messageId: `<${headerMessageId}>`,
        inReplyTo,
        references,
        ...mailBodies(message, { signature, markerHtml: tokens.markerHtml(conversation.id) }),
        headers: { 'X-Onethread-Conversation': conversation.number },
      });
    } catch (error) {
      const reason = describeFailure(error);
      await transact(store, (tx) => finishOutbound(tx, Number(message.id), { status: 'failed', error: reason }, clock()));
      // Refused for good: the same mail would be refused again; an agent may retry once the cause is fixed.
      if (isPermanentFailure(error)) return void (await report(messageId, 'failed', attempts, reason));
      await report(messageId, job.lastAttempt ? 'failed' : 'queued', attempts, reason);
      throw error;
    }
    await transact(store, (tx) => finishOutbound(tx, Number(message.id), { status: 'sent' }, clock()));
    await report(messageId, 'sent', attempts, undefined, { from, to, cc });
  };

  // Its runs never finished: whatever the last one got to, the mail is not known to have gone.
  const abandon = async (payload: unknown, error: string) => {
    const { messageId } = ReplyJobPayload.parse(payload);
    const previous = await findOutbound(store.db, messageId);
    await report(messageId, previous?.status === 'sent' ? 'sent' : 'failed', previous?.attempts ?? 0, error);
  };

  return Object.assign(send, { abandon });
}
