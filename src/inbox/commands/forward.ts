import { DomainError, invalid, notFound } from '../../errors.js';
import { MAX_FORWARD_NOTE, MAX_FORWARD_RECIPIENTS } from '../../limits.js';
import { findMessagesByIds } from '../../store/messages.js';
import { type Actor, normalizeEmail, requireTeam, resolveActor } from '../actors.js';
import { canForward } from '../policies.js';
import { type InboxEvent, toConversation } from '../records.js';
import type { ConversationRef } from '../refs.js';
import { storableText } from '../rules.js';
import { type CommandTarget, eventBy, lockConversation, recordEvents, runCommand } from './unit.js';

export type ForwardInput = {
  conversation: ConversationRef;
  by: Actor;
  /** Where to: 1 to MAX_FORWARD_RECIPIENTS addresses, anyone's (the team decides whom to tell). */
  to: string[];
  /** A few words above the forwarded mail. */
  note?: string;
  /** One message; omitted, the whole public thread. */
  messageId?: number;
  /** Let answers to the forward come back into this conversation (the signed Reply-To); off by default. */
  withReplyAddress?: boolean;
};

/**
 * An agent forwards a message, or the public thread, by email: a `forwarded` event, from
 * which the email channel's planner queues the mail. The conversation itself does not
 * change. Refused (409) when this server sends no mail, so nobody believes it went.
 */
export function forwardConversation(target: CommandTarget, input: ForwardInput): Promise<InboxEvent> {
  const to = [...new Set(input.to.map((address) => normalizeEmail(address, 'to')))];
  if (to.length === 0) throw invalid('to', 'forward to at least one address');
  if (to.length > MAX_FORWARD_RECIPIENTS) throw invalid('to', `forward to at most ${MAX_FORWARD_RECIPIENTS} addresses`);
  const note = storableText(input.note ?? '').trim();
  if (note.length > MAX_FORWARD_NOTE) throw new DomainError('too_large', `note exceeds ${MAX_FORWARD_NOTE} characters`, 'note');
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const row = await lockConversation(unit, input.conversation);
    const actor = await resolveActor(tx, input.by, now);
    requireTeam(actor, 'forward conversations');
    if (!canForward(actor)) throw new DomainError('forbidden', 'a team member forwards, signed in', 'by');
    if (input.messageId !== undefined) {
      const [message] = await findMessagesByIds(tx, [input.messageId]);
      if (!message || Number(message.conversationId) !== Number(row.id)) throw notFound('message');
      // Notes are the team's own words about the customer: not mail for anyone outside.
      if (message.isInternal === 1) throw invalid('messageId', 'an internal note is not forwarded');
    }
    const conversation = toConversation(row);
    const forwarded = { to, messageId: input.messageId ?? null, note: note || null, withReplyAddress: input.withReplyAddress ?? false };
    const { events, jobs } = await recordEvents(unit, [eventBy(actor, conversation.id, now)('forwarded', null, forwarded)], conversation);
    if (jobs === 0) throw new DomainError('conflict', 'mail cannot be sent from this server: SMTP_URL is not set');
    return events[0]!;
  });
}
