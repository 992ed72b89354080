import { notFound } from '../../errors.js';
import { markMentionsRead } from '../../store/followers.js';
import { markMessagesRead, upsertConversationRead } from '../../store/messages.js';
import { resolveActor } from '../actors.js';
import type { ConversationRef } from '../refs.js';
import { markNotificationsRead } from './notifications.js';
import { type CommandTarget, lockConversation, runCommand } from './unit.js';

// Who has read what: no events, nothing mailed; they change what continuity mails.

/** Records that `userId` has seen the conversation, and marks the other side's messages read. */
export function markConversationRead(target: CommandTarget, input: { conversation: ConversationRef; userId: number }): Promise<{ readAt: number }> {
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const row = await lockConversation(unit, input.conversation);
    const reader = await resolveActor(tx, { userId: input.userId }, now);
    await upsertConversationRead(tx, Number(row.id), input.userId, now);
    await markMessagesRead(tx, Number(row.id), reader.kind === 'customer' ? ['admin', 'bot'] : ['customer'], now);
    if (reader.kind !== 'customer') await markMentionsRead(tx, Number(row.id), input.userId, now);
    if (reader.kind !== 'customer') await markNotificationsRead(unit, { userId: input.userId, conversationId: Number(row.id) });
    return { readAt: now };
  });
}

/**
 * The conversation's customer, reading without signing in (a chat visitor), has had the
 * team's and the bot's public messages up to `upTo` in front of them: a continuity mail
 * that would carry one of them is not sent. `marked`: how many were new to them.
 */
export function markSeenByCustomer(
  target: CommandTarget,
  input: { conversation: ConversationRef; customerId: number; upTo: number },
): Promise<{ marked: number }> {
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const row = await lockConversation(unit, input.conversation);
    await resolveActor(tx, { customerId: input.customerId }, now);
    if (Number(row.customerId) !== input.customerId) throw notFound('conversation');
    const marked = await markMessagesRead(tx, Number(row.id), ['admin', 'bot'], now, input.upTo);
    return { marked };
  });
}
