import { z } from 'zod';
import { formatAddress } from '../../inbox/participants.js';
import type { Conversation, MailHeaders } from '../../inbox/records.js';
import type { JobHandler, OutboxJob } from '../../jobs/outbox-worker.js';
import { findMessagesToForward, findNotification, finishNotification, recordMessageIds, startNotification } from '../../store/email.js';
import type { MessageRow } from '../../store/schema.js';
import { transact } from '../../store/transaction.js';
import { findSignature } from '../../store/users.js';
import { existingConversation } from './existing-conversation.js';
import type { ReplySenderDeps } from './outbound.js';
import { escapeHtml } from './quotes.js';
import { sendWithFiles } from './send-with-files.js';
import { newSubject, ourMessageId } from './thread-headers.js';
import { describeFailure, isPermanentFailure } from './transport.js';

// An agent forwards a message, or a conversation's public thread, by email (the
// `forwarded` event of commands.forwardConversation; planners.ts queues this job).
//
// The mail: From the support address with the agent's name; To the addresses the agent
// gave; the agent's note and signature, then each message as a mail client forwards it
// (a "Forwarded message" block: From, Date, Subject, To/Cc, the text); the messages'
// attachments. Internal notes never go.
//
// It carries nothing that leads back into the conversation unless the agent asked
// (`withReplyAddress`): no signed Reply-To, no [CONV-…] in the subject, no marker, and its
// Message-ID is not recorded for threading, so an answer starts a conversation of its own.
// Asked, it has all three, and answers land in this conversation.
//
// Sent once per job like the notifications (email_notifications, kind `forward`).

export const EMAIL_FORWARD_JOB = 'email.forward';

export const ForwardJobPayload = z.object({
  conversationId: z.number().int().positive(),
  to: z.array(z.string().min(3).max(254)).min(1).max(10),
  messageId: z.number().int().positive().nullable(),
  note: z.string().nullable(),
  withReplyAddress: z.boolean(),
  agentId: z.number().int().positive().nullable(),
  agentName: z.string(),
});
export type ForwardJobPayload = z.infer<typeof ForwardJobPayload>;

/** A thread longer than this is forwarded from its start up to here (the inbox keeps the rest). */
const MAX_FORWARDED = 200;

type Forwarded = Awaited<ReturnType<typeof findMessagesToForward>>;

export function createForwardSender(deps: ReplySenderDeps): JobHandler {
  const { store, inbox, support, tokens, transport, clock } = deps;
  const domain = support.primary.split('@')[1]!;

  return async (payload: unknown, job: OutboxJob) => {
    const forward = ForwardJobPayload.parse(payload);
    const previous = await findNotification(store.db, job.idempotencyKey);
    if (previous?.status === 'sent' || previous?.status === 'failed') return;
    const conversation = await existingConversation(inbox, forward.conversationId);
    const items = conversation ? await findMessagesToForward(store.db, conversation.id, forward.messageId, MAX_FORWARDED) : [];
    // Deleted meanwhile: nothing left to forward.
    if (!conversation || items.length === 0) return;

    const headerMessageId = ourMessageId(domain, `fwd.${conversation.id}`, [job.idempotencyKey]);
    if (forward.withReplyAddress) {
      // Recorded only when asked: an answer to it then threads here by In-Reply-To too.
      await transact(store, (tx) =>
        recordMessageIds(
          tx,
          [{ messageId: headerMessageId, exactId: headerMessageId, conversationId: conversation.id, messageRowId: null, direction: 'out' }],
          clock(),
        ),
      );
    }
    const signature = forward.agentId === null ? null : await findSignature(store.db, forward.agentId);
    const { text, html } = forwardBodies(conversation, items, {
      note: forward.note,
      signature,
      support: support.primary,
      markerHtml: forward.withReplyAddress ? tokens.markerHtml(conversation.id) : null,
    });
    const row = { key: job.idempotencyKey, kind: 'forward', recipient: forward.to.join(', ').slice(0, 2000), headerMessageId };
    await transact(store, (tx) => startNotification(tx, row, clock()));

    const files = items.flatMap((item) => item.attachments);
    try {
      await sendWithFiles(transport, deps.attachments, files, {
        from: { name: forward.agentName, address: support.primary },
        to: forward.to,
        subject: `Fwd: ${forward.withReplyAddress ? newSubject(conversation.subject, conversation.number) : conversation.subject}`,
        messageId: `<${headerMessageId}>`,
        ...(forward.withReplyAddress
          ? { replyTo: tokens.replyAddress(support.primary, conversation.id), headers: { 'X-Onethread-Conversation': conversation.number } }
          : {}),
        text,
        html,
      });
    } catch (error) {
      if (!isPermanentFailure(error)) throw error;
      await transact(store, (tx) => finishNotification(tx, job.idempotencyKey, { status: 'failed', error: describeFailure(error) }, clock()));
      return;
    }
    await transact(store, (tx) => finishNotification(tx, job.idempotencyKey, { status: 'sent' }, clock()));
  };
}

/** Who wrote a forwarded message, as its mail said; the team's own mail goes from the support address. */
function author(message: MessageRow, support: string): string {
  if (message.senderType === 'admin') return formatAddress({ name: message.senderName, email: support });
  return message.senderEmail ? formatAddress({ name: message.senderName, email: message.senderEmail }) : message.senderName;
}

function blockHeaders(conversation: Conversation, message: MessageRow, support: string): [string, string][] {
  const mailed = message.mailHeaders ? (JSON.parse(message.mailHeaders) as MailHeaders) : null;
  const lines: [string, string][] = [
    ['From', author(message, support)],
    ['Date', new Date(message.sentAt).toUTCString()],
    ['Subject', conversation.subject],
  ];
  if (mailed?.to.length) lines.push(['To', mailed.to.map(formatAddress).join(', ')]);
  if (mailed?.cc.length) lines.push(['Cc', mailed.cc.map(formatAddress).join(', ')]);
  return lines;
}

const SEPARATOR = '---------- Forwarded message ----------';

function forwardBodies(
  conversation: Conversation,
  items: Forwarded,
  options: { note: string | null; signature: string | null; support: string; markerHtml: string | null },
): { text: string; html: string } {
  const signature = options.signature?.trim() || null;
  const head = [options.note, signature && `-- \n${signature}`].filter(Boolean).join('\n\n');
  const blocks = items.map(({ message, attachments }) => {
    const names = attachments.length ? `\n\n[${attachments.map((a) => a.name).join(', ')}]` : '';
    return [SEPARATOR, ...blockHeaders(conversation, message, options.support).map(([k, v]) => `${k}: ${v}`), '', `${message.body}${names}`].join('\n');
  });
  const text = `${head ? `${head}\n\n` : ''}${blocks.join('\n\n')}\n`;

  const pre = (value: string, style = '') => `<div style="white-space:pre-wrap${style}">${escapeHtml(value)}</div>`;
  const htmlBlocks = items.map(({ message }) => {
    const lines = blockHeaders(conversation, message, options.support)
      .map(([k, v]) => `<b>${k}:</b> ${escapeHtml(v)}<br>`)
      .join('');
    return `<div style="margin-top:16px">${escapeHtml(SEPARATOR)}<br>${lines}<br>${pre(message.body)}</div>`;
  });
  const html =
    (options.note ? pre(options.note) : '') +
    (signature ? `<div class="ot-signature" style="white-space:pre-wrap;color:#555555">-- \n${escapeHtml(signature)}</div>` : '') +
    htmlBlocks.join('') +
    (options.markerHtml ?? '');
  return { text, html };
}
