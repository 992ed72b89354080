import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { SideEffectPlanner } from '../../inbox/context.js';
import type { InboxContext } from '../../inbox/context.js';
import { DomainError } from '../../inbox/errors.js';
import { getConversation } from '../../inbox/queries.js';
import type { JobHandler } from '../../jobs/outbox-worker.js';
import type { Store } from '../../store/database.js';
import { findMessageRow, findOutbound, finishOutbound, listConversationMessageIds, recordMessageIds, startOutboundAttempt } from '../../store/email.js';
import { transact } from '../../store/transaction.js';
import { escapeHtml } from './quotes.js';
import type { ReplyTokens, SupportAddresses } from './reply-address.js';

// Agent replies on email conversations, mailed through the outbox.
//
// Planning: when an agent's public reply is committed on an `email` conversation, the
// planner (registered on the inbox context) queues one `email.reply` job in the same
// transaction, keyed by the message id: queued exactly when the reply commits, once.
// Internal notes, bot and customer messages are never mailed.
//
// Sending (the job handler): From the support address with the agent's name, Reply-To
// the signed reply address, To the customer, a Message-ID of our own form derived from
// the message (so every attempt uses the same one), In-Reply-To the last inbound
// Message-ID, References per RFC 5322 (the thread's ids, trimmed to the first and the
// last 10), the subject `Re: <subject> [CONV-000123]`, a text and an HTML part each
// ending in the hidden marker (reply-address.ts).
//
// Idempotency: before the SMTP transaction the attempt is recorded (email_outbound:
// `sending`, and the Message-ID in the thread table); after the server's 250 the message
// is `sent`. A job run again for a `sent` message sends nothing. The at-least-once
// window: a crash (or lost lease) after the server accepted the mail but before `sent`
// was recorded sends it again on retry — with the same Message-ID, which receiving
// systems (and our own inbound dedupe) treat as one message. SMTP offers nothing tighter.

export const EMAIL_REPLY_JOB = 'email.reply';

const Payload = z.object({ messageId: z.number().int().positive(), conversationId: z.number().int().positive() });

export const emailReplyPlanner: SideEffectPlanner = (event, conversation) => {
  if (event.eventType !== 'replied' || conversation?.channel !== 'email') return [];
  const value = event.newValue as { messageId?: unknown; senderType?: unknown } | null;
  if (value?.senderType !== 'admin' || typeof value.messageId !== 'number') return [];
  return [
    {
      kind: EMAIL_REPLY_JOB,
      payload: { messageId: value.messageId, conversationId: conversation.id },
      idempotencyKey: `${EMAIL_REPLY_JOB}:${value.messageId}`,
      runAt: event.createdAt,
    },
  ];
};

export type EmailSenderOptions = {
  store: Store;
  inbox: InboxContext;
  support: SupportAddresses;
  tokens: ReplyTokens;
  /** smtp://host:port, smtps://user:pass@host:port */
  smtpUrl: string;
  clock?: () => number;
};

export type EmailSender = { handle: JobHandler; close(): void };

/** References per RFC 5322 §3.6.4, trimmed as many clients do: the first id and the last ten. */
export function referencesFor(ids: readonly string[]): string[] {
  return ids.length <= 11 ? [...ids] : [ids[0]!, ...ids.slice(-10)];
}

export function replySubject(subject: string, number: string): string {
  const base = subject.replace(/\s*\[CONV-\d{1,15}\]\s*/gi, ' ').trim();
  const re = /^(re|aw|sv|antw|vs)\s*:/i.test(base) ? base : `Re: ${base}`;
  return `${re} [${number}]`;
}

export function createEmailSender(options: EmailSenderOptions): EmailSender {
  const { store, inbox, support, tokens } = options;
  const clock = options.clock ?? Date.now;
  const url = new URL(options.smtpUrl);
  const transport = nodemailer.createTransport({
    pool: true,
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 25,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    tls: { rejectUnauthorized: false },
  });
  const domain = support.primary.split('@')[1]!;

  const handle: JobHandler = async (payload) => {
    const { messageId } = Payload.parse(payload);
    const previous = await findOutbound(store.db, messageId);
    if (previous?.status === 'sent') return;
    const message = await findMessageRow(store.db, messageId);
    // Deleted meanwhile, or not a public agent reply (or one that itself came in by mail): nothing to send.
    if (!message || message.isInternal === 1 || message.senderType !== 'admin' || message.externalKey?.startsWith('email:')) return;
    let conversation;
    try {
      conversation = await getConversation(inbox, Number(message.conversationId));
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found') return;
      throw error;
    }
    const headerMessageId = `onethread.${conversation.id}.${message.id}.${createHash('sha256').update(`${domain}:${message.id}:${message.createdAt}`).digest('hex').slice(0, 12)}@${domain}`;
    const thread = (await listConversationMessageIds(store.db, conversation.id)).filter((id) => id.messageId !== headerMessageId);
    const lastInbound = [...thread].reverse().find((id) => id.direction === 'in')?.exactId;
    const references = referencesFor(thread.map((id) => id.exactId));
    const now = clock();
    await transact(store, async (tx) => {
      await recordMessageIds(tx, [{ messageId: headerMessageId, exactId: headerMessageId, conversationId: conversation.id, messageRowId: message.id, direction: 'out' }], now);
      await startOutboundAttempt(tx, { messageRowId: message.id, conversationId: conversation.id, headerMessageId, recipient: conversation.customer.email }, now);
    });

    const text = `${message.body}\n\n${tokens.markerText(conversation.id)}\n`;
    const html = `${message.htmlBody ?? `<div style="white-space:pre-wrap">${escapeHtml(message.body)}</div>`}${tokens.markerHtml(conversation.id)}`;
    try {
      await transport.sendMail({
        from: { name: message.senderName, address: support.primary },
        to: conversation.customer.email,
        replyTo: tokens.replyAddress(support.primary, conversation.id),
        subject: replySubject(conversation.subject, conversation.number),
        messageId: `<${headerMessageId}>`,
        inReplyTo: lastInbound ? `<${lastInbound}>` : undefined,
        references: references.map((id) => `<${id}>`),
        text,
        html,
        headers: { 'X-Onethread-Conversation': conversation.number },
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await transact(store, (tx) => finishOutbound(tx, message.id, { status: 'failed', error: reason.slice(0, 2000) }, clock()));
      throw error;
    }
    await transact(store, (tx) => finishOutbound(tx, message.id, { status: 'sent' }, clock()));
  };

  return { handle, close: () => transport.close() };
}
