import type { Readable } from 'node:stream';
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import type { AttachmentStorage } from '../../attachments/index.js';
import { recordDelivery } from '../../inbox/commands.js';
import type { InboxContext } from '../../inbox/context.js';
import type { JobHandler, OutboxJob } from '../../jobs/outbox-worker.js';
import type { Store } from '../../store/database.js';
import { findMessageToMail, findOutbound, finishOutbound, recordMessageIds, startOutboundAttempt } from '../../store/email.js';
import type { DeliveryStatus } from '../../store/schema.js';
import { transact } from '../../store/transaction.js';
import { existingConversation } from './conversations.js';
import { escapeHtml } from './quotes.js';
import type { ReplyTokens, SupportAddresses } from './reply-address.js';
import { ourMessageId, replySubject, threadHeaders } from './thread-headers.js';
import { describeFailure, isPermanentFailure } from './transport.js';

// Agents' public replies, mailed to the customer (the `email.reply` job, planned by
// planners.ts): on an email conversation always, on a ticket or chat conversation when
// the customer has not read the reply after a while (`unlessRead`, "continuity").
//
// The mail: From the support address with the agent's name, Reply-To the signed reply
// address, To the customer, a Message-ID of our own form derived from the message (so
// every attempt, and a retry an agent asks for, uses the same one), In-Reply-To and
// References (thread-headers.ts), the subject `Re: <subject> [CONV-000123]`, a text and
// an HTML part each ending in the hidden marker (reply-address.ts), and the message's
// attachments streamed from storage.
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

  const report = (messageId: number, status: DeliveryStatus | 'not_mailed', attempts: number, error?: string) =>
    recordDelivery(inbox, { messageId, status, attempts, error, by: EMAIL_SYSTEM });

  const send = async (payload: unknown, job: OutboxJob) => {
    const { messageId, unlessRead } = ReplyJobPayload.parse(payload);
    const found = await findMessageToMail(store.db, messageId);
    // Deleted meanwhile: its delivery went with it.
    const conversation = found && (await existingConversation(inbox, Number(found.message.conversationId)));
    if (!found || !conversation) return;
    const { message, attachments } = found;
    // Not a public agent reply written here (a note; an agent's own mail to the support address): no mail.
    if (message.isInternal === 1 || message.senderType !== 'admin' || message.externalKey?.startsWith('email:')) return void (await report(messageId, 'not_mailed', 0));
    const previous = await findOutbound(store.db, messageId);
    // Sent already: a crash may have come between recording it and reporting it.
    if (previous?.status === 'sent') return void (await report(messageId, 'sent', previous.attempts));
    if ((unlessRead && message.readAt !== null) || !isMailable(support, conversation.customer.email)) {
      return void (await report(messageId, 'not_mailed', previous?.attempts ?? 0));
    }

    const headerMessageId = ourMessageId(domain, `${conversation.id}.${message.id}`, [message.id, message.createdAt]);
    const { inReplyTo, references } = await threadHeaders(store, conversation.id, headerMessageId);
    const attempts = (previous?.attempts ?? 0) + 1;
    await transact(store, async (tx) => {
      await recordMessageIds(tx, [{ messageId: headerMessageId, exactId: headerMessageId, conversationId: conversation.id, messageRowId: Number(message.id), direction: 'out' }], clock());
      await startOutboundAttempt(tx, { messageRowId: Number(message.id), conversationId: conversation.id, headerMessageId, recipient: conversation.customer.email }, clock());
    });

    const streams: Readable[] = [];
    try {
      const files = [];
      for (const attachment of attachments) {
        const blob = deps.attachments ? await deps.attachments.open(attachment.sha256) : null;
        if (!blob) throw new Error(`attachment "${attachment.name}" is not in the attachment storage`);
        streams.push(blob.stream);
        files.push({ filename: attachment.name, contentType: attachment.contentType, content: blob.stream });
      }
      await transport.sendMail({
        from: { name: message.senderName, address: support.primary },
        to: conversation.customer.email,
        replyTo: tokens.replyAddress(support.primary, conversation.id),
        subject: replySubject(conversation.subject, conversation.number),
        messageId: `<${headerMessageId}>`,
        inReplyTo,
        references,
        text: `${message.body}\n\n${tokens.markerText(conversation.id)}\n`,
        html: `${message.htmlBody ?? `<div style="white-space:pre-wrap">${escapeHtml(message.body)}</div>`}${tokens.markerHtml(conversation.id)}`,
        attachments: files,
        headers: { 'X-Onethread-Conversation': conversation.number },
      });
    } catch (error) {
      const reason = describeFailure(error);
      await transact(store, (tx) => finishOutbound(tx, Number(message.id), { status: 'failed', error: reason }, clock()));
      // Refused for good: the same mail would be refused again; an agent may retry once the cause is fixed.
      if (isPermanentFailure(error)) return void (await report(messageId, 'failed', attempts, reason));
      await report(messageId, job.lastAttempt ? 'failed' : 'queued', attempts, reason);
      throw error;
    } finally {
      for (const stream of streams) stream.destroy();
    }
    await transact(store, (tx) => finishOutbound(tx, Number(message.id), { status: 'sent' }, clock()));
    await report(messageId, 'sent', attempts);
  };

  // Its runs never finished: whatever the last one got to, the mail is not known to have gone.
  const abandon = async (payload: unknown, error: string) => {
    const { messageId } = ReplyJobPayload.parse(payload);
    const previous = await findOutbound(store.db, messageId);
    await report(messageId, previous?.status === 'sent' ? 'sent' : 'failed', previous?.attempts ?? 0, error);
  };

  return Object.assign(send, { abandon });
}
