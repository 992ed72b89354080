import { defaultCalendar } from '../../calendar/default.js';
import { findConversation } from '../../store/conversations.js';
import type { Store } from '../../store/database.js';
import { listEventPage } from '../../store/events.js';
import { forgetFactsFrom, insertFacts, type NewFact } from '../../store/report-facts.js';
import type { Tx } from '../../store/transaction.js';
import { type Conversation, toConversation, toInboxEvent } from '../records.js';
import { applyAttributeChange, type CycleState, type FactAttributes, type FactEvent, step } from './cycle.js';

// A conversation's facts recomputed from its whole history (its events, oldest first),
// replacing what it had: `reports rebuild`, a conversation restored from Spam, and the
// first fact of a conversation older than the reports. The same step function as the
// commands, so a rebuild of untouched history reproduces the facts exactly — but with the
// calendar in force NOW for business time (a rebuild is how a changed definition reaches
// the past) and the attributes (team, priority, type, assignee) each event left.

const PAGE = 1000;

export type ReplayOptions = {
  /** Imported history makes facts too (`reports rebuild --include-imported`); by default it only moves the cycle. */
  includeImported?: boolean;
};

export const attributesOf = (conversation: Conversation): FactAttributes => ({
  channel: conversation.channel,
  type: conversation.type,
  priority: conversation.priority,
  teamId: conversation.team?.id ?? null,
  assignedTo: conversation.assignedTo,
});

/** The attributes before `events`, from those after them: each change undone, newest first. */
export function attributesBefore(after: FactAttributes, events: readonly FactEvent[]): FactAttributes {
  let attrs = after;
  for (let i = events.length - 1; i >= 0; i--) attrs = applyAttributeChange(attrs, events[i]!, 'back');
  return attrs;
}

/** Replays `conversationId`'s history in the caller's transaction; returns how many facts it wrote. */
export async function replayConversation(tx: Tx, store: Store, conversationId: number, options: ReplayOptions = {}): Promise<number> {
  // Locked as a command locks it: a reply meanwhile waits, then adds to what this wrote.
  const row = await findConversation(tx, store.dialect, { id: conversationId }, true);
  if (!row) return 0;
  const conversation = toConversation(row);
  const events: FactEvent[] = [];
  for (let after: number | null = null; ; ) {
    const page = await listEventPage(tx, conversationId, after, PAGE);
    events.push(...page.map(toInboxEvent));
    if (page.length < PAGE) break;
    after = Number(page[page.length - 1]!.id);
  }
  const calendar = await defaultCalendar(store, tx);
  let attrs = attributesBefore(attributesOf(conversation), events);
  let state: CycleState | null = null;
  const facts: NewFact[] = [];
  for (const event of events) {
    const result = step(state, attrs, event, { conversationId, calendar });
    if (event.origin !== 'import' || options.includeImported) facts.push(...result.facts);
    state = result.state;
    attrs = result.attrs;
  }
  await forgetFactsFrom(tx, store.dialect, conversationId);
  // Spam makes no facts; a merged conversation's belong to the one it went into.
  const owner = conversation.shelf === 'spam' ? null : await finalOwner(tx, store, conversation);
  const cycle = state ? { conversationId, ...state } : undefined;
  await insertFacts(tx, store.dialect, owner === null ? [] : owner === conversationId ? facts : facts.map((f) => ({ ...f, conversationId: owner })), cycle);
  return owner === null ? 0 : facts.length;
}

/** Where a conversation's facts live: itself, or the end of its chain of merges. */
async function finalOwner(tx: Tx, store: Store, conversation: Conversation): Promise<number | null> {
  let current = conversation;
  for (let hops = 0; current.shelf === 'merged' && current.mergedInto !== null && hops < 100; hops++) {
    const next = await findConversation(tx, store.dialect, { id: current.mergedInto }, false);
    if (!next) return null;
    current = toConversation(next);
  }
  return current.shelf === 'spam' ? null : current.id;
}
