import { DomainError, notFound } from '../../errors.js';
import { findConversation } from '../../store/conversations.js';
import { deleteDelivery, findDelivery, saveDelivery } from '../../store/deliveries.js';
import { findMessagesByIds, listAttachments, updateMessageMailHeaders } from '../../store/messages.js';
import type { DeliveryStatus } from '../../store/schema.js';
import { type Actor, requireTeam, resolveActor } from '../actors.js';
import { type MailHeaders, type Message, toConversation, toMessage } from '../records.js';
import type { ConversationRef } from '../refs.js';
import { type CommandTarget, eventBy, lockConversation, recordEvents, runCommand } from './unit.js';

// Mail to customers as its sender reports it, and an agent's retry.

/**
 * How mailing a message went, as its sender reports it: `queued` (an attempt failed and
 * will be retried; `error` says why), `sent`, `failed`, or `not_mailed` (nothing was sent
 * on purpose — the customer had read it — so the message has no delivery any more). A
 * change writes a `delivery_updated` event, which the team's live view shows; a message
 * deleted meanwhile has nothing to record (null).
 */
export function recordDelivery(
  target: CommandTarget,
  input: {
    messageId: number;
    status: DeliveryStatus | 'not_mailed';
    error?: string | null;
    attempts: number;
    by: Actor;
    /** With `sent`: the addresses the mail went with, which the message shows from then on. */
    mailed?: MailHeaders;
  },
): Promise<Message | null> {
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const [row] = await findMessagesByIds(tx, [input.messageId]);
    // Locked like every change to a conversation, so an agent's retry and a report never interleave.
    if (!row || !(await findConversation(tx, unit.ctx.store.dialect, { id: Number(row.conversationId) }, true))) return null;
    const before = await findDelivery(tx, input.messageId);
    const error = input.status === 'sent' || input.status === 'not_mailed' ? null : (input.error ?? null);
    const unchanged = input.status === 'not_mailed' ? !before : before?.status === input.status && before.error === error && before.attempts === input.attempts;
    const mailHeaders = input.status === 'sent' && input.mailed ? JSON.stringify(input.mailed) : row.mailHeaders;
    const attachments = await listAttachments(tx, [input.messageId]);
    if (unchanged && mailHeaders === row.mailHeaders) return toMessage(row, attachments, before ?? null);
    if (mailHeaders !== row.mailHeaders) await updateMessageMailHeaders(tx, input.messageId, mailHeaders);
    if (input.status === 'not_mailed') await deleteDelivery(tx, input.messageId);
    else
      await saveDelivery(
        tx,
        { messageId: input.messageId, conversationId: Number(row.conversationId), status: input.status, error, attempts: input.attempts },
        now,
      );
    const actor = await resolveActor(tx, input.by, now);
    const status = input.status === 'not_mailed' ? null : input.status;
    await recordEvents(
      unit,
      [
        eventBy(actor, Number(row.conversationId), now)(
          'delivery_updated',
          { status: before?.status ?? null },
          { messageId: input.messageId, status, error, attempts: input.attempts },
        ),
      ],
      null,
    );
    return toMessage({ ...row, mailHeaders }, attachments, await findDelivery(tx, input.messageId));
  });
}

/**
 * Mails a message whose delivery failed once more: a `delivery_retried` event, from which
 * the channel's planner queues a new job (the mail keeps its Message-ID, so a receiver
 * that got the first one after all sees one message). Only a failed delivery can be retried.
 */
export function retryDelivery(target: CommandTarget, input: { conversation: ConversationRef; messageId: number; by: Actor }): Promise<Message> {
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const row = await lockConversation(unit, input.conversation);
    const actor = await resolveActor(tx, input.by, now);
    requireTeam(actor, 'retry mail delivery');
    const [message] = await findMessagesByIds(tx, [input.messageId]);
    if (!message || Number(message.conversationId) !== Number(row.id)) throw notFound('message');
    const before = await findDelivery(tx, input.messageId);
    if (before?.status !== 'failed') {
      throw new DomainError(
        'conflict',
        before ? `only a failed delivery can be retried; this one is ${before.status}` : 'this message is not mailed',
        'messageId',
      );
    }
    const conversation = toConversation(row);
    const { deliveries } = await recordEvents(
      unit,
      [eventBy(actor, conversation.id, now)('delivery_retried', { status: 'failed' }, { messageId: input.messageId })],
      conversation,
    );
    const after = deliveries.get(input.messageId);
    // No planner took it up: mail is not configured on this server (SMTP_URL).
    if (after?.status !== 'queued') throw new DomainError('conflict', 'mail cannot be sent from this server: SMTP_URL is not set', 'messageId');
    return toMessage(message, await listAttachments(tx, [input.messageId]), after);
  });
}
