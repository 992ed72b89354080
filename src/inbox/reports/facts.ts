import { defaultCalendar } from '../../calendar/default.js';
import { conversationsOwnedBy, forgetFacts, insertFacts, type NewFact, readCycle } from '../../store/report-facts.js';
import type { Unit } from '../commands/unit.js';
import type { Conversation, InboxEvent } from '../records.js';
import { type CycleState, step } from './cycle.js';
import { attributesBefore, attributesOf, replayConversation } from './replay.js';

// The reports' facts, from the events a command just wrote, in its transaction (issue 19
// "Storage"): written exactly when the action commits, so no retry can double one and no
// crash lose one. Called by recordEvents beside the notifications.

/** The events that can make a fact; anything else (a tag, a follower) leaves reports alone. */
const FACT_EVENTS = new Set(['created', 'replied', 'note_added', 'escalated', 'reopened', 'resolved', 'closed']);

/** Events after which a conversation's facts are recomputed from history. */
const REPLAYED = new Set(['restored_from_spam', 'merged_into', 'unmerged']);

export async function recordFacts(unit: Unit, written: readonly InboxEvent[], conversation: Conversation | null): Promise<void> {
  const { tx, ctx } = unit;
  if (!conversation || written.length === 0 || !ctx.reportFacts) return;
  const id = conversation.id;
  // What happens to a conversation as a whole drops its facts, or recomputes them and what
  // was merged into it from their history, as a rebuild would (a merge can take even a Spam
  // conversation into a real one, an unmerge put it back in Spam; the replay decides where
  // facts belong, or that they belong nowhere).
  for (const event of written) {
    if (event.eventType === 'marked_spam') return forgetFacts(tx, ctx.store.dialect, id);
    if (REPLAYED.has(event.eventType)) {
      for (const owned of await conversationsOwnedBy(tx, id)) await replayConversation(tx, ctx.store, owned);
      return;
    }
  }
  // Spam and tombstones make none; imported history is the past (`reports rebuild --include-imported`).
  if (conversation.shelf || written.some((e) => e.origin === 'import')) return;
  if (!written.some((e) => FACT_EVENTS.has(e.eventType))) return;

  const cycle = await readCycle(tx, id);
  // A conversation older than the reports (or only imported so far): its history first, this batch included.
  if (!cycle && !written.some((e) => e.eventType === 'created')) {
    await replayConversation(tx, ctx.store, id);
    return;
  }
  const calendar = await defaultCalendar(ctx.store, tx);
  let state: CycleState | null = cycle
    ? { cycle: cycle.cycle, startedAt: cycle.startedAt, respondedAt: cycle.respondedAt, waitingSince: cycle.waitingSince, repliers: cycle.repliers }
    : null;
  let attrs = attributesBefore(attributesOf(conversation), written);
  const facts: NewFact[] = [];
  for (const event of written) {
    const result = step(state, attrs, event, { conversationId: id, calendar });
    facts.push(...result.facts);
    state = result.state;
    attrs = result.attrs;
  }
  await insertFacts(tx, ctx.store.dialect, facts, state && !sameState(state, cycle) ? { conversationId: id, ...state } : undefined);
}

const sameState = (a: CycleState, b: CycleState | undefined) =>
  b !== undefined &&
  a.cycle === b.cycle &&
  a.startedAt === b.startedAt &&
  a.respondedAt === b.respondedAt &&
  a.waitingSince === b.waitingSince &&
  a.repliers.join() === b.repliers.join();
