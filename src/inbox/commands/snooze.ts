import { DEFAULT_CALENDAR, storedCalendarOf } from '../../calendar/default.js';
import { type SnoozePreset, snoozePresetTime } from '../../calendar/snooze-presets.js';
import { DomainError, invalid } from '../../errors.js';
import { findCalendar } from '../../store/calendar.js';
import { findConversationRead, upsertConversationRead } from '../../store/messages.js';
import type { ConversationPatch, ConversationRow } from '../../store/schema.js';
import { type Actor, type ResolvedActor, requireTeam, resolveActor } from '../actors.js';
import type { InboxContext } from '../context.js';
import { type Conversation, toConversation } from '../records.js';
import type { ConversationRef } from '../refs.js';
import { requestedStatusChange } from '../rules.js';
import { type CommandTarget, eventBy, lockConversation, recordEvents, runCommand, statusPatch, type Unit, writeConversation } from './unit.js';

// Snooze: the conversation waits, `pending`, until a time or until the customer writes
// (`snoozedUntil` null), out of Open and Mine and in the Snoozed view. Its wake-up is a
// durable timer armed, re-armed or cancelled in the same unit as the row, so a restart
// loses none and a rolled-back snooze leaves none. Three things wake it: the timer
// (wakeSnoozed, origin `system`), the customer writing (messages.ts addMessage), a person
// (unsnoozeConversation). A status set by hand ends it too (conversation.ts decideStatus).

export const SNOOZE_TIMER = 'conversation.wake';
export const snoozeTimerKey = (conversationId: number) => `snooze:${conversationId}`;
/** Who wakes a conversation when its time comes. */
export const SNOOZE_ACTOR: Actor = { system: 'Snooze' };

export type UnsnoozeReason = 'manual' | 'time' | 'customer';
/** A time (epoch ms), null for "until the customer writes", or a preset in the agent's time zone. */
export type SnoozeUntil = number | null | { preset: SnoozePreset; timezone?: string };

/** What the wake timer remembers: a wake-up whose snooze was replaced or ended since finds the row different and does nothing. */
type WakePayload = { conversationId: number; snoozedAt: number; until: number };

/** The patch that ends a snooze; merged into the patch of whatever ends it, so one writeConversation moves the counters once. */
export const SNOOZE_ENDED = { snoozedAt: null, snoozedUntil: null, snoozedBy: null } satisfies ConversationPatch;

export function snoozeConversation(target: CommandTarget, input: { conversation: ConversationRef; until: SnoozeUntil; by: Actor }): Promise<Conversation> {
  return runCommand(target, async (unit, now) => {
    const { tx } = unit;
    const before = await lockConversation(unit, input.conversation);
    const actor = await resolveActor(tx, input.by, now);
    requireTeam(actor, 'snooze conversations');
    if (before.status === 'closed' || before.shelf !== null) {
      throw new DomainError('invalid_transition', 'a closed conversation cannot be snoozed; reopen it first', 'conversationId');
    }
    const until = await wakeTime(unit, input.until, now);
    if (until !== null && until <= now) throw invalid('until', 'the wake time is in the past; choose a later one');
    if (before.snoozedAt !== null && before.snoozedUntil === until) return toConversation(before);

    const change = requestedStatusChange(before.status, 'pending');
    const after = await writeConversation(unit, before, {
      snoozedAt: now,
      snoozedUntil: until,
      snoozedBy: actor.id,
      ...statusPatch(before, change, now),
      updatedAt: now,
    });
    const key = snoozeTimerKey(Number(before.id));
    // Re-snoozing re-arms the one timer of the conversation: the earlier time is gone.
    if (until === null) await unit.cancelTimer(key);
    else await unit.setTimer({ key, kind: SNOOZE_TIMER, dueAt: until, payload: { conversationId: Number(before.id), snoozedAt: now, until } });

    const conversation = toConversation(after);
    const event = eventBy(actor, conversation.id, now);
    await recordEvents(
      unit,
      [
        ...(change ? [event(change.eventType, change.from, change.to)] : []),
        event('snoozed', before.snoozedAt === null ? null : { until: before.snoozedUntil }, { until }),
      ],
      conversation,
    );
    return conversation;
  });
}

/** Wakes a snoozed conversation by hand (`manual`), or for a caller that knows why; not snoozed, it is left as it is. */
export function unsnoozeConversation(
  target: CommandTarget,
  input: { conversation: ConversationRef; by: Actor; reason: UnsnoozeReason },
): Promise<Conversation> {
  return runCommand(target, async (unit, now) => {
    const before = await lockConversation(unit, input.conversation);
    const actor = await resolveActor(unit.tx, input.by, now);
    requireTeam(actor, 'unsnooze conversations');
    if (before.snoozedAt === null) return toConversation(before);
    if (input.reason !== 'time') await unit.cancelTimer(snoozeTimerKey(Number(before.id)));
    return wake(unit, before, actor, input.reason, now);
  });
}

/**
 * The wake timer's handler. Timers fire at least once, and the snooze may have ended or
 * been replaced since this one was armed: only the snooze the timer was armed for wakes.
 */
export async function wakeSnoozed(ctx: InboxContext, payload: unknown): Promise<void> {
  const wanted = payload as Partial<WakePayload> | null;
  if (typeof wanted?.conversationId !== 'number') return;
  await runCommand(ctx, async (unit, now) => {
    // Deleted since: nothing to wake.
    const row = await lockConversation(unit, wanted.conversationId!).catch(() => null);
    if (!row || row.snoozedAt !== wanted.snoozedAt || row.snoozedUntil !== wanted.until) return;
    await wake(unit, row, await resolveActor(unit.tx, SNOOZE_ACTOR, now), 'time', now);
  });
}

/** Status back to `open`, the snooze gone, `unsnoozed` recorded, and "New reply" for its assignee. */
async function wake(unit: Unit, before: ConversationRow, actor: ResolvedActor, reason: UnsnoozeReason, now: number): Promise<Conversation> {
  // A conversation put on a shelf (spam) meanwhile stays there; only its snooze ends.
  const change = before.status === 'pending' && before.shelf === null ? requestedStatusChange(before.status, 'open') : null;
  const after = await writeConversation(unit, before, { ...SNOOZE_ENDED, ...statusPatch(before, change, now), updatedAt: now });
  // Woken by its time or by a colleague, it is news to its assignee, as a customer's reply would be.
  if (after.assignedTo !== null && before.shelf === null && (reason === 'time' || (reason === 'manual' && actor.id !== Number(after.assignedTo)))) {
    await markUnreadFor(unit, after, Number(after.assignedTo));
  }
  const conversation = toConversation(after);
  const event = eventBy(actor, conversation.id, now);
  await recordEvents(
    unit,
    [event('unsnoozed', { until: before.snoozedUntil }, { reason }), ...(change ? [event(change.eventType, change.from, change.to)] : [])],
    conversation,
  );
  return conversation;
}

/**
 * "New reply" is a customer message newer than the reader's mark (inbox/queries.ts
 * isUnread): moving the assignee's mark to just before the last one shows it again. A
 * conversation the customer never wrote in has nothing to show as new.
 */
async function markUnreadFor(unit: Unit, row: ConversationRow, userId: number): Promise<void> {
  if (row.lastCustomerMessageAt === null) return;
  const readAt = await findConversationRead(unit.tx, Number(row.id), userId);
  if (readAt === null || readAt >= row.lastCustomerMessageAt) await upsertConversationRead(unit.tx, Number(row.id), userId, row.lastCustomerMessageAt - 1);
}

/** The wake time a snooze asks for; a preset reads the business calendar in the unit's transaction. */
async function wakeTime(unit: Unit, until: SnoozeUntil, now: number): Promise<number | null> {
  if (until === null || typeof until === 'number') return until;
  const { calendar } = storedCalendarOf(await findCalendar(unit.tx, DEFAULT_CALENDAR));
  return snoozePresetTime(until.preset, { now, calendar, timezone: until.timezone });
}
