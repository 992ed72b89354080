import { DomainError } from '../../errors.js';
import { findConversation } from '../../store/conversations.js';
import type { NewEvent } from '../../store/events.js';
import type { ConversationPatch } from '../../store/schema.js';
import { type Actor, type ResolvedActor, resolveActor } from '../actors.js';
import type { InboxContext } from '../context.js';
import { isTeam } from '../policies.js';
import { type Conversation, toConversation } from '../records.js';
import type { ConversationRef } from '../refs.js';
import { statusTimestamps } from '../rules.js';
import { addBlock, blockKeys } from './blocked-senders.js';
import { deleteConversation } from './lifecycle.js';
import { snoozeTimerKey } from './snooze.js';
import { type CommandTarget, eventBy, inUnit, lockConversation, recordEvents, runCommand, type Unit, writeConversation } from './unit.js';

// Spam: a conversation on the `spam` shelf (migration 0023) is closed, out of every view but
// Spam, counted only there, and plans no side effect (unit.ts recordEvents: no
// acknowledgement, no mail). It stays restorable for 30 days; then a durable timer deletes
// it. Marking one as spam may block its sender (commands/blocked-senders.ts), whose new
// conversations and messages then land in Spam directly (commands/messages.ts).

export const SPAM_PURGE_TIMER = 'conversation.spam_purge';
/** How long a conversation marked as spam can be restored before the purge deletes it. */
export const SPAM_RESTORABLE_MS = 30 * 24 * 60 * 60 * 1000;
const purgeKey = (id: number) => `spam-purge:${id}`;

/** The block list's own actor: what it shelves, it shelves as Onethread, not as a person. */
const BLOCK_LIST: ResolvedActor = { id: null, kind: 'system', role: null, name: 'Block list', email: null, origin: 'system' };
const PURGE: Actor = { system: 'Spam purge' };

/** What puts a conversation on the spam shelf: closed now, out of the snooze. Only through writeConversation (or a new row). */
export function spamShelf(row: { resolvedAt: number | null; closedAt: number | null }, now: number) {
  return {
    status: 'closed',
    ...statusTimestamps(row, 'closed', now),
    shelf: 'spam',
    shelvedAt: now,
    snoozedAt: null,
    snoozedUntil: null,
    snoozedBy: null,
  } satisfies ConversationPatch;
}

/** The timers of a conversation that just went to Spam: its snooze is off (it wakes for nobody), its purge armed. Set directly, not by a planner: spam plans nothing. */
export async function armSpamPurge(unit: Unit, conversationId: number, shelvedAt: number): Promise<void> {
  await unit.cancelTimer(snoozeTimerKey(conversationId));
  await unit.setTimer({ key: purgeKey(conversationId), kind: SPAM_PURGE_TIMER, dueAt: shelvedAt + SPAM_RESTORABLE_MS, payload: { conversationId } });
}

/** The `marked_spam` event of a conversation the block list put in Spam. */
export function blockedSenderEvent(conversationId: number, now: number): NewEvent {
  return eventBy(BLOCK_LIST, conversationId, now)('marked_spam', null, { block: null, reason: 'blocked_sender' });
}

export type MarkAsSpamInput = {
  conversation: ConversationRef;
  by: Actor;
  /** Also block the customer's address, or their whole domain. */
  block?: 'address' | 'domain' | null;
  /** Our own support addresses, which are never blocked (the email channel's, when it runs). */
  ownAddresses?: readonly string[];
};

/** Moves a conversation to Spam (closed, snooze off, purge armed) and blocks its sender if asked, in one unit. */
export function markAsSpam(target: CommandTarget, input: MarkAsSpamInput): Promise<Conversation> {
  return runCommand(target, async (unit, now) => {
    const before = await lockConversation(unit, input.conversation);
    const actor = await resolveActor(unit.tx, input.by, now);
    if (!isTeam(actor)) throw new DomainError('forbidden', 'only the team marks conversations as spam');
    if (before.shelf === 'merged') throw new DomainError('invalid_transition', 'this conversation was merged into another: mark that one as spam');
    const block = input.block ?? null;
    let blocked: string | null = null;
    if (block) {
      const [address, domain] = blockKeys(before.customerEmail);
      const value = block === 'address' ? address! : domain!;
      blocked = (await addBlock(unit, actor, { value, kind: block, conversationId: Number(before.id), ownAddresses: input.ownAddresses }, now)).value;
    }
    // Marked twice (a double click, a retry): the block above is what may be new.
    if (before.shelf === 'spam') return toConversation(before);
    const after = await writeConversation(unit, before, { ...spamShelf(before, now), updatedAt: now });
    await armSpamPurge(unit, Number(after.id), now);
    const conversation = toConversation(after);
    await recordEvents(
      unit,
      [eventBy(actor, conversation.id, now)('marked_spam', { status: before.status }, { block, ...(blocked ? { value: blocked } : {}) })],
      conversation,
    );
    return conversation;
  });
}

/** Brings a conversation back from Spam as open. Its sender stays blocked: the block list is where that is lifted. */
export function restoreFromSpam(target: CommandTarget, input: { conversation: ConversationRef; by: Actor }): Promise<Conversation> {
  return runCommand(target, async (unit, now) => {
    const before = await lockConversation(unit, input.conversation);
    const actor = await resolveActor(unit.tx, input.by, now);
    if (!isTeam(actor)) throw new DomainError('forbidden', 'only the team restores conversations from spam');
    if (before.shelf !== 'spam') throw new DomainError('invalid_transition', 'this conversation is not in Spam');
    const after = await writeConversation(unit, before, {
      status: 'open',
      ...statusTimestamps(before, 'open', now),
      shelf: null,
      shelvedAt: null,
      updatedAt: now,
    });
    await unit.cancelTimer(purgeKey(Number(after.id)));
    const conversation = toConversation(after);
    await recordEvents(unit, [eventBy(actor, conversation.id, now)('restored_from_spam', { status: before.status }, { status: after.status })], conversation);
    return conversation;
  });
}

/**
 * The purge timer: deletes the conversation if it is still in Spam 30 days after it went
 * there. A stale timer (restored meanwhile, marked again later, already gone) does nothing.
 */
export function purgeSpam(ctx: InboxContext, conversationId: number): Promise<boolean> {
  return inUnit(ctx, async (unit) => {
    const row = await findConversation(unit.tx, ctx.store.dialect, { id: conversationId }, true);
    if (row?.shelf !== 'spam' || row.shelvedAt === null) return false;
    if (Number(row.shelvedAt) + SPAM_RESTORABLE_MS > ctx.clock()) return false;
    await deleteConversation(unit, { conversation: conversationId, by: PURGE });
    return true;
  });
}

/** The timer handler's payload, as stored: anything, from any version. */
export function purgePayload(payload: unknown): number | null {
  const id = (payload as { conversationId?: unknown } | null)?.conversationId;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
}
