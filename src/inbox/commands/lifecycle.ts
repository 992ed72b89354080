import { DomainError, invalid } from '../../errors.js';
import { deleteConversationRows } from '../../store/conversations.js';
import { addToCounters } from '../../store/counters.js';
import { deleteMergeRecords, listTombstonesOf } from '../../store/merges.js';
import { deleteConversationNotifications, notificationCounterKey } from '../../store/notifications.js';
import { forgetFacts } from '../../store/report-facts.js';
import type { ConversationRow } from '../../store/schema.js';
import { type Actor, resolveActor } from '../actors.js';
import { madeRoom, requestDrain } from '../assignment/request.js';
import { canDelete } from '../policies.js';
import { toConversation } from '../records.js';
import type { ConversationRef } from '../refs.js';
import { countDeltas } from '../rules.js';
import { type CommandTarget, countable, eventBy, lockConversation, recordEvents, runCommand } from './unit.js';

// A conversation's end and its continuation: deleting one, and linking a follow-up.

/** Deletes a conversation, its messages and attachments; a `deleted` event is what remains. */
export function deleteConversation(target: CommandTarget, input: { conversation: ConversationRef; by: Actor }): Promise<void> {
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const row = await lockConversation(unit, input.conversation);
    const actor = await resolveActor(tx, input.by, now);
    if (!canDelete(actor)) throw new DomainError('forbidden', 'only an admin deletes conversations');
    // What was merged into it goes with it (its messages are in this one already), then every
    // merge record naming it: nothing may point at a conversation that is gone.
    for (const tombstone of await listTombstonesOf(tx, Number(row.id))) await deleteConversation(unit, { conversation: tombstone, by: input.by });
    await deleteMergeRecords(tx, Number(row.id));
    await addToCounters(tx, countDeltas(countable(row), null));
    // Its notifications go with it, and their unread ones leave each user's bell.
    const unread = await deleteConversationNotifications(tx, Number(row.id));
    await addToCounters(tx, new Map([...unread].map(([userId, n]) => [notificationCounterKey(userId), -n])));
    // Its report facts go too, out of the rollups as well.
    await forgetFacts(tx, unit.ctx.store.dialect, Number(row.id));
    await deleteConversationRows(tx, Number(row.id));
    if (madeRoom(row, null)) await requestDrain(tx, now);
    const { number, subject, customer } = toConversation(row);
    // The row is gone: the event keeps what the visibility rule needs to decide who hears of it.
    const gone = { number, subject, customerEmail: customer.email, customerId: customer.id, openedBy: row.openedBy === null ? null : Number(row.openedBy) };
    await recordEvents(unit, [eventBy(actor, Number(row.id), now)('deleted', gone, null)], null);
  });
}

/**
 * Notes on both conversations that `followUp` continues `conversation`: a customer
 * answered a closed conversation by email and a new one was opened for it.
 */
export function linkFollowUp(target: CommandTarget, input: { conversation: number; followUp: number; by: Actor }): Promise<void> {
  if (input.conversation === input.followUp) return Promise.reject(invalid('followUp', 'a conversation cannot follow up on itself'));
  return runCommand(target, async (unit, now) => {
    // Lower id locked first, so two links never wait on each other in a cycle.
    const rows = new Map<number, ConversationRow>();
    for (const id of [input.conversation, input.followUp].sort((a, b) => a - b)) rows.set(id, await lockConversation(unit, id));
    const actor = await resolveActor(unit.tx, input.by, now);
    const old = toConversation(rows.get(input.conversation)!);
    const next = toConversation(rows.get(input.followUp)!);
    await recordEvents(unit, [eventBy(actor, old.id, now)('follow_up_opened', null, { conversationId: next.id, number: next.number })], old);
    await recordEvents(unit, [eventBy(actor, next.id, now)('follow_up_of', null, { conversationId: old.id, number: old.number })], next);
  });
}
